/**
 * A small HTTP client for one SensorThings service root (STA 1.0 or 1.1): JSON in and
 * out over node:http/https with keep-alive agents, a timeout per request,
 * authentication none / basic / bearer, TLS verified (against an optional CA of the
 * server's own), and every failure a SensorThingsServerError that says what was asked, what
 * the server answered and whether trying again can help.
 *
 * Credentials are only ever put in the Authorization header: never in a URL, a
 * message or a log.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { SensorThingsServerError } from './client-messages';

export type SensorThingsAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

export interface SensorThingsClientOptions {
  /** e.g. `https://example.org/FROST-Server/v1.1` (v1.0 works the same way). */
  serviceRoot: string;
  auth?: SensorThingsAuth;
  /** The CA certificate(s) that signed the server's certificate, as PEM text: used instead of the system's. */
  ca?: string;
  /** The same, read from a PEM file. */
  caFile?: string;
  /** Longest wait for a whole answer, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Connections kept open to the server at most. Default 8. */
  maxSockets?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface StaAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
  /** The Location header (the URL of a created entity). */
  location?: string;
  url: string;
}

export interface RequestOptions {
  /** What is asked, for error messages: default the path without its query. */
  entity?: string;
  /** Extra headers (Prefer, …). */
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const TLS_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;

export class SensorThingsClient {
  /** The service root without a trailing slash. */
  readonly serviceRoot: string;
  /** `v1.0` or `v1.1` when the service root ends so. */
  readonly version: string | undefined;
  readonly timeoutMs: number;
  readonly #root: URL;
  readonly #agent: http.Agent;
  readonly #authorization: string | undefined;
  readonly #transport: typeof http | typeof https;

  constructor(options: SensorThingsClientOptions) {
    let root: URL;
    try {
      root = new URL(options.serviceRoot);
    } catch {
      throw new SensorThingsServerError('STA_URL', { url: String(options.serviceRoot) });
    }
    if (root.protocol !== 'http:' && root.protocol !== 'https:')
      throw new SensorThingsServerError('STA_URL', { url: options.serviceRoot });
    if (root.username !== '' || root.password !== '') {
      root.username = '';
      root.password = '';
      throw new SensorThingsServerError('STA_URL_CREDENTIALS', { url: root.href });
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs)))
      throw new SensorThingsServerError('STA_TIMEOUT_OPTION', { value: String(timeoutMs) });
    this.timeoutMs = timeoutMs;
    root.search = '';
    root.hash = '';
    this.serviceRoot = root.href.replace(/\/+$/, '');
    this.#root = new URL(this.serviceRoot);
    this.version = /\/(v\d+\.\d+)$/.exec(this.serviceRoot)?.[1];
    this.#authorization = authorization(options.auth ?? { type: 'none' });

    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    if (root.protocol === 'https:') {
      let ca = options.ca;
      if (ca === undefined && options.caFile !== undefined) {
        try {
          ca = readFileSync(options.caFile, 'utf8');
        } catch (err) {
          throw new SensorThingsServerError(
            'STA_CA_FILE',
            { file: options.caFile, cause: err instanceof Error ? err.message : String(err) },
            {},
            { cause: err },
          );
        }
      }
      // rejectUnauthorized is Node's default; said here so that no option can turn it off.
      this.#agent = new https.Agent({
        ...agentOptions,
        rejectUnauthorized: true,
        ...(ca ? { ca } : {}),
      });
      this.#transport = https;
    } else {
      this.#agent = new http.Agent(agentOptions);
      this.#transport = http;
    }
  }

  /** The absolute URL of a path under the service root (`Things(1)/Datastreams?$top=1`), or of a link the server gave. */
  url(path: string): string {
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      // A link elsewhere would get our credentials: only the server's own links are followed.
      if (url.origin !== this.#root.origin)
        throw new SensorThingsServerError('STA_URL', { url: path });
      return url.href;
    }
    return `${this.serviceRoot}/${path.replace(/^\/+/, '')}`;
  }

  get(path: string, options?: RequestOptions): Promise<StaAnswer> {
    return this.request('GET', path, undefined, options);
  }

  post(path: string, body: unknown, options?: RequestOptions): Promise<StaAnswer> {
    return this.request('POST', path, body, options);
  }

  patch(path: string, body: unknown, options?: RequestOptions): Promise<StaAnswer> {
    return this.request('PATCH', path, body, options);
  }

  delete(path: string, options?: RequestOptions): Promise<StaAnswer> {
    return this.request('DELETE', path, undefined, options);
  }

  /** Every entity of a collection, following `@iot.nextLink`. */
  async getAll(path: string, options?: RequestOptions): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const answer = await this.get(next, { entity: entityOf(path), ...options });
      const page = answer.body as { value?: unknown; '@iot.nextLink'?: unknown } | undefined;
      if (!page || !Array.isArray(page.value))
        throw new SensorThingsServerError(
          'STA_ANSWER',
          { method: 'GET', entity: options?.entity ?? entityOf(path), reason: 'no "value" list' },
          { entity: options?.entity ?? entityOf(path), url: answer.url },
        );
      all.push(...(page.value as Record<string, unknown>[]));
      next = typeof page['@iot.nextLink'] === 'string' ? page['@iot.nextLink'] : undefined;
    }
    return all;
  }

  /**
   * One request; resolves with any 2xx answer, rejects with a SensorThingsServerError for
   * anything else. A GET that meets a keep-alive connection the server had closed is
   * tried once more on a new one; any other method is not (its outcome is unknown).
   */
  async request(
    method: HttpMethod,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<StaAnswer> {
    const url = this.url(path);
    const entity = options.entity ?? entityOf(path);
    try {
      return await this.#once(method, url, entity, body, options.headers);
    } catch (err) {
      if (method === 'GET' && (err as { staleSocket?: boolean }).staleSocket)
        return this.#once(method, url, entity, body, options.headers);
      if (
        err instanceof SensorThingsServerError &&
        err.messageId === 'STA_AUTH' &&
        method !== 'GET'
      )
        throw await this.#whyRefused(err, method, entity, url);
      throw err;
    }
  }

  /**
   * A write refused with 401 by a server that lets the same credentials read is a user
   * without the right to write: FROST's BasicAuthProvider answers 401, not 403, to a
   * user who lacks the role. One GET of the service root tells the two apart.
   */
  async #whyRefused(
    err: SensorThingsServerError,
    method: HttpMethod,
    entity: string,
    url: string,
  ): Promise<SensorThingsServerError> {
    try {
      await this.#once('GET', this.serviceRoot, 'service root', undefined, undefined);
    } catch {
      return err;
    }
    const status = err.status ?? 401;
    const serverMessage = err.serverMessage ?? 'no message';
    return new SensorThingsServerError(
      'STA_FORBIDDEN',
      { method, entity, url, status, serverMessage },
      { status, serverMessage, entity, url, retryable: false },
    );
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #once(
    method: HttpMethod,
    url: string,
    entity: string,
    body: unknown,
    extraHeaders: Record<string, string> | undefined,
  ): Promise<StaAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    const where = { method, entity, url };

    return new Promise<StaAnswer>((resolve, reject) => {
      let sent = false;
      let answered = false;
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const req = this.#transport.request(url, { method, headers, agent: this.#agent });
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(
          new SensorThingsServerError(
            'STA_TIMEOUT',
            { ...where, timeoutMs: this.timeoutMs },
            { entity, url, retryable: true, outcomeUnknown: sent && method !== 'GET' },
          ),
        );
      });
      req.on('finish', () => (sent = true));
      req.on('error', (err: Error & { code?: string }) => {
        if (err instanceof SensorThingsServerError) return fail(err);
        const code = err.code ?? '';
        if (TLS_ERROR.test(code) || TLS_ERROR.test(err.message)) {
          return fail(
            new SensorThingsServerError(
              'STA_TLS',
              { ...where, cause: err.message },
              { entity, url, retryable: false },
              { cause: err },
            ),
          );
        }
        const error = new SensorThingsServerError(
          'STA_UNREACHABLE',
          { ...where, cause: code ? `${code} ${err.message}`.trim() : err.message },
          {
            entity,
            url,
            retryable: true,
            outcomeUnknown: sent && !answered && method !== 'GET' && code !== 'ECONNREFUSED',
          },
          { cause: err },
        );
        if (req.reusedSocket && !answered && (code === 'ECONNRESET' || code === 'EPIPE'))
          Object.defineProperty(error, 'staleSocket', { value: true });
        fail(error);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(
              new SensorThingsServerError(
                'STA_ANSWER',
                { ...where, reason: `more than ${MAX_ANSWER_BYTES} bytes` },
                { entity, url, status: res.statusCode },
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => req.destroy(err));
        res.on('end', () => {
          if (settled) return;
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          let unreadable: string | undefined;
          if (text.trim() !== '') {
            try {
              parsed = JSON.parse(text);
            } catch (err) {
              unreadable = err instanceof Error ? err.message : String(err);
            }
          }
          if (status >= 200 && status < 300) {
            if (unreadable !== undefined)
              return fail(
                new SensorThingsServerError(
                  'STA_ANSWER',
                  { ...where, reason: `not JSON (${unreadable})` },
                  { entity, url, status },
                ),
              );
            settled = true;
            const location = res.headers.location;
            resolve({
              status,
              body: parsed,
              url,
              ...(typeof location === 'string' ? { location } : {}),
            });
            return;
          }
          fail(
            statusError(
              status,
              serverMessageOf(parsed, text, res.headers['content-type'], res.statusMessage),
              where,
              this.#authorization !== undefined,
            ),
          );
        });
      });
      req.end(payload);
    });
  }
}

function statusError(
  status: number,
  serverMessage: string,
  where: { method: HttpMethod; entity: string; url: string },
  withCredentials: boolean,
): SensorThingsServerError {
  const details = { status, serverMessage, entity: where.entity, url: where.url };
  const params = { ...where, status, serverMessage };
  // 401: the credentials are wrong or missing (RFC 9110 §15.5.2); 403: they are known,
  // and not enough for this request (§15.5.4).
  if (status === 401 && !withCredentials)
    return new SensorThingsServerError('STA_AUTH_NEEDED', params, {
      ...details,
      retryable: false,
    });
  if (status === 401)
    return new SensorThingsServerError('STA_AUTH', params, { ...details, retryable: false });
  if (status === 403)
    return new SensorThingsServerError('STA_FORBIDDEN', params, { ...details, retryable: false });
  if (status >= 500 || status === 408 || status === 429)
    return new SensorThingsServerError('STA_SERVER', params, { ...details, retryable: true });
  return new SensorThingsServerError('STA_HTTP', params, { ...details, retryable: false });
}

/**
 * FROST's `{"code":400,"type":"error","message":"…"}`, the title of an HTML error page
 * (Tomcat's own, for a 401 of FROST's authentication filter), or the text of another
 * server's answer.
 */
function serverMessageOf(
  parsed: unknown,
  text: string,
  contentType: string | undefined,
  statusMessage: string | undefined,
): string {
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message !== '') return message;
  if (/^\s*text\/html/i.test(contentType ?? '') || /^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    const plain = (title ?? text.replace(/<[^>]*>/g, ' '))
      .replace(/&nbsp;|&#160;/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (plain !== '') return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
    return statusMessage || 'no message';
  }
  const trimmed = text.trim();
  if (trimmed !== '') return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
  return statusMessage || 'no message';
}

function authorization(auth: SensorThingsAuth): string | undefined {
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'basic':
      if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':'))
        throw new SensorThingsServerError('STA_AUTH_OPTIONS', {
          auth: 'basic',
          fields: 'a user name without ":"',
        });
      if (typeof auth.password !== 'string')
        throw new SensorThingsServerError('STA_AUTH_OPTIONS', {
          auth: 'basic',
          fields: 'a password',
        });
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
      if (typeof auth.token !== 'string' || auth.token === '' || /[\r\n]/.test(auth.token))
        throw new SensorThingsServerError('STA_AUTH_OPTIONS', {
          auth: 'bearer',
          fields: 'a token',
        });
      return `Bearer ${auth.token}`;
    default:
      throw new SensorThingsServerError('STA_AUTH_OPTIONS', {
        auth: String((auth as { type?: unknown }).type),
        fields: 'type none, basic or bearer',
      });
  }
}

/** `Things(4)/Datastreams` of `Things(4)/Datastreams?$filter=…`, decoded, for messages. */
export function entityOf(path: string): string {
  let p = path;
  if (/^https?:\/\//i.test(p)) p = new URL(p).pathname.replace(/^.*\/v\d+\.\d+\//, '');
  p = p.split('?')[0].replace(/^\/+/, '');
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** An OData 4.0 string literal (STA 1.1 §9.3.3.4): in single quotes, a quote doubled. */
export function odataString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A query string of `$name=value` options, each value percent-encoded (a `#`, `&`, `+` or space in a name survives). */
export function queryString(options: Record<string, string | number | undefined>): string {
  const parts = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The id at the end of an entity URL (`…/Things(42)` → 42, `…/Things('a''b')` → "a'b"). */
export function idFromUrl(url: string): number | string | undefined {
  const match = /\(([^()]*|'(?:[^']|'')*')\)\/?$/.exec(decodeSafely(url));
  if (!match) return undefined;
  const raw = match[1];
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (/^'.*'$/.test(raw)) return raw.slice(1, -1).replace(/''/g, "'");
  return raw === '' ? undefined : raw;
}

function decodeSafely(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** The path of one entity: `Things(4)`, or `Things('a%20b')` for a string id. */
export function entityPath(entitySet: string, id: number | string): string {
  return typeof id === 'number'
    ? `${entitySet}(${id})`
    : `${entitySet}(${encodeURIComponent(odataString(id))})`;
}
