import http from 'node:http';

/** A request exactly as the fuzzer wants it on the wire: any method, an unnormalized path, raw body bytes. */
export interface RawRequest {
  method: string;
  /** Path and query, sent verbatim (no URL normalization, no re-encoding). */
  path: string;
  headers?: Record<string, string | string[]>;
  /** Sent as is; `undefined` sends no body at all. */
  body?: string | Buffer;
  /** Send the body in chunks without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * One request on a fresh connection (node:http, not fetch: fetch normalizes paths, refuses some
 * methods and always sets a content type for string bodies). A fresh connection per request keeps a
 * socket the server closed (after a 400 from the HTTP parser, say) from failing the next request.
 */
export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 45_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | string[]> = { ...req.headers };
    if (body !== undefined && !req.chunked) headers['content-length'] = String(body.length);
    const request = http.request({
      host: hostname,
      port: Number(port),
      method: req.method,
      path: req.path,
      headers,
      agent: false,
      setHost: true,
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no response within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    if (body === undefined) {
      request.end();
    } else if (req.chunked) {
      const size = Math.max(1, Math.ceil(body.length / 4));
      for (let at = 0; at < body.length; at += size) request.write(body.subarray(at, at + size));
      request.end();
    } else {
      request.end(body);
    }
  });
}
