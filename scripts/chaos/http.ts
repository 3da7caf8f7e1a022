export type HttpOutcome = { kind: 'response'; status: number; body: unknown } | { kind: 'error'; error: string };

/**
 * One request, never retried: a service being killed is exactly what this run is about, so a request
 * that meets it is counted as failed by the caller. Bounded by a timeout so a hung socket cannot stall the run.
 */
export async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpOutcome> {
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
    return { kind: 'response', status: res.status, body: parsed };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { kind: 'error', error: `${err instanceof Error ? err.message : String(err)}${cause}` };
  }
}
