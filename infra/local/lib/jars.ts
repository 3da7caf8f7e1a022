import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const hashOf = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Fills `targetDir` with the runtime jars listed in `pomFile`, using Maven. A marker holding the
 * pom's hash makes a second call a no-op; a half-finished download is never mistaken for a cache.
 */
export async function ensureJars(label: string, pomFile: string, targetDir: string, log: (line: string) => void): Promise<void> {
  const marker = path.join(targetDir, '.pom-sha256');
  const wanted = hashOf(pomFile);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;

  log(`${label}: fetching jars with Maven (first run only; cached in ${targetDir})`);
  // Each caller downloads beside the target and renames into place, so two stacks starting at once
  // (parallel test files) never see a half-filled folder or remove each other's download.
  const staging = `${targetDir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(path.dirname(targetDir), { recursive: true });
  try {
    await runMaven(
      label,
      ['-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
      log,
    );
    writeFileSync(path.join(staging, '.pom-sha256'), wanted);
    if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return; // another caller finished first
    rmSync(targetDir, { recursive: true, force: true });
    renameSync(staging, targetDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function runMaven(label: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    let downloaded = 0;
    const onLine = (line: string): void => {
      output.push(line);
      // Progress: one line per artifact fetched, not Maven's whole chatter.
      if (line.includes('Downloaded from')) {
        downloaded += 1;
        const artifact = /Downloaded from [^:]+: (\S+)/.exec(line)?.[1]?.split('/').at(-1) ?? line;
        log(`${label}: downloaded ${downloaded}: ${artifact}`);
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.once('error', (err) => reject(new Error(`${label}: cannot run mvn (${err.message}); install Maven (apt-get install maven)`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${label}: mvn exited with ${code}. Last output:\n${output.slice(-25).join('\n')}`));
    });
  });
}
