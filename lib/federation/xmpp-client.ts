/**
 * The parts of @xmpp/client 0.14 SenFed uses, typed here (the package ships no
 * types). It is ESM only; Node ≥ 20.19 loads it with require().
 */
import type { Element } from 'ltx';
import type { EventEmitter } from 'node:events';

export interface XmppClient extends EventEmitter {
  status: string;
  jid?: { toString(): string; bare(): { toString(): string } };
  socket?: unknown;
  options: { domain?: string; service?: string; lang?: string };
  reconnect: { stop(): void };
  iqCaller: {
    request(stanza: Element, timeout?: number): Promise<Element>;
    /** Waiting requests by iq id; the client settles the entry when the reply comes. */
    handlers: Map<string, { resolve(reply: Element): void; reject(err: unknown): void }>;
  };
  iqCallee: {
    set(
      ns: string,
      name: string,
      handler: (ctx: { stanza: Element; from: string }) => unknown,
    ): void;
    get(
      ns: string,
      name: string,
      handler: (ctx: { stanza: Element; from: string }) => unknown,
    ): void;
  };
  /** Internal: feeds socket data to `parser` (bound when the first socket is attached). */
  _onData(data: Buffer): void;
  /** Internal: the XML parser of the current stream. */
  parser?: EventEmitter;
  /** Internal steps of start(): the socket, then the stream. */
  connect(service: string | undefined): Promise<unknown>;
  open(options: { domain?: string; lang?: string }): Promise<unknown>;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: Element): Promise<void>;
  /** Internal: every byte of the stream goes through here (stream headers included). */
  write(text: string): Promise<void>;
}

/**
 * What @xmpp/client calls to authenticate when `credentials` is a function: it gets
 * the function that sends the SASL exchange, the mechanisms both sides support (most
 * preferred first), FAST (unused here) and the client.
 */
export type Authenticator = (
  authenticate: (
    credentials: { username: string; password: string },
    mechanism: string,
    userAgent?: Element,
  ) => Promise<void>,
  mechanisms: string[],
  fast: unknown,
  entity: XmppClient,
) => Promise<void>;

export interface XmppClientModule {
  client(
    options: {
      service: string;
      domain: string;
      username: string;
      resource?: string;
      timeout?: number;
    } & ({ password: string } | { credentials: Authenticator }),
  ): XmppClient;
  xml(name: string, attrs?: Record<string, string>, ...children: unknown[]): Element;
}

let loaded: XmppClientModule | undefined;

export function xmppClientModule(): XmppClientModule {
  loaded ??= require('@xmpp/client') as XmppClientModule;
  return loaded;
}
