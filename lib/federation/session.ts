import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import tls = require('node:tls');
import type { Element } from 'ltx';
import { type Sentence, isSentence } from '../errors';
import { Backoff } from '../backoff';
import {
  type ComposedSentence,
  FederationBaseError,
  type FederationMessageId,
  type MessageArgs,
  type MessageIdOf,
  federationSentence,
} from './errors';
import { FEDERATION_MESSAGES } from './messages';
import { trustCaForSocket } from './tls-trust';
import { type Authenticator, type XmppClient, xmppClientModule } from './xmpp-client';

export interface AccountOptions {
  /** Bare or full JID, e.g. "alice@sen1.test" or "alice@sen1.test/node-red". */
  jid: string;
  password: string;
  /** Server host name or address; default: found from the JID's domain (DNS SRV, then A). */
  host?: string;
  /** Client port, default 5222. */
  port?: number;
  /** PEM file of a CA to trust besides the system roots (a private federation). */
  caFile?: string;
  /** Resource; default: one the server assigns. */
  resource?: string;
  /** How long the whole login may take, default LOGIN_DEADLINE_MS. */
  loginDeadlineMs?: number;
}

export type SessionState = 'connecting' | 'online' | 'offline' | 'error';

export interface StateChange {
  state: SessionState;
  /** Why the session is in error or offline, in English words for a status line. */
  reason?: string;
  /** The same reason as a sentence of the library, to say it in another language. */
  reasonSentence?: Sentence;
  /** Milliseconds until the next attempt, when one is scheduled. */
  retryInMs?: number;
}

/**
 * Answers one incoming iq request (see XmppSession.answerIq): the complete reply iq,
 * of type result or error (e.g. adhoc.commandResultIq, adhoc.commandErrorIq), or
 * undefined to leave the request to the next responder.
 */
export type IqResponder = (stanza: Element) => Element | undefined | Promise<Element | undefined>;

/**
 * - XMPP_OFFLINE: not connected, or the connection went (a reply can no longer come).
 * - XMPP_AUTH: the server refused the user or the password.
 * - XMPP_TLS: no encryption, or a certificate that is not trusted.
 * - XMPP_CONFIG: the account's settings cannot work (no JID, no password, no CA file).
 * - XMPP_LOGIN_TIMEOUT: the server did not finish the login in time.
 * - XMPP_MALFORMED: the server sent what XMPP forbids (malformed XML, a DTD).
 */
export type SessionErrorCode =
  | 'XMPP_OFFLINE'
  | 'XMPP_AUTH'
  | 'XMPP_TLS'
  | 'XMPP_CONFIG'
  | 'XMPP_LOGIN_TIMEOUT'
  | 'XMPP_MALFORMED';

export class SessionError extends FederationBaseError {
  declare readonly code: SessionErrorCode;

  constructor(
    ...[messageId, params, options]: MessageArgs<MessageIdOf<SessionErrorCode>, { cause?: unknown }>
  ) {
    super(messageId, params, options);
    this.name = 'SessionError';
  }
}

/** A plain copy of what an error says, for a state change (no stack, no socket). */
function sentenceOf(err: ComposedSentence): ComposedSentence {
  const said = {
    code: err.code,
    messageId: err.messageId,
    params: err.params,
    message: err.message,
  };
  return err.parts === undefined ? said : { ...said, parts: err.parts };
}

const LOGIN_STEP_TIMEOUT_MS = 10_000;
/**
 * The whole login (stream, TLS, SASL, bind): the library times only some of its
 * steps, and a server that opens the stream and then says nothing would leave
 * the session connecting, and its stop() waiting, for ever.
 */
export const LOGIN_DEADLINE_MS = 30_000;

/** The status reason when the account has no password (what to do is the application's to say). */
export const NO_PASSWORD_REASON: string = FEDERATION_MESSAGES.SESSION_NO_PASSWORD.en;

/** The status reason when a server would have the account log in without encryption. */
export const NO_TLS_REASON: string = FEDERATION_MESSAGES.SESSION_NO_TLS.en;

/** The wait before the next attempt to connect, as a sentence. */
export function nextAttemptSentence(retryInMs: number): Sentence {
  return federationSentence('SESSION_NEXT_ATTEMPT', { seconds: Math.round(retryInMs / 1000) });
}

/** Close the ways a broken or hostile server could end the process through @xmpp/client 0.14. */
function guardClient(client: XmppClient): void {
  guardParser(client);
  guardStart(client);
  guardPlaintext(client);
}

/** Stream headers, STARTTLS and the stream's end: all a client may write before TLS (RFC 6120 §5.3). */
function allowedBeforeTls(text: string): boolean {
  return (
    text.startsWith("<?xml version='1.0'?><stream:stream ") ||
    text === '<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>' ||
    text === '</stream:stream>' ||
    text.startsWith('<stream:error>')
  );
}

/**
 * Nothing but the stream's own framing and the STARTTLS request leaves on a
 * stream that is not TLS with a verified certificate: no SASL exchange (the
 * username, and a SCRAM proof from which the password can be found offline), no
 * resource, no stanza. The authenticator refuses first (with the reason); this is
 * the wall behind it, whatever path a server's features lead the library down.
 */
function guardPlaintext(client: XmppClient): void {
  const write = client.write;
  client.write = async function guardedWrite(this: XmppClient, text: string): Promise<void> {
    if (!isVerifiedTls(this.socket) && !allowedBeforeTls(text))
      throw new SessionError('SESSION_NO_TLS');
    return write.call(this, text);
  };
}

/**
 * @xmpp/client 0.14's start() makes a promise of 'online' (rejected on 'error')
 * before it opens the stream, and leaves it unawaited when the opening fails: an
 * error while opening (a reset connection, a malformed stream header) then
 * rejects it unhandled, and Node ends the process. The same three steps here,
 * with that promise always handled; what start() reports is unchanged.
 */
function guardStart(client: XmppClient): void {
  client.start = async function guardedStart(this: XmppClient): Promise<unknown> {
    if (this.status !== 'offline') throw new SessionError('SESSION_NOT_OFFLINE');
    const { service, domain, lang } = this.options;
    await this.connect(service);
    const online = new Promise<unknown>((resolve, reject) => {
      const settle = (): void => {
        this.off('online', onOnline);
        this.off('error', onError);
      };
      const onOnline = (value: unknown): void => {
        settle();
        resolve(value);
      };
      const onError = (err: unknown): void => {
        settle();
        reject(err);
      };
      this.on('online', onOnline);
      this.on('error', onError);
    });
    online.catch(() => undefined); // if the opening fails, that failure is what start() reports
    await this.open({ domain, lang });
    return online;
  };
}

/**
 * @xmpp/client 0.14 feeds socket data to the XML parser inside the socket's
 * 'data' handler without a try: what the parser throws (an undefined entity
 * such as `&x;` from a broken or hostile server) is an uncaught exception, which
 * ends Node-RED. And its parser skips a document type declaration without a
 * word, swallowing the stream behind it until a timeout. Both become the parser
 * 'error' the client already handles (a bad-format stream error, then a
 * disconnection): an XML stream must not hold a DTD (RFC 6120 §11.1).
 */
function guardParser(client: XmppClient): void {
  const onData = client._onData;
  // A "<" near the end of the previous chunk, in case a declaration is split between two.
  let tail: Buffer | undefined;
  client._onData = function guardedOnData(this: XmppClient, data: Buffer): void {
    // After a parser error the client detaches the parser and closes: the rest is noise.
    if (!this.parser) return;
    try {
      const edge = tail && Buffer.concat([tail, data.subarray(0, DTD_MARKERS_LONGEST)]);
      const lastOpen = data.lastIndexOf('<');
      tail =
        lastOpen !== -1 && lastOpen > data.length - DTD_MARKERS_LONGEST
          ? Buffer.from(data.subarray(lastOpen))
          : undefined;
      if (holdsDtd(data) || (edge !== undefined && holdsDtd(edge)))
        throw new SessionError('SESSION_DTD');
      onData.call(this, data);
    } catch (err) {
      this.parser?.emit(
        'error',
        err instanceof Error
          ? err
          : new SessionError('SESSION_MALFORMED_XML', { detail: String(err) }),
      );
    }
  };
}

const DTD_MARKERS = [Buffer.from('<!DOCTYPE'), Buffer.from('<!ENTITY')];
const DTD_MARKERS_LONGEST = Math.max(...DTD_MARKERS.map((marker) => marker.length));

function holdsDtd(data: Buffer): boolean {
  // Outside markup, "<" is always escaped: "<!" can only start a comment, CDATA or a declaration.
  for (let at = data.indexOf('<!'); at !== -1; at = data.indexOf('<!', at + 2)) {
    for (const marker of DTD_MARKERS) {
      // A marker cut off by the end of the chunk is the next chunk's edge check's to find.
      if (
        at + marker.length <= data.length &&
        data.compare(marker, 0, marker.length, at, at + marker.length) === 0
      )
        return true;
    }
  }
  return false;
}

/** No reply to an iq in time (code XMPP_TIMEOUT). Named as @xmpp/client names its own, which callers recognise. */
export class IqTimeoutError extends FederationBaseError {
  declare readonly code: 'XMPP_TIMEOUT';

  constructor(...[messageId, params]: MessageArgs<MessageIdOf<'XMPP_TIMEOUT'>, never>) {
    super(messageId, params);
    this.name = 'TimeoutError';
  }
}

function splitJid(jid: string): { local: string; domain: string; resource?: string } {
  const match = /^([^@/]+)@([^@/]+)(?:\/(.+))?$/.exec(jid.trim());
  if (!match) throw new SessionError('SESSION_JID_INVALID', { jid });
  return { local: match[1], domain: match[2].toLowerCase(), resource: match[3] };
}

/** SASL failures are not worth retrying every second: the password will not fix itself. */
function isAuthFailure(err: unknown): boolean {
  const e = err as { name?: string; condition?: string };
  return e?.name === 'SASLError' || e?.condition === 'not-authorized';
}

/** Certificate problems need a person too (a CA file, a renewed certificate). */
function isCertificateFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ISSUER/.test(code);
}

/** Node's codes of the certificate checks people meet most, and what each means. */
type CertificateFailureId =
  | 'SESSION_CERT_SELF_SIGNED'
  | 'SESSION_CERT_UNTRUSTED_CA'
  | 'SESSION_CERT_UNKNOWN_ISSUER'
  | 'SESSION_CERT_EXPIRED'
  | 'SESSION_CERT_NOT_YET_VALID'
  | 'SESSION_CERT_WRONG_NAME';
const CERTIFICATE_FAILURES: Readonly<Record<string, CertificateFailureId>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'SESSION_CERT_SELF_SIGNED',
  SELF_SIGNED_CERT_IN_CHAIN: 'SESSION_CERT_UNTRUSTED_CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'SESSION_CERT_UNKNOWN_ISSUER',
  UNABLE_TO_GET_ISSUER_CERT: 'SESSION_CERT_UNKNOWN_ISSUER',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'SESSION_CERT_UNKNOWN_ISSUER',
  CERT_HAS_EXPIRED: 'SESSION_CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'SESSION_CERT_NOT_YET_VALID',
  ERR_TLS_CERT_ALTNAME_INVALID: 'SESSION_CERT_WRONG_NAME',
};

function certificateFailure(code: string, message: string | undefined, server: string): Sentence {
  const known = Object.prototype.hasOwnProperty.call(CERTIFICATE_FAILURES, code)
    ? CERTIFICATE_FAILURES[code]
    : undefined;
  if (known !== undefined) return federationSentence(known, { server, tlsCode: code });
  return federationSentence('SESSION_CERT_OTHER', {
    detail: message ? `${code}: ${message}` : code,
  });
}

/** After STARTTLS, @xmpp/client holds its own wrapper around the TLSSocket: the socket inside it. */
function innerSocket(socket: unknown): unknown {
  return (socket as { socket?: unknown } | undefined)?.socket;
}

/** Is the client's socket encrypted with a verified certificate? */
function isVerifiedTls(socket: unknown): boolean {
  const inner = socket instanceof tls.TLSSocket ? socket : innerSocket(socket);
  return inner instanceof tls.TLSSocket && inner.authorized;
}

/**
 * client.start(), or a failure once `ms` have passed or `abort` is called; then the
 * connection is cut (client.stop() would wait for the very exchange that hangs).
 */
interface Login {
  started: Promise<unknown>;
  abort(why: SessionError): void;
}

function loginWithin(client: XmppClient, ms: number): Login {
  let timer: NodeJS.Timeout | undefined;
  let abort: (why: SessionError) => void = () => undefined;
  const cut = new Promise<never>((_resolve, reject) => {
    abort = (why) => {
      clearTimeout(timer);
      reject(why);
      destroySocket(client.socket);
    };
    timer = setTimeout(
      () => abort(new SessionError('SESSION_LOGIN_TIMEOUT', { seconds: Math.round(ms / 1000) })),
      ms,
    );
  });
  const started = client.start();
  started.catch(() => undefined); // once cut, its own failure is no longer news
  return { started: Promise.race([started, cut]).finally(() => clearTimeout(timer)), abort };
}

function destroySocket(socket: unknown): void {
  for (const s of [socket, innerSocket(socket)] as ({ destroy?: () => void } | undefined)[])
    s?.destroy?.();
}

/** A server that would have the account authenticate, or bind, in clear text. */
function isPlaintextRefusal(err: unknown): boolean {
  return err instanceof SessionError && err.code === 'XMPP_TLS';
}

/** Why a login or a connection failed, said for a status line; `server` is the domain the session logs in to. */
function describeError(err: unknown, server: string): Sentence {
  const e = err as { condition?: string; code?: string; message?: string };
  // The session's own refusals (no TLS, a DTD, a login cut at its deadline) say it already.
  if (err instanceof SessionError) return sentenceOf(err);
  if (isAuthFailure(err)) return federationSentence('SESSION_AUTH_FAILED');
  if (e?.code === 'ECONNREFUSED') return federationSentence('SESSION_CONNECTION_REFUSED');
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN')
    return federationSentence('SESSION_SERVER_NOT_FOUND');
  if (e?.code === 'ETIMEDOUT' || e?.code === 'EHOSTUNREACH' || e?.code === 'ENETUNREACH')
    return federationSentence('SESSION_SERVER_UNREACHABLE', { detail: e.code });
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE')
    return federationSentence('SESSION_CONNECTION_RESET');
  if (isCertificateFailure(err)) return certificateFailure(String(e.code), e.message, server);
  // The client's own timeouts carry no message.
  if ((err as Error)?.name === 'TimeoutError' && !e.message)
    return federationSentence('SESSION_NO_ANSWER');
  if (
    (err as Error)?.name === 'XMLError' ||
    /XML entity|not-well-formed|must be a child/i.test(e?.message ?? '')
  )
    return federationSentence('SESSION_MALFORMED_XML', { detail: String(e.message) });
  if (isSentence(err)) return sentenceOf(err);
  if (e?.condition) return federationSentence('SESSION_STREAM_ERROR', { condition: e.condition });
  return federationSentence('SESSION_CONNECTION_FAILED', { detail: e?.message || String(err) });
}

/** The words of each state, for a reason when there is no other. */
const STATE_WORDS = {
  connecting: 'SESSION_STATE_CONNECTING',
  online: 'SESSION_STATE_ONLINE',
  offline: 'SESSION_STATE_OFFLINE',
  error: 'SESSION_STATE_ERROR',
} as const satisfies Record<SessionState, FederationMessageId>;

function stateChange(state: SessionState, why?: Sentence, retryInMs?: number): StateChange {
  const change: StateChange = { state };
  if (why) {
    change.reason = why.message;
    change.reasonSentence = why;
  }
  if (retryInMs !== undefined) change.retryInMs = retryInMs;
  return change;
}

/**
 * What the iqCallee of @xmpp/client wants back from a handler: an element to put in a
 * result, an `<error>` element for an error, or any other truthy value for an empty result.
 */
function replyPayload(reply: Element): Element | object {
  const type = reply.attrs?.type;
  const children = (reply.children as unknown[]).filter(
    (child): child is Element =>
      typeof child === 'object' && child !== null && typeof (child as Element).name === 'string',
  );
  if (reply.name === 'iq' && type === 'error') {
    const error = children.find((child) => child.name === 'error');
    if (error) return error;
    throw new SessionError('SESSION_ERROR_REPLY_EMPTY');
  }
  if (reply.name === 'iq' && type === 'result') return children[0] ?? {};
  throw new SessionError('SESSION_REPLY_NOT_IQ', { element: reply.name, type: String(type) });
}

/**
 * One XMPP session of an account, shared by every node that uses the account.
 *
 * It reconnects on its own with exponential backoff and jitter (the client
 * library's own reconnect, a fixed one-second loop, is switched off), a fresh
 * client for each attempt. It never throws from a network event: a server that
 * disappears, refuses the password or sends garbage moves it to 'offline' or
 * 'error' and schedules the next attempt. Each 'state' says why (`reason` in
 * English, `reasonSentence` to say it in another language); 'offline' gives the
 * same two, the English reason first.
 */
export class XmppSession extends EventEmitter {
  readonly bareJid: string;
  #options: AccountOptions;
  #backoff: Backoff;
  #client: XmppClient | undefined;
  #wanted = false;
  #timer: NodeJS.Timeout | undefined;
  #state: StateChange = { state: 'offline' };
  #ca: string | undefined;
  /** The login under way, and how to cut it. */
  #login: Login | undefined;
  /** Responders by "type namespace name", in the order they were added. */
  #responders = new Map<
    string,
    { type: 'get' | 'set'; ns: string; name: string; list: IqResponder[] }
  >();
  /** The responder keys already routed on each client (a route cannot be removed from xmpp.js). */
  #routed = new WeakMap<XmppClient, Set<string>>();

  constructor(
    options: AccountOptions,
    backoff: Backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 }),
  ) {
    super();
    // Every node of the account and every pending iq listens here.
    this.setMaxListeners(0);
    const { local, domain } = splitJid(options.jid);
    this.bareJid = `${local}@${domain}`;
    this.#options = options;
    this.#backoff = backoff;
  }

  get state(): StateChange {
    return this.#state;
  }

  get online(): boolean {
    return this.#state.state === 'online';
  }

  /** The full JID once online. */
  get jid(): string | undefined {
    return this.#client?.jid?.toString();
  }

  start(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    if (!this.#options.password) {
      // Nothing to retry until someone gives the account a password.
      this.#setState(stateChange('error', federationSentence('SESSION_NO_PASSWORD')));
      return;
    }
    if (this.#options.caFile) {
      try {
        this.#ca = readFileSync(this.#options.caFile, 'utf8');
      } catch (err) {
        this.#setState(
          stateChange(
            'error',
            federationSentence('SESSION_CA_FILE_UNREADABLE', {
              file: this.#options.caFile,
              cause: (err as Error).message,
            }),
          ),
        );
        return;
      }
    }
    void this.#attempt();
  }

  async stop(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#timer);
    const wasOnline = this.online;
    const stopped = federationSentence('SESSION_STOPPED');
    this.#setState(stateChange('offline', stopped));
    if (wasOnline) this.emit('offline', stopped.message, stopped);
    await this.#dropClient();
  }

  /** Resolves once online; rejects after `timeoutMs`. */
  waitOnline(timeoutMs = 30_000): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('online', onOnline);
        reject(
          new SessionError('SESSION_NOT_ONLINE_AFTER', {
            jid: this.bareJid,
            timeoutMs,
            cause: this.#why(),
          }),
        );
      }, timeoutMs);
      const onOnline = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('online', onOnline);
    });
  }

  async send(stanza: Element): Promise<void> {
    const client = this.#requireOnline();
    await client.send(stanza);
  }

  /** Send an iq get/set and wait for its result; an error reply rejects with the stanza error. */
  async iq(stanza: Element, timeoutMs = 15_000): Promise<Element> {
    const client = this.#requireOnline();
    // Not iqCaller.request(): it rejects the reply's promise before anything awaits
    // it when the reply (an error) comes back while the request is still being
    // written, and Node ends the process on such an unhandled rejection; with many
    // iqs in flight that happens. The reply is taken from the same table instead,
    // settling a promise that is already listened to.
    const replies = client.iqCaller.handlers;
    stanza.attrs.id ||= randomUUID();
    const id = String(stanza.attrs.id);
    return new Promise<Element>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        replies.delete(id);
        this.off('offline', onOffline);
      };
      // A reply can no longer come once the connection is gone: fail then, not at the timeout.
      const onOffline = (_reason: string, why: Sentence): void => {
        finish();
        reject(new SessionError('SESSION_LOST_BEFORE_REPLY', { jid: this.bareJid, cause: why }));
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new IqTimeoutError('SESSION_IQ_TIMEOUT', {
            to: String(stanza.attrs.to ?? this.bareJid),
            timeoutMs,
          }),
        );
      }, timeoutMs);
      this.once('offline', onOffline);
      replies.set(id, {
        resolve: (reply: Element) => {
          finish();
          resolve(reply);
        },
        reject: (err: unknown) => {
          finish();
          reject(err);
        },
      });
      client.send(stanza).catch((err: unknown) => {
        finish();
        reject(err);
      });
    });
  }

  /**
   * Answer incoming iq requests yourself: `<iq type="get|set">` whose one child is
   * `<name xmlns="ns">`, e.g. ('set', 'http://jabber.org/protocol/commands', 'command').
   *
   * Why this exists: @xmpp/client answers every iq request that no handler of its own
   * claims with service-unavailable (its iqCallee). The 'stanza' event still sees such
   * a request, but cannot hold that answer back, so a provider listening there would
   * answer second. A responder registered here is routed through the iqCallee instead.
   *
   * - The responder gets the whole request and returns the complete reply iq, of type
   *   result or error. Only its payload is used: the iqCallee addresses the reply
   *   itself (to the request's from, with its id) and puts in it the result's first
   *   child, or the error's `<error>` after the request's own payload (RFC 6120 §8.3.1
   *   allows echoing it).
   * - It may take its time (return a promise): other stanzas keep flowing meanwhile.
   * - Undefined passes the request to the next responder for the same payload, in the
   *   order they were added; when none answers, service-unavailable goes out. A
   *   responder that throws gets internal-server-error sent and 'clientError' emitted.
   * - Registered on the current client and on every client built later (one per
   *   connection attempt). The returned function removes the responder.
   */
  answerIq(type: 'get' | 'set', ns: string, name: string, responder: IqResponder): () => void {
    const key = `${type} ${ns} ${name}`;
    let entry = this.#responders.get(key);
    if (!entry) {
      entry = { type, ns, name, list: [] };
      this.#responders.set(key, entry);
    }
    entry.list.push(responder);
    if (this.#client) this.#route(this.#client, key);
    return () => {
      const list = this.#responders.get(key)?.list;
      const index = list?.indexOf(responder) ?? -1;
      if (list && index >= 0) list.splice(index, 1);
    };
  }

  /** Route one responder key through a client's iqCallee, once per client. */
  #route(client: XmppClient, key: string): void {
    let routed = this.#routed.get(client);
    if (!routed) this.#routed.set(client, (routed = new Set()));
    const entry = this.#responders.get(key);
    if (!entry || routed.has(key)) return;
    routed.add(key);
    client.iqCallee[entry.type](entry.ns, entry.name, async ({ stanza }) => {
      // The list is read at call time: responders added or removed later count.
      for (const responder of [...(this.#responders.get(key)?.list ?? [])]) {
        const reply = await responder(stanza);
        if (reply !== undefined) return replyPayload(reply);
      }
      return undefined; // the iqCallee answers service-unavailable
    });
  }

  #requireOnline(): XmppClient {
    if (!this.online || !this.#client)
      throw new SessionError('SESSION_NOT_CONNECTED', { jid: this.bareJid, cause: this.#why() });
    return this.#client;
  }

  /** Why the session is not online: the reason of its state, or the state itself. */
  #why(): Sentence {
    return this.#state.reasonSentence ?? federationSentence(STATE_WORDS[this.#state.state]);
  }

  #setState(change: StateChange): void {
    this.#state = change;
    this.emit('state', change);
  }

  async #attempt(): Promise<void> {
    if (!this.#wanted) return;
    await this.#dropClient();
    const { local, domain, resource } = splitJid(this.#options.jid);
    const host = this.#options.host?.trim();
    const port = this.#options.port || 5222;
    const { client: createClient, xml } = xmppClientModule();
    const password = this.#options.password;
    // RFC 6120 §13.8: SASL only over TLS. The server decides whether STARTTLS comes first;
    // when it offered none (or the upgrade did not happen), no credential goes out.
    const authenticator: Authenticator = async (authenticate, mechanisms, _fast, entity) => {
      if (!isVerifiedTls(entity.socket)) throw new SessionError('SESSION_NO_TLS');
      await authenticate(
        { username: local, password },
        mechanisms[0],
        xml('user-agent', { id: randomUUID() }),
      );
    };
    const client = createClient({
      service: host ? `xmpp://${host.includes(':') ? `[${host}]` : host}:${port}` : domain,
      domain,
      username: local,
      credentials: authenticator,
      resource: this.#options.resource || resource,
      // Each login step (TLS, SASL, bind) may take this long; the library's 2 s is
      // too short for a busy small machine, whose SCRAM alone can take over a second.
      timeout: LOGIN_STEP_TIMEOUT_MS,
    });
    client.reconnect.stop();
    guardClient(client);
    this.#client = client;
    // An EventEmitter 'error' without a listener would crash Node-RED: always listen.
    client.on('error', (err: unknown) => this.emit('clientError', err));
    client.on('status', (status: string) => {
      if (status === 'connect' && this.#ca && client.socket)
        trustCaForSocket(client.socket as object, this.#ca);
    });
    client.on('stanza', (stanza: Element) => {
      try {
        this.emit('stanza', stanza);
      } catch (err) {
        this.emit('clientError', err);
      }
    });
    for (const key of this.#responders.keys()) this.#route(client, key);
    client.on('disconnect', () => {
      if (this.#client === client && this.online)
        this.#scheduleRetry(federationSentence('SESSION_CONNECTION_LOST'), false);
    });

    this.#setState(stateChange('connecting'));
    this.#login = loginWithin(client, this.#options.loginDeadlineMs ?? LOGIN_DEADLINE_MS);
    try {
      await this.#login.started;
    } catch (err) {
      this.#login = undefined;
      if (this.#client === client)
        this.#scheduleRetry(
          describeError(err, domain),
          isAuthFailure(err) || isCertificateFailure(err) || isPlaintextRefusal(err),
        );
      return;
    }
    this.#login = undefined;
    if (this.#client !== client || !this.#wanted) return;
    if (!isVerifiedTls(client.socket)) {
      // Never exchange data with a server that offered no encryption.
      this.#scheduleRetry(federationSentence('SESSION_NO_TLS'), true);
      return;
    }
    // Initial presence (RFC 6121 §4.2): without it, messages to the bare JID go to offline storage.
    try {
      await client.send(xmppClientModule().xml('presence'));
    } catch (err) {
      this.#scheduleRetry(describeError(err, domain), false);
      return;
    }
    this.#backoff.reset();
    this.#setState(stateChange('online'));
    this.emit('online', client.jid?.toString());
  }

  #scheduleRetry(why: Sentence, slow: boolean): void {
    if (!this.#wanted) return;
    clearTimeout(this.#timer);
    const delay = slow ? Math.max(this.#backoff.next(), 30_000) : this.#backoff.next();
    this.#setState(stateChange(slow ? 'error' : 'offline', why, delay));
    this.emit('offline', why.message, why);
    this.#timer = setTimeout(() => void this.#attempt(), delay);
  }

  async #dropClient(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    client.removeAllListeners('stanza');
    client.removeAllListeners('disconnect');
    // Stopping while start() is still running crashes xmpp.js 0.14: cut the login, let it settle first.
    if (this.#login) {
      this.#login.abort(new SessionError('SESSION_STOPPED'));
      await this.#login.started.catch(() => undefined);
    }
    try {
      await client.stop();
    } catch {
      // already closed
    }
  }
}
