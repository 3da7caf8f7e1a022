/**
 * The local database's cost per document, this checkout's launcher against another commit's, in
 * one run: npx tsx tools/bench/launcherCompare.ts [--base <git-ref>] [--seconds S] [--rounds N]
 * Each launcher runs alone on a fresh H2 file on a free port; the same closed loop (insertMany of
 * 100 order-sized documents, then bulkWrite of 100 updates by _id, 16 calls in flight) runs against
 * each in turn, rounds alternating, and the database process's CPU (/proc) is divided by the documents.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { defaultStackOptions, REPO_ROOT } from '../../infra/local/lib/config.js';
import { mongoCeilings } from './lib/ceilings.js';
import { pidListeningOn } from './lib/cpu.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD~1' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
  },
});
const work = mkdtempSync(path.join(tmpdir(), 'launcher-compare-'));
const jarsRoot = path.join(defaultStackOptions().cacheDir, 'jars');
const mongoJars = readdirSync(jarsRoot).find((n) => n.startsWith('mongo-'));
if (!mongoJars) throw new Error('run `npm run stack:up` once first: the mongo jars are not in the cache');
const classpath = `${path.join(jarsRoot, mongoJars)}/*`;

function compile(name: string, source: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'MongoLauncher.java'), source);
  const out = spawnSync('javac', ['-cp', classpath, '-d', dir, path.join(dir, 'MongoLauncher.java')], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`javac ${name}: ${out.stderr}`);
  return dir;
}

const show = spawnSync('git', ['show', `${values.base}:infra/local/MongoLauncher.java`], { cwd: REPO_ROOT, encoding: 'utf8' });
if (show.status !== 0) throw new Error(`git show ${values.base}: ${show.stderr}`);
const launchers = {
  base: compile('base', show.stdout),
  this: compile('this', spawnSync('cat', [path.join(REPO_ROOT, 'infra/local/MongoLauncher.java')], { encoding: 'utf8' }).stdout),
};

async function measure(name: keyof typeof launchers, port: number) {
  const file = path.join(work, `${name}-${port}.mv`);
  const child = spawn(
    'java',
    [
      '-Xms128m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-cp',
      `${classpath}:${launchers[name]}`,
      'MongoLauncher',
      '127.0.0.1',
      String(port),
      'h2',
      file,
    ],
    {
      stdio: 'ignore',
    },
  );
  const url = `mongodb://127.0.0.1:${port}/launcher_compare`;
  for (let i = 0; ; i++) {
    const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db().command({ ping: 1 });
      break;
    } catch {
      if (i > 120) throw new Error(`launcher ${name} did not start`);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await client.close();
    }
  }
  const pid = pidListeningOn(port);
  try {
    const { insertMany, bulkWrite } = await mongoCeilings(url, { concurrency: 16, seconds: Number(values.seconds) }, pid);
    return { insertMany: insertMany.docsPerDbCpuSecond ?? 0, bulkWrite: bulkWrite.docsPerDbCpuSecond ?? 0 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
}

const results: Record<string, Array<{ insertMany: number; bulkWrite: number }>> = { base: [], this: [] };
let port = 37400;
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of round % 2 === 0 ? (['base', 'this'] as const) : (['this', 'base'] as const))
      results[name]!.push(await measure(name, port++));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
const summary = Object.fromEntries(
  Object.entries(results).map(([k, rs]) => [
    k,
    { insertMany: mean(rs.map((r) => r.insertMany)), bulkWrite: mean(rs.map((r) => r.bulkWrite)) },
  ]),
);
console.log(
  JSON.stringify(
    {
      base: values.base,
      docsPerDbCpuSecond: summary,
      ratio: {
        insertMany: +(summary.this!.insertMany / summary.base!.insertMany).toFixed(2),
        bulkWrite: +(summary.this!.bulkWrite / summary.base!.bulkWrite).toFixed(2),
      },
      rounds: results,
    },
    null,
    2,
  ),
);
