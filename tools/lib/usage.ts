import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `--help` of a tool: prints the leading doc comment of its entry file (the one description of its
 * options, kept where the code is) and exits 0. Does nothing without `--help` / `-h`.
 */
export function helpFromHeader(entryFileUrl: string, argv = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  const text = readFileSync(fileURLToPath(entryFileUrl), 'utf8');
  const header = /^\/\*\*\n([\s\S]*?)\n \*\//.exec(text)?.[1] ?? '';
  console.log(
    header
      .split('\n')
      .map((line) => line.replace(/^ \* ?/, '').replace(/^ \*$/, ''))
      .join('\n'),
  );
  process.exit(0);
}
