import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Another commit of the project, checked out beside this one so its services can run in the same benchmark. */
export interface Checkout {
  ref: string;
  commit: string;
  subject: string;
  root: string;
  remove(): void;
}

const WORKSPACES = ['shared', 'orderservice', 'inventoryservice', 'notificationservice'];

function git(root: string, args: string[]): string {
  const out = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/**
 * `git worktree add` of `ref` into a temporary folder. Its node_modules: when its package-lock.json
 * is this checkout's, links to this checkout's packages (its own workspaces linked to its own
 * folders, so its services run its code); otherwise `npm ci` there. remove() deletes the worktree.
 */
export function checkoutRef(root: string, ref: string, log: (line: string) => void): Checkout {
  const commit = git(root, ['rev-parse', '--verify', `${ref}^{commit}`]);
  const subject = git(root, ['log', '-1', '--format=%s', commit]);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-compare-'));
  git(root, ['worktree', 'add', '--detach', dir, commit]);
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root });
    rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  };
  try {
    const sameLock =
      readFileSync(path.join(root, 'package-lock.json'), 'utf8') === readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
    if (sameLock) {
      linkNodeModules(root, dir);
      log(`compare: ${ref} = ${commit.slice(0, 10)} "${subject}" in ${dir} (same package-lock: node_modules linked)`);
    } else {
      log(`compare: ${ref} = ${commit.slice(0, 10)} has another package-lock.json: npm ci in ${dir} (takes a while)`);
      const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (ci.status !== 0) throw new Error(`npm ci for ${ref} failed:\n${ci.stderr.slice(-2000)}`);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return { ref, commit, subject, root: dir, remove };
}

function linkNodeModules(root: string, dir: string): void {
  const from = path.join(root, 'node_modules');
  const to = path.join(dir, 'node_modules');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (entry === '@orderplatform') continue;
    symlinkSync(path.join(from, entry), path.join(to, entry));
  }
  mkdirSync(path.join(to, '@orderplatform'));
  for (const workspace of WORKSPACES) symlinkSync(path.join('..', '..', workspace), path.join(to, '@orderplatform', workspace));
}
