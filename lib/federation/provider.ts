import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import type { ResolvedPack } from '../senml';
import {
  COMMANDS_NS,
  type CommandCondition,
  type CommandRequest,
  type QuoaliseCommand,
  commandErrorIq,
  commandResultIq,
  historyRequest,
  identifierRequest,
  parseCommandRequest,
} from './adhoc';
import { dataForm } from './data-form';
import {
  COMMAND_LIST_NODE,
  DISCO_INFO_NS,
  DISCO_ITEMS_NS,
  type DiscoIdentity,
  type DiscoRequest,
  discoInfoResultIq,
  discoItemsResultIq,
  parseDiscoRequest,
} from './discovery';
import type { Sentence } from '../errors';
import { element, gotParams } from './elements';
import {
  FederationBaseError,
  FederationError,
  type MessageArgs,
  type MessageIdOf,
  federationSentence,
} from './errors';
import { type Meta, QUOALISE_NS, type UpstreamError, quoaliseDataElement } from './quoalise';
import type { XmppSession } from './session';
import { type DefinedCondition, errorElement, isDefinedCondition } from './stanza-error';
import type { SubscriberRegistry } from '../store/subscriber-registry';
import { CommandDesk, answerExtraCommand, type ExtraCommand } from './command-desk';

/**
 * The provider side of Quoalise's ad-hoc commands (XEP-0050): receives
 * `get_history`, `subscribe` and `unsubscribe` sent to the session's full JID,
 * checks them, and hands each one to its owner (a flow) as a 'request' event
 * holding a ProviderRequest, which the owner answers with data (`reply`) or an
 * XMPP error (`fail`).
 *
 * What it answers by itself:
 * - malformed commands (no identifier, a time without a UTC offset, start after
 *   end, a form of unknown shape): bad-request with XEP-0050's bad-payload and a
 *   text saying what was wrong; an unknown command node: item-not-found;
 * - a request nobody answers within `replyTimeoutMs` (default 30 s):
 *   service-unavailable, with a text saying the provider did not answer in time.
 *   Quoalise requesters know service-unavailable ("try later"); the timeout is kept
 *   shorter than a requester's usual wait (SenFed's request waits 60 s) so the
 *   requester learns why instead of timing out blind;
 * - requests that arrive while nobody listens for 'request', and those still
 *   pending when the provider closes: service-unavailable;
 * - with `handleSubscriptions` (the default), subscribe and unsubscribe from any
 *   requester: the requester's JID is recorded in (or removed from) the durable
 *   registry, the command is answered once that is on disk, and the request is
 *   still handed to the owner, already answered (`answeredBy === 'provider'`),
 *   for its records. Without it, the owner decides (consent): a subscription it
 *   accepts with `reply` is recorded in the registry (when one is given) before
 *   the requester is told, one it refuses with `fail` is not;
 * - a command without a form (a generic XEP-0050 client executing the command
 *   from a menu): the form to fill in (status executing, §3.4); its submission
 *   is then handled as a one-stage request. `cancel`: status canceled;
 * - service discovery (XEP-0030 / XEP-0050 §2): disco#info lists the commands
 *   feature, disco#items on node http://jabber.org/protocol/commands lists the
 *   three commands, disco#info on a command node describes it.
 *
 * One provider per session (its commands are the session's): a second one
 * throws PROVIDER_BUSY until the first is closed.
 */
export const PROVIDED_COMMANDS: readonly QuoaliseCommand[] = [
  'get_history',
  'subscribe',
  'unsubscribe',
];

const COMMAND_NAMES: Record<QuoaliseCommand, string> = {
  get_history: 'Get history',
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
};
const DEFAULT_REPLY_TIMEOUT_MS = 30_000;

export type ProviderErrorCode =
  'PROVIDER_BUSY' | 'PROVIDER_ANSWERED' | 'PROVIDER_INPUT' | 'PROVIDER_OPTIONS' | 'PROVIDER_RECORD';

export class ProviderError extends FederationBaseError {
  declare readonly code: ProviderErrorCode;

  constructor(
    ...[messageId, params, options]: MessageArgs<
      MessageIdOf<ProviderErrorCode>,
      { cause?: unknown }
    >
  ) {
    super(messageId, params, options);
    this.name = 'ProviderError';
  }
}

/** What the provider tells a requester it refuses: the text of the stanza error goes out in English, the sentence stays here. */
export interface Refusal {
  from?: string;
  condition: DefinedCondition;
  /** The text sent to the requester. */
  reason: string;
  /** The same, as a sentence of the library, to say it in another language. */
  reasonSentence: Sentence;
}

const NOT_RECORDED = federationSentence('PROVIDER_TOLD_NOT_RECORDED');
const STOPPED = federationSentence('PROVIDER_TOLD_STOPPED');

/** A request as the gate sees it: who asks, for what. */
export interface GateRequest {
  command: QuoaliseCommand;
  /** The requester's full JID. */
  from: string;
  identifier: string;
  start?: string;
  end?: string;
}

/**
 * Who may ask and what of an answer may go: the consent check (lib/consent's
 * ConsentGate), kept out of the XMPP code. `admit` resolves undefined to let a
 * get_history or subscribe through, or the reason to refuse it (not-authorized,
 * as the Quoalise reference proxy answers); unsubscribe is always admitted.
 * `release` gives what of the owner's answer may go to that requester, and the
 * meta to send with it.
 */
export interface ProviderGate {
  admit(request: GateRequest): Promise<Sentence | undefined>;
  release(
    request: GateRequest,
    pack: ResolvedPack,
    meta: Meta | undefined,
  ): Promise<{ pack: ResolvedPack; meta?: Meta }>;
}

export type { ExtraCommand } from './command-desk';

export interface ProviderOptions {
  /** Consent: who may ask, and what of each answer goes (see ProviderGate). */
  gate?: ProviderGate;
  /**
   * Commands answered here besides get_history, subscribe and unsubscribe, by
   * command node. Those other parts add to the session's CommandDesk are answered too.
   */
  commands?: Readonly<Record<string, ExtraCommand>>;
  /**
   * Record subscribe/unsubscribe from anyone in `registry` and answer them at once
   * (default true). Off: they go to the owner, and those it accepts are recorded.
   */
  handleSubscriptions?: boolean;
  /** Where subscribers are kept; required when handleSubscriptions is on, optional when off. */
  registry?: SubscriberRegistry;
  /** How long the owner has to answer a request, in ms (default 30 000). */
  replyTimeoutMs?: number;
  /** The name disco#info shows for this provider (default "SenFed provider"). */
  name?: string;
}

/** How a request was answered: by the owner, by the provider itself (subscriptions), or not in time, or at close. */
export type AnsweredBy = 'owner' | 'provider' | 'timeout' | 'closed';

/** The answer to give, in plain data (what the owner decided). */
export interface FailureOptions {
  text?: string;
  upstream?: UpstreamError;
}

/** Requests waiting for their answer, in the whole process, by id: a reply node finds them here. */
const pending = new Map<string, ProviderRequest>();

/** The pending request with this id, if it is still waiting for its answer. */
export function findRequest(id: unknown): ProviderRequest | undefined {
  return typeof id === 'string' ? pending.get(id) : undefined;
}

/**
 * One command received, with the handle to answer it. The answer goes out once:
 * a second `reply` or `fail`, or one after the timeout, throws PROVIDER_ANSWERED.
 */
export class ProviderRequest {
  /** Random id, unique in the process, to find the request again (findRequest). */
  readonly id = randomUUID();
  readonly receivedAt = new Date();
  /** The requester's full JID. */
  readonly from: string;
  readonly command: QuoaliseCommand;
  readonly identifier: string;
  /** get_history: the period asked for, ISO 8601 with the requester's UTC offset (a Z is written +00:00). */
  readonly start?: string;
  readonly end?: string;
  /** The submitted form's fields, as received. */
  readonly fields: Record<string, string | string[]>;
  #request: CommandRequest;
  #settle: (reply: Element) => void;
  #record: (() => Promise<void>) | undefined;
  #release: ProviderGate['release'] | undefined;
  #answeredBy: AnsweredBy | undefined;
  #timer: NodeJS.Timeout | undefined;

  /**
   * @internal built by Provider; `record`, when given, is what must be on disk
   * before the owner's `reply` goes out (a subscription the owner accepts).
   */
  constructor(
    request: CommandRequest,
    from: string,
    fields: { identifier: string; start?: string; end?: string },
    settle: (reply: Element) => void,
    record?: () => Promise<void>,
    release?: ProviderGate['release'],
  ) {
    this.#request = request;
    this.#release = release;
    this.#settle = settle;
    this.#record = record;
    this.from = from;
    this.command = request.node as QuoaliseCommand;
    this.identifier = fields.identifier;
    if (fields.start !== undefined) this.start = fields.start;
    if (fields.end !== undefined) this.end = fields.end;
    this.fields = request.fields;
  }

  get answered(): boolean {
    return this.#answeredBy !== undefined;
  }

  get answeredBy(): AnsweredBy | undefined {
    return this.#answeredBy;
  }

  /**
   * Answer with data: status completed, the resolved pack and meta inside
   * `<quoalise><data>`, after a result form like the Quoalise reference's. For
   * get_history the data is always there (an empty pack when nothing is given: no
   * readings in the period); for subscribe and unsubscribe only when a non-empty
   * pack is given. Throws a FederationError when the pack or meta cannot be
   * written (the request then stays pending).
   *
   * Resolves once the answer is sent. A subscribe or unsubscribe that the
   * provider records for the owner (handleSubscriptions off, with a registry) is
   * answered only once the change is on disk; when it cannot be recorded, the
   * requester is told internal-server-error and the promise rejects with a
   * ProviderError PROVIDER_RECORD: await it.
   */
  reply(pack?: ResolvedPack, meta?: Meta): Promise<void> {
    this.#checkOpen();
    const release = this.#release;
    if (!release || !pack || pack.length === 0) return this.#replyWith(pack, meta);
    // Consent decides what of the answer goes: answered from now on, sent once released.
    this.#claim('owner');
    this.#release = undefined;
    const gateRequest: GateRequest = {
      command: this.command,
      from: this.from,
      identifier: this.identifier,
    };
    if (this.start !== undefined) gateRequest.start = this.start;
    if (this.end !== undefined) gateRequest.end = this.end;
    return release(gateRequest, pack, meta).then(
      (released) => {
        try {
          return this.#replyWith(released.pack, released.meta);
        } catch (err) {
          this.#settle(commandErrorIq(this.#request, 'internal-server-error'));
          throw err;
        }
      },
      (err: unknown) => {
        this.#settle(commandErrorIq(this.#request, 'internal-server-error'));
        throw err;
      },
    );
  }

  #replyWith(pack: ResolvedPack | undefined, meta: Meta | undefined): Promise<void> {
    const withData = this.command === 'get_history' || (pack !== undefined && pack.length > 0);
    const data = withData ? quoaliseDataElement(pack ?? [], meta) : undefined;
    const completed = completedIq(this.#request, this.identifier, data);
    const record = this.#record;
    if (!record) {
      this.#answer('owner', completed);
      return Promise.resolve();
    }
    // Answered from now on (no timeout, no second answer), sent once recorded.
    this.#claim('owner');
    return record().then(
      () => this.#settle(completed),
      (err: unknown) => {
        this.#settle(
          commandErrorIq(this.#request, 'internal-server-error', { text: NOT_RECORDED.message }),
        );
        throw err;
      },
    );
  }

  /**
   * Answer with an XMPP error: not-authorized, bad-request, service-unavailable,
   * item-not-found, or undefined-condition with an upstream error (Quoalise's
   * own), or any other condition of RFC 6120 §8.3.3.
   */
  fail(condition: DefinedCondition, options: FailureOptions = {}): void {
    this.#checkOpen();
    if (!isDefinedCondition(condition))
      throw new ProviderError('PROVIDER_CONDITION_UNKNOWN', gotParams(condition));
    this.#answer(
      'owner',
      commandErrorIq(this.#request, condition, { text: options.text, upstream: options.upstream }),
    );
  }

  /** @internal the provider answers (subscriptions, timeout, close) */
  answerAs(by: AnsweredBy, reply: Element): void {
    if (this.answered) return;
    this.#answer(by, reply);
  }

  /** @internal the provider answers with an error */
  failAs(by: AnsweredBy, condition: DefinedCondition, text?: string): void {
    this.answerAs(by, commandErrorIq(this.#request, condition, { text }));
  }

  /** @internal */
  startTimer(ms: number, onTimeout: () => void): void {
    pending.set(this.id, this);
    this.#timer = setTimeout(onTimeout, ms);
    this.#timer.unref?.();
  }

  #checkOpen(): void {
    if (this.#answeredBy === undefined) return;
    const why = (
      {
        owner: 'PROVIDER_ANSWERED_ALREADY',
        provider: 'PROVIDER_ANSWERED_ITSELF',
        timeout: 'PROVIDER_ANSWERED_TIMEOUT',
        closed: 'PROVIDER_ANSWERED_CLOSED',
      } as const
    )[this.#answeredBy];
    throw new ProviderError(why, { command: this.command, id: this.id, from: this.from });
  }

  #answer(by: AnsweredBy, reply: Element): void {
    this.#claim(by);
    this.#settle(reply);
  }

  #claim(by: AnsweredBy): void {
    this.#answeredBy = by;
    clearTimeout(this.#timer);
    pending.delete(this.id);
  }
}

function completedIq(
  request: CommandRequest,
  identifier: string,
  data: Element | undefined,
): Element {
  const node = request.node as QuoaliseCommand;
  const label = {
    get_history: `Get ${identifier}`,
    subscribe: `Subscribe to ${identifier}`,
    unsubscribe: `Unsubscribe from ${identifier}`,
  }[node];
  const form = dataForm(
    'result',
    { result: 'Success' },
    { title: COMMAND_NAMES[node], types: { result: 'fixed' }, labels: { result: label } },
  );
  return commandResultIq(request, { form, data });
}

/** The form a generic XEP-0050 client fills in (§3.4, first stage). */
function inputForm(node: QuoaliseCommand): Element {
  const fields: Record<string, string[]> = { identifier: [] };
  const labels: Record<string, string> = { identifier: 'Identifier' };
  if (node === 'get_history') {
    fields.start_time = [];
    fields.end_time = [];
    labels.start_time = 'Start time (ISO 8601 with offset)';
    labels.end_time = 'End time (ISO 8601 with offset)';
  }
  const types = Object.fromEntries(
    Object.keys(fields).map((name) => [name, 'text-single' as const]),
  );
  return dataForm('form', fields, { title: COMMAND_NAMES[node], types, labels });
}

const providers = new WeakMap<XmppSession, Provider>();

export class Provider extends EventEmitter {
  readonly session: XmppSession;
  readonly handleSubscriptions: boolean;
  readonly registry: SubscriberRegistry | undefined;
  readonly replyTimeoutMs: number;
  readonly name: string;
  readonly gate: ProviderGate | undefined;
  readonly #desk: CommandDesk;
  #unregister: (() => void)[] = [];
  #requests = new Set<ProviderRequest>();
  #closed = false;

  constructor(session: XmppSession, options: ProviderOptions = {}) {
    super();
    this.handleSubscriptions = options.handleSubscriptions !== false;
    if (this.handleSubscriptions && !options.registry)
      throw new ProviderError('PROVIDER_NEEDS_REGISTRY');
    const timeout = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    if (!(timeout > 0) || !Number.isFinite(timeout))
      throw new ProviderError('PROVIDER_REPLY_TIMEOUT', { value: String(timeout) });
    if (providers.has(session)) throw new ProviderError('PROVIDER_BUSY', { jid: session.bareJid });
    this.#desk = CommandDesk.of(session);
    // Taken before anything else: a command another part answers leaves nothing half set up.
    try {
      for (const [node, command] of Object.entries(options.commands ?? {}))
        this.#unregister.push(this.#desk.add(node, command));
    } catch (err) {
      for (const unregister of this.#unregister) unregister();
      throw err;
    }
    providers.set(session, this);
    this.session = session;
    this.registry = options.registry;
    this.replyTimeoutMs = timeout;
    this.name = options.name ?? 'SenFed provider';
    this.gate = options.gate;
    this.#desk.providerAnswers = true;
    this.#unregister.push(() => {
      this.#desk.providerAnswers = false;
    });
    this.#unregister.push(
      session.answerIq('set', COMMANDS_NS, 'command', (stanza) => this.#onCommand(stanza)),
      session.answerIq('get', DISCO_INFO_NS, 'query', (stanza) => this.#onDisco(stanza)),
      session.answerIq('get', DISCO_ITEMS_NS, 'query', (stanza) => this.#onDisco(stanza)),
    );
  }

  /** Requests waiting for their answer. */
  get pendingCount(): number {
    return this.#requests.size;
  }

  /** Stop answering; pending requests get service-unavailable. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const unregister of this.#unregister) unregister();
    for (const request of [...this.#requests])
      request.failAs('closed', 'service-unavailable', STOPPED.message);
    if (providers.get(this.session) === this) providers.delete(this.session);
  }

  async #onCommand(stanza: Element): Promise<Element | undefined> {
    let request: CommandRequest | undefined;
    try {
      request = parseCommandRequest(stanza);
    } catch (err) {
      if (!(err instanceof FederationError)) throw err;
      return this.#refuse(stanza, 'bad-request', err);
    }
    if (!request) return undefined;
    if (this.#closed)
      return commandErrorIq(request, 'service-unavailable', { text: STOPPED.message });
    const extra = this.#desk.get(request.node);
    if (extra) return this.#answerExtra(request, extra);
    if (!(PROVIDED_COMMANDS as readonly string[]).includes(request.node)) {
      return this.#refuse(
        request,
        'item-not-found',
        federationSentence('PROVIDER_TOLD_NO_COMMAND', {
          command: request.node,
          commands: this.#commandNodes().join(', '),
        }),
      );
    }
    const node = request.node as QuoaliseCommand;
    if (request.action === 'cancel' || request.form?.type === 'cancel')
      return commandResultIq(request, { status: 'canceled' });
    // A generic client executes first without a form and expects one to fill in (§3.4).
    if (!request.form)
      return commandResultIq(request, { status: 'executing', form: inputForm(node) });

    let fields: { identifier: string; start?: string; end?: string };
    try {
      if (node === 'get_history') {
        const history = historyRequest(request);
        fields = { identifier: history.identifier, start: history.startTime, end: history.endTime };
      } else fields = identifierRequest(request);
    } catch (err) {
      if (!(err instanceof FederationError)) throw err;
      return this.#refuse(request, 'bad-request', err, 'bad-payload');
    }
    const from = request.from ?? this.session.jid ?? this.session.bareJid;

    if (this.gate && node !== 'unsubscribe') {
      const asked: GateRequest = { command: node, from, ...fields };
      let refusal: Sentence | undefined;
      try {
        refusal = await this.gate.admit(asked);
      } catch (err) {
        // Consent that cannot be read is no consent: refuse, and say why here.
        this.emit('problem', err);
        refusal = federationSentence('PROVIDER_TOLD_NO_CONSENT_CHECK');
      }
      if (refusal) return this.#refuse(request, 'not-authorized', refusal);
    }

    let settle!: (reply: Element) => void;
    const answered = new Promise<Element>((resolve) => (settle = resolve));
    const subscription =
      node !== 'get_history' && this.registry
        ? () => this.#recordSubscription(node, fields.identifier, from)
        : undefined;

    if (subscription && this.handleSubscriptions) {
      try {
        await subscription();
      } catch (err) {
        this.emit('problem', err);
        return commandErrorIq(request, 'internal-server-error', { text: NOT_RECORDED.message });
      }
      const handle = new ProviderRequest(request, from, fields, settle);
      handle.answerAs('provider', completedIq(request, fields.identifier, undefined));
      this.#handOver(handle);
      return answered;
    }
    // Subscriptions the owner decides on are recorded when it accepts them.
    const handle = new ProviderRequest(
      request,
      from,
      fields,
      settle,
      subscription,
      this.gate?.release.bind(this.gate),
    );

    if (this.listenerCount('request') === 0)
      return commandErrorIq(request, 'service-unavailable', {
        text: federationSentence('PROVIDER_TOLD_NOBODY').message,
      });
    this.#requests.add(handle);
    handle.startTimer(this.replyTimeoutMs, () => {
      handle.failAs(
        'timeout',
        'service-unavailable',
        federationSentence('PROVIDER_TOLD_TIMEOUT', {
          seconds: Math.round(this.replyTimeoutMs / 100) / 10,
        }).message,
      );
      this.emit('timeout', handle);
    });
    this.#handOver(handle);
    const reply = await answered;
    this.#requests.delete(handle);
    return reply;
  }

  /**
   * Record a subscribe in the registry, or remove an unsubscribe from it; resolves
   * once on disk (an unsubscribe from someone not subscribed changes nothing, and
   * resolves too). Rejects with PROVIDER_RECORD when the registry cannot take it.
   */
  async #recordSubscription(
    node: 'subscribe' | 'unsubscribe',
    identifier: string,
    from: string,
  ): Promise<void> {
    let changed: boolean;
    try {
      changed =
        node === 'subscribe'
          ? await this.registry!.add(identifier, from)
          : await this.registry!.remove(identifier, from);
    } catch (err) {
      throw new ProviderError(
        'PROVIDER_NOT_RECORDED',
        { command: node, from, identifier },
        { cause: err },
      );
    }
    try {
      if (changed)
        this.emit(node === 'subscribe' ? 'subscribed' : 'unsubscribed', { identifier, jid: from });
    } catch (err) {
      this.emit('problem', err);
    }
  }

  /** Every command node answered here: Quoalise's three, then the extra ones. */
  #commandNodes(): string[] {
    return [...PROVIDED_COMMANDS, ...this.#desk.nodes()];
  }

  #answerExtra(request: CommandRequest, command: ExtraCommand): Promise<Element> {
    return answerExtraCommand(request, command, this.session.jid ?? this.session.bareJid, (err) =>
      this.#refuse(request, 'bad-request', err, 'bad-payload'),
    );
  }

  /** Give a request to the owner; a listener that throws must not leave the requester waiting. */
  #handOver(handle: ProviderRequest): void {
    try {
      this.emit('request', handle);
    } catch (err) {
      this.emit('problem', err);
      handle.failAs('closed', 'internal-server-error');
    }
  }

  #refuse(
    request: CommandRequest | Element,
    condition: DefinedCondition,
    why: Sentence,
    commandCondition?: CommandCondition,
  ): Element {
    const text = why.message;
    const refusal: Refusal = {
      from: (request as { from?: string }).from ?? (request as Element).attrs?.from,
      condition,
      reason: text,
      reasonSentence: why,
    };
    this.emit('refused', refusal);
    try {
      return commandErrorIq(request, condition, { text, commandCondition });
    } catch {
      // The request cannot even be answered by id: the iqCallee answers without it.
      return errorIq(condition, text);
    }
  }

  #commandName(node: string): string {
    return this.#desk.get(node)?.name ?? COMMAND_NAMES[node as QuoaliseCommand];
  }

  #onDisco(stanza: Element): Element | undefined {
    const request = parseDiscoRequest(stanza);
    if (!request) return undefined;
    if (this.#closed) return undefined;
    const commands = this.#commandNodes();
    if (request.kind === 'info') {
      if (request.node === undefined) {
        const identities: DiscoIdentity[] = [{ category: 'client', type: 'bot', name: this.name }];
        return discoInfoResultIq(request, {
          identities,
          features: [DISCO_INFO_NS, DISCO_ITEMS_NS, COMMANDS_NS, 'jabber:x:data', QUOALISE_NS],
        });
      }
      if (request.node === COMMAND_LIST_NODE)
        return discoInfoResultIq(request, {
          identities: [{ category: 'automation', type: 'command-list', name: 'Commands' }],
          features: [DISCO_ITEMS_NS],
        });
      if (commands.includes(request.node)) {
        // XEP-0050 §2.3, Example 6.
        return discoInfoResultIq(request, {
          identities: [
            {
              category: 'automation',
              type: 'command-node',
              name: this.#commandName(request.node),
            },
          ],
          features: [COMMANDS_NS, 'jabber:x:data'],
        });
      }
      return discoError(request);
    }
    if (request.node === COMMAND_LIST_NODE) {
      const jid =
        (stanza.attrs.to as string | undefined) || this.session.jid || this.session.bareJid;
      return discoItemsResultIq(
        request,
        commands.map((node) => ({ jid, node, name: this.#commandName(node) })),
      );
    }
    if (request.node === undefined || commands.includes(request.node))
      return discoItemsResultIq(request, []);
    return discoError(request);
  }
}

function discoError(request: DiscoRequest): Element {
  const iq = element('iq', { type: 'error', to: request.from, id: request.id });
  iq.cnode(errorElement('item-not-found'));
  return iq;
}

function errorIq(condition: DefinedCondition, text: string): Element {
  const iq = element('iq', { type: 'error' });
  iq.cnode(errorElement(condition, { text }));
  return iq;
}
