export type HttpOutcome =
  | { kind: 'response'; status: number; body: unknown; ms: number }
  /** timedOut: no answer within the client's timeout (the service hung); otherwise refused, reset, … */
  | { kind: 'error'; error: string; timedOut: boolean; ms: number };

/** The client's request timeout: a request still unanswered after it counts as unanswered, never hangs the run. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One request, never retried: a service being killed is exactly what this run is about, so a request
 * that meets it is counted as failed by the caller. Bounded by a timeout so a hung socket cannot stall the run.
 */
export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<HttpOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { kind: 'response', status: res.status, body: parsed, ms: ms() };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return { kind: 'error', error: `${err instanceof Error ? err.message : String(err)}${cause}`, timedOut, ms: ms() };
  }
}
