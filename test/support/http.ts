/** A small HTTP client over the global fetch, for driving the real app in tests. */
export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ReqOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is; set the content type yourself in `headers`. */
  raw?: string | Uint8Array;
  token?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
}

export class Http {
  constructor(readonly baseUrl: string) {}

  async req<T = any>(method: string, path: string, opts: ReqOptions = {}): Promise<Res<T>> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: string | Uint8Array | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw !== undefined) {
      body = opts.raw;
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, opts?: ReqOptions) {
    return this.req<T>('GET', path, opts);
  }
  post<T = any>(path: string, json?: unknown, opts: ReqOptions = {}) {
    return this.req<T>('POST', path, { ...opts, json });
  }
  put<T = any>(path: string, json?: unknown, opts: ReqOptions = {}) {
    return this.req<T>('PUT', path, { ...opts, json });
  }
  patch<T = any>(path: string, json?: unknown, opts: ReqOptions = {}) {
    return this.req<T>('PATCH', path, { ...opts, json });
  }
  delete<T = any>(path: string, opts?: ReqOptions) {
    return this.req<T>('DELETE', path, opts);
  }
}
