import { SenfedError, type MessageTable, type SentenceParams } from '../errors';

/** The sentences of the SensorThings server client (http, find-or-create, DataArray), by messageId. */
export const STA_CLIENT_MESSAGES = {
  STA_URL: {
    code: 'STA_OPTIONS',
    en: 'the service root must be an http or https URL, not "{url}"',
  },
  STA_URL_CREDENTIALS: {
    code: 'STA_OPTIONS',
    en: 'the service root {url} carries a user name or password: give them as credentials, not in the URL',
  },
  STA_AUTH_OPTIONS: {
    code: 'STA_OPTIONS',
    en: '{auth} authentication needs {fields}',
  },
  STA_CA_FILE: {
    code: 'STA_OPTIONS',
    en: 'cannot read the CA certificate file {file}: {cause}',
  },
  STA_TIMEOUT_OPTION: {
    code: 'STA_OPTIONS',
    en: 'the timeout must be a positive number of ms, not {value}',
  },
  STA_UNREACHABLE: {
    code: 'STA_REFUSED',
    en: '{method} {entity}: the server at {url} cannot be reached: {cause}',
  },
  STA_TIMEOUT: {
    code: 'STA_TIMEOUT',
    en: '{method} {entity}: no answer from {url} within {timeoutMs} ms',
  },
  STA_TLS: {
    code: 'STA_TLS',
    en: '{method} {entity}: the TLS certificate of {url} is not trusted: {cause}',
  },
  STA_SERVER: {
    code: 'STA_SERVER',
    en: '{method} {entity}: the server failed ({status}): {serverMessage}',
  },
  STA_HTTP: {
    code: 'STA_HTTP',
    en: '{method} {entity}: the server refused it ({status}): {serverMessage}',
  },
  STA_AUTH: {
    code: 'STA_AUTH',
    en: 'credentials refused ({status}) for {method} {entity}: {serverMessage}',
  },
  STA_AUTH_NEEDED: {
    code: 'STA_AUTH',
    en: 'credentials needed ({status}) for {method} {entity}, and none are set: choose basic or bearer authentication',
  },
  STA_FORBIDDEN: {
    code: 'STA_AUTH',
    en: 'user not allowed ({status}) to {method} {entity}: the server accepts the credentials, not this request: {serverMessage}',
  },
  STA_ANSWER: {
    code: 'STA_ANSWER',
    en: '{method} {entity}: the answer cannot be read: {reason}',
  },
  STA_NO_LOCATION: {
    code: 'STA_ANSWER',
    en: 'POST {entity}: the server answered {status} without the Location of the new entity',
  },
  STA_ROWS: {
    code: 'STA_ANSWER',
    en: 'POST CreateObservations: the answer has {got} rows for the {sent} sent',
  },
  STA_ROW: {
    code: 'STA_ROW',
    en: 'the observation at {phenomenonTime} for Datastream {datastream} was refused: {serverMessage}',
  },
  STA_NOT_FOUND_AFTER_CREATE: {
    code: 'STA_ANSWER',
    en: '{entity} "{name}" was created as {id} but cannot be found by its name',
  },
  STA_DUPLICATE_KEPT: {
    code: 'STA_DUPLICATE',
    en: '{entity} "{name}" was created twice at once, as {kept} and {duplicate} (another writer); {duplicate} already holds observations and was kept: merge them by hand',
  },
  STA_CACHE_READ: {
    code: 'STA_CACHE_IO',
    en: 'cannot read the SensorThings id cache {file}: {cause}',
  },
  STA_CACHE_WRITE: {
    code: 'STA_CACHE_WARNING',
    en: 'cannot write the SensorThings id cache {file}: {cause}; the ids are kept in memory and looked up again after a restart',
  },
  STA_CACHE_SET_ASIDE: {
    code: 'STA_CACHE_WARNING',
    en: 'the SensorThings id cache {file} could not be read and was set aside as {copy}: ids are looked up on the server again',
  },
  STA_DATASTREAM_MISSING: {
    code: 'STA_NOT_FOUND',
    en: 'Datastream {datastream} does not exist on {url}',
  },
  STA_DATASTREAM_ID: {
    code: 'STA_OPTIONS',
    en: '"{got}" is not a Datastream id: a whole number, or a text id in quotes',
  },
  STA_OBSERVATION_SKIPPED: {
    code: 'STA_OBSERVATION',
    en: 'Observation {id} of Datastream {datastream} was skipped: its {field} cannot be SenML ({got})',
  },
  STA_CURSOR_READ: {
    code: 'STA_CURSOR_IO',
    en: 'cannot read the SensorThings read positions {file}: {cause}',
  },
  STA_CURSOR_WRITE: {
    code: 'STA_CURSOR_IO',
    en: 'cannot write the SensorThings read positions {file}: {cause}; what was just output may be output again after a restart',
  },
  STA_CURSOR_SET_ASIDE: {
    code: 'STA_CURSOR_WARNING',
    en: 'the SensorThings read positions {file} could not be read and were set aside as {copy}: reading starts again as configured',
  },
  STA_QUEUE_FULL: {
    code: 'STA_QUEUE_FULL',
    en: 'the outgoing queue holds {queued} observations and takes at most {max}: the {count} of this pack were refused and none of them is stored (is the server down?)',
  },
  STA_OBSERVATION_REFUSED: {
    code: 'STA_ROW',
    en: 'the observation of "{name}" at {phenomenonTime} was refused by the server: {serverMessage}',
  },
  STA_OBSERVATION_FAILED: {
    code: 'STA_ROW',
    en: 'the observation of "{name}" at {phenomenonTime} cannot be stored: {cause}',
  },
  STA_NOT_SERVICE_ROOT: {
    code: 'STA_ANSWER',
    en: '{url} answers, but not as a SensorThings service root (no list of entity sets)',
  },
} as const satisfies MessageTable;

export type StaClientMessageId = keyof typeof STA_CLIENT_MESSAGES;

/** What a SensorThingsServerError says about the request that failed, beyond its sentence. */
export interface SensorThingsServerErrorDetails {
  /** The HTTP status of the answer, when there was one. */
  status?: number;
  /** The server's own message (`{"code":400,"type":"error","message":"…"}`), when it gave one. */
  serverMessage?: string;
  /** What was asked: `Things`, `Datastreams(7)`, `CreateObservations`. */
  entity?: string;
  /** The URL asked (no credentials: they are never in a URL here). */
  url?: string;
  /** Whether trying again later may succeed (server down, 5xx, timeout), or only a change would (4xx). */
  retryable?: boolean;
  /**
   * The request was sent whole and no answer came (a timeout or a cut connection after
   * the body went out): the server may have stored it. Check before sending it again.
   */
  outcomeUnknown?: boolean;
}

/** An error of a SensorThings server or of the way it was asked. */
export class SensorThingsServerError extends SenfedError {
  readonly status?: number;
  readonly serverMessage?: string;
  readonly entity?: string;
  readonly url?: string;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;

  constructor(
    messageId: StaClientMessageId,
    params: SentenceParams = {},
    details: SensorThingsServerErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, STA_CLIENT_MESSAGES[messageId], params, options);
    this.name = 'SensorThingsServerError';
    if (details.status !== undefined) this.status = details.status;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.entity !== undefined) this.entity = details.entity;
    if (details.url !== undefined) this.url = details.url;
    this.retryable = details.retryable ?? false;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  /**
   * The server does not know an entity the request named: a 404, or FROST's 400
   * "No such entity 'Thing' with id 7" for a link to an entity that is gone.
   */
  get gone(): boolean {
    return (
      this.status === 404 ||
      (this.status === 400 && /no such entity/i.test(this.serverMessage ?? ''))
    );
  }
}
