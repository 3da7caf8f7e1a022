import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK; 100 on Linux). */
const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** User + system CPU time a process (all its threads) has used so far, in ms; undefined when it is gone. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after its closing ')' start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The process listening on a TCP port on this machine (the stack's JVMs when no pid file names them). */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; column 9 is the socket inode.
      if (cols.length > 9 && cols[3] === '0A' && Number.parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return Number(entry);
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return undefined;
}

/** CPU time of named processes over a phase: start() then stop() gives ms per process. */
export class CpuMeter {
  private startedAt = new Map<string, number>();

  constructor(private readonly pids: Record<string, number | undefined>) {}

  start(): this {
    this.startedAt = new Map();
    for (const [name, pid] of Object.entries(this.pids)) {
      const t = pid === undefined ? undefined : cpuTimeMs(pid);
      if (t !== undefined) this.startedAt.set(name, t);
    }
    return this;
  }

  /** ms of CPU each process used since start() (processes that vanished or were unknown are left out). */
  stop(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const t0 = this.startedAt.get(name);
      const t1 = pid === undefined ? undefined : cpuTimeMs(pid);
      if (t0 !== undefined && t1 !== undefined) out[name] = t1 - t0;
    }
    return out;
  }
}

/** Each process's ms divided by `orders` (2 decimals), plus their total. */
export function perOrder(ms: Record<string, number>, orders: number): Record<string, number> {
  const round = (n: number) => Math.round(n * 100) / 100;
  const out: Record<string, number> = {};
  let total = 0;
  for (const [name, value] of Object.entries(ms)) {
    out[name] = round(value / Math.max(1, orders));
    total += value;
  }
  out.total = round(total / Math.max(1, orders));
  return out;
}
