import { Router } from 'express';

export interface HealthCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

export interface HealthRouterOptions {
  /** Per check; a slower check counts as down. */
  timeoutMs?: number;
}

type CheckStatus = 'up' | 'down';

async function runCheck({ check }: HealthCheck, timeoutMs: number): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const up = await Promise.race([Promise.resolve().then(check), timeout]);
    return up === true ? 'up' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckStatus>;
}

/** Runs every check at once; ready when all are up. What /health/ready answers and /metrics exports. */
export async function checkReadiness(checks: readonly HealthCheck[], timeoutMs = 1000): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (check) => [check.name, await runCheck(check, timeoutMs)] as const));
  return { ready: results.every(([, status]) => status === 'up'), checks: Object.fromEntries(results) };
}

/** GET /health/live (process up) and GET /health/ready (every dependency up, else 503) — SPEC §3. */
export function createHealthRouter(checks: readonly HealthCheck[], { timeoutMs = 1000 }: HealthRouterOptions = {}): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.set('Cache-Control', 'no-store').status(200).json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const { ready, checks: results } = await checkReadiness(checks, timeoutMs);
    res
      .set('Cache-Control', 'no-store')
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
  return router;
}
