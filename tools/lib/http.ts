/**
 * The one JSON-over-HTTP client of the tests and tools (fetch, no client library): a JSON body in, the
 * answer's status, headers and body out (parsed when it is JSON, the text otherwise), bounded by a timeout.
 */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** Milliseconds from sending to the whole body read. */
  ms: number;
}

export interface RequestOptions {
  /** No answer within this long aborts the request (a TimeoutError); default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Longer than any long-poll a test or tool asks for (30 s at most), short enough that a hung socket cannot hang a run. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** One request; throws when no answer comes (refused, reset, timed out). */
export async function http<T = any>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  { timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const started = performance.now();
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
  return { status: res.status, headers: res.headers, body: parsed as T, ms: Math.round(performance.now() - started) };
}

export const postJson = <T = any>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> =>
  http<T>('POST', url, body, headers);

export type HttpOutcome =
  | { kind: 'response'; status: number; body: unknown; ms: number }
  /** timedOut: no answer within the client's timeout (the service hung); otherwise refused, reset, … */
  | { kind: 'error'; error: string; timedOut: boolean; ms: number };

/** The chaos client's request timeout: a request still unanswered after it counts as unanswered, never hangs the run. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One request, never retried and never throwing: the outcome says whether an answer came. A service
 * being killed is exactly what the chaos run is about, so a request that meets it is counted as failed
 * by the caller. Bounded by a timeout (default REQUEST_TIMEOUT_MS) so a hung socket cannot stall the run.
 */
export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<HttpOutcome> {
  const started = performance.now();
  try {
    const res = await http(method, url, body, headers, { timeoutMs });
    return { kind: 'response', status: res.status, body: res.body, ms: res.ms };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const ms = Math.round(performance.now() - started);
    return { kind: 'error', error: `${err instanceof Error ? err.message : String(err)}${cause}`, timedOut, ms };
  }
}
