import type { RequestKind, RequestSample } from './LoadGenerator.js';

/** What the clients saw for the requests they sent in a time window. */
export interface RequestFigures {
  sent: number;
  /** 2xx. */
  succeeded: number;
  /** 503: the service said a dependency is down — the answer SPEC §3 asks for. */
  answered503: number;
  /** Other statuses (409 for a move no longer allowed, 500, 413, …), by status. */
  answeredOther: Record<string, number>;
  /** No answer within the client's timeout: the service held the request and never replied. */
  unanswered: number;
  /** Connection refused or reset: nothing was listening. */
  errors: number;
  /** Answered, but later than this many ms after being sent. */
  slowerThan5s: number;
  slowestAnsweredMs: number;
  /** Of `sent`, re-sends to another instance after the first did not answer (several instances only). */
  resent: number;
}

const SLOW_MS = 5_000;

export function requestFigures(samples: RequestSample[], from: number, to: number, kinds?: RequestKind[]): RequestFigures {
  const f: RequestFigures = {
    sent: 0,
    succeeded: 0,
    answered503: 0,
    answeredOther: {},
    unanswered: 0,
    errors: 0,
    slowerThan5s: 0,
    slowestAnsweredMs: 0,
    resent: 0,
  };
  for (const s of samples) {
    if (s.at < from || s.at > to || (kinds && !kinds.includes(s.kind))) continue;
    f.sent += 1;
    if (s.retry) f.resent += 1;
    if (s.outcome === 'unanswered') f.unanswered += 1;
    else if (s.outcome === 'error') f.errors += 1;
    else {
      if (s.outcome >= 200 && s.outcome < 300) f.succeeded += 1;
      else if (s.outcome === 503) f.answered503 += 1;
      else f.answeredOther[String(s.outcome)] = (f.answeredOther[String(s.outcome)] ?? 0) + 1;
      if (s.ms > SLOW_MS) f.slowerThan5s += 1;
      f.slowestAnsweredMs = Math.max(f.slowestAnsweredMs, s.ms);
    }
  }
  return f;
}

export function describeRequests(f: RequestFigures): string {
  const other = Object.entries(f.answeredOther)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return `${f.sent} sent${f.resent > 0 ? ` (${f.resent} of them re-sent to another instance)` : ''}: ${f.succeeded} ok, ${f.answered503} answered 503, ${f.unanswered} unanswered (client timeout), ${f.errors} connection errors${other ? `, other ${other}` : ''}; slowest answer ${(f.slowestAnsweredMs / 1000).toFixed(1)} s`;
}
