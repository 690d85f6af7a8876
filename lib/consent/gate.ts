import { EventEmitter } from 'node:events';
import type { Sentence } from '../errors';
import { PubsubMembership, type MembershipChange } from '../federation/membership';
import { bareJid } from '../store/subscriber-registry';
import type { GateRequest, ProviderGate } from '../federation/provider';
import type { Publication, PublicationRelease, PublishTarget } from '../federation/publisher';
import type { XmppSession } from '../federation/session';
import type { Meta } from '../federation/quoalise';
import type { ResolvedPack } from '../senml/model';
import type { ConsentStore } from './consent-store';
import { packDigest } from './digest';
import { addDuration } from './duration';
import { isActive, recipientCovers } from './evaluate';
import { filterPack, shortestRetention, type FilterOutcome } from './filter';
import { consentGateSentence } from './gate-messages';
import {
  systemClock,
  type Clock,
  type ConsentRecord,
  type Evidence,
  type ShareAuditEntry,
  type ShareChannel,
} from './model';
import { compileNamePatterns } from './patterns';
import { canonicalJson } from './digest';

export interface ConsentGateOptions {
  store: ConsentStore;
  /** The DPV purpose IRI data leaves for through this gate. */
  purpose: string;
  clock?: Clock;
  /** The full JID that answers audit_proof for this instance, put in each share's meta. */
  prover?: () => string | undefined;
}

/** What left under consent: the minimised pack, the meta to send with it, and the filter's account. */
export interface Share {
  pack: ResolvedPack;
  meta: Meta;
  outcome: FilterOutcome;
  /** The audit log's leaf index of this share. */
  index: number;
}

/** A pack, or part of one, that consent kept from a recipient. */
export interface WithheldShare {
  recipient: string;
  channel: ShareChannel;
  outcome: FilterOutcome;
}

/**
 * The one door through which data leaves under consent: `federation provide`
 * (who may ask, what of an answer goes), `federation publish` (what each direct
 * recipient gets; who the members of a PubSub node are) and the consent filter
 * all decide here, with the same rules (filter.ts), at the moment data leaves,
 * and every share is written to the audit log before it goes.
 *
 * Events: 'withheld' (WithheldShare) when a recipient got less than was offered
 * or nothing; 'membership' ({ node, service, change }) when a PubSub node's
 * members changed; 'problem' (an error) when a membership could not be synced
 * outside a send (the next send tries again, and does not go until it succeeds).
 */
export class ConsentGate extends EventEmitter {
  readonly store: ConsentStore;
  readonly purpose: string;
  readonly #clock: Clock;
  readonly #prover: () => string | undefined;
  readonly #memberships = new Map<string, PubsubMembership>();
  /** The members each node was last synced to: a send syncs again only when they differ. */
  readonly #synced = new WeakMap<PubsubMembership, string>();
  readonly #onChange = (): void => void this.syncMemberships();
  /** The last item released to each node, its members then and its meta. */
  readonly #lastItem = new Map<string, { publication: Publication; members: string; meta: Meta }>();
  #watching = false;

  constructor(options: ConsentGateOptions) {
    super();
    this.store = options.store;
    this.purpose = options.purpose;
    this.#clock = options.clock ?? systemClock;
    this.#prover = options.prover ?? (() => undefined);
  }

  /**
   * Minimise `pack` to what `recipient` may have now (under the consents of
   * `subject` only, when given), record the share in the audit log, and give the
   * pack with its meta (purpose, retention, consents and the audit proof).
   * Undefined when nothing of it may go; 'withheld' says what was kept back.
   */
  async share(
    pack: ResolvedPack,
    recipient: string,
    channel: ShareChannel,
    meta?: Meta,
    subject?: string,
  ): Promise<Share | undefined> {
    return (await this.decide(pack, recipient, channel, meta, subject)).share;
  }

  /** As share(), and also what the filter decided: the records withheld, and why. */
  async decide(
    pack: ResolvedPack,
    recipient: string,
    channel: ShareChannel,
    meta?: Meta,
    subject?: string,
    heldSince?: number,
  ): Promise<{ outcome: FilterOutcome; share?: Share }> {
    const now = this.#clock();
    const to = bareJid(recipient);
    let outcome = filterPack(pack, this.store.records(), {
      recipient: to,
      purpose: this.purpose,
      now,
      ...(subject === undefined ? {} : { subject }),
    });
    // Held here (a queue waiting for a peer) longer than the recipient may keep it: it goes no more.
    if (
      heldSince !== undefined &&
      outcome.retention !== undefined &&
      outcome.allowed.length > 0 &&
      addDuration(heldSince, outcome.retention) <= now
    )
      outcome = pastRetention(outcome, pack, heldSince);
    if (outcome.withheld.length > 0) this.emit('withheld', { recipient: to, channel, outcome });
    if (outcome.allowed.length === 0) return { outcome };
    const entry = shareEntry(outcome, to, this.purpose, channel);
    const { index, shared } = await this.#record(entry, outcome, meta);
    return { outcome, share: { pack: outcome.allowed, meta: shared, outcome, index } };
  }

  /**
   * Write a share entry to the audit log (fsynced, under a signed head) and give
   * the meta that goes with the data: purpose, consents, retention and the
   * proof (the entry, its inclusion proof, the signed head, the key, the prover).
   */
  async #record(
    entry: Omit<ShareAuditEntry, 'kind' | 'time'>,
    outcome: FilterOutcome,
    meta: Meta | undefined,
  ): Promise<{ index: number; shared: Meta }> {
    const { index, treeHead } = await this.store.recordShare(entry);
    const audit = this.store.audit;
    const { proof } = audit.inclusionProof(index, treeHead.treeSize);
    const prover = this.#prover();
    const shared: Meta = {
      ...(meta ?? {}),
      purpose: this.purpose,
      consents: outcome.consents.map((consent) => consent.id).join(' '),
      audit: {
        index,
        entry: canonicalJson(audit.entry(index)),
        proof: proof.join(' '),
        treeSize: treeHead.treeSize,
        rootHash: treeHead.rootHash,
        timestamp: treeHead.timestamp,
        signature: treeHead.signature,
        keyId: treeHead.keyId,
        key: audit.publicKey,
        ...(prover === undefined ? {} : { prover }),
      },
    };
    if (outcome.retention !== undefined) shared.retention = outcome.retention;
    return { index, shared };
  }

  /** For `federation provide`: the consent check of requests and answers. */
  providerGate(): ProviderGate {
    return {
      admit: (request) => this.admit(request),
      release: async (request, pack, meta) => {
        const channel: ShareChannel = request.command === 'get_history' ? 'history' : 'message';
        const shared = await this.share(pack, request.from, channel, meta);
        return shared ? { pack: shared.pack, meta: shared.meta } : { pack: [], meta };
      },
    };
  }

  /**
   * Let a get_history or subscribe through only under an active consent of the
   * requester, for this purpose, that covers the identifier asked for. Otherwise
   * the request is recorded as a `requested` event (once: not again while the
   * last event is already `requested` or `refused`), for the data subject to
   * accept or refuse, and the reason to refuse is given.
   */
  async admit(request: GateRequest): Promise<Sentence | undefined> {
    const now = this.#clock();
    const from = bareJid(request.from);
    const theirs = this.store
      .records()
      .filter(
        (record) => record.purpose === this.purpose && recipientCovers(record.recipient, from),
      );
    const covering = theirs.filter((record) => coversIdentifier(record, request.identifier));
    if (covering.some((record) => isActive(record, now))) return undefined;
    await this.#recordRequest(from, covering, request.identifier, {
      method: 'federation-request',
      by: request.from,
      reference: `${request.command} ${request.identifier}`,
    });
    return consentGateSentence('GATE_NO_CONSENT', {
      from,
      purpose: this.purpose,
      identifier: request.identifier,
    });
  }

  /**
   * Record a recipient's request for data it has no active consent for, as a
   * `requested` event for the data subject to accept or refuse: on the consent
   * that comes closest (to this JID, else its domain), or a new one for the
   * identifier asked. Once only: not again while the last event of that
   * consent is already `requested` or `refused`. Gives where it stands.
   */
  async #recordRequest(
    from: string,
    covering: readonly ConsentRecord[],
    identifier: string,
    evidence: Evidence,
  ): Promise<'requested' | 'refused'> {
    const known = covering.find((record) => bareJid(record.recipient) === from) ?? covering[0];
    const last = known?.events.at(-1)?.type;
    if (last === 'refused') return 'refused';
    if (last !== 'requested') {
      await this.store.request(
        {
          subject: known?.subject ?? identifier,
          recipient: known?.recipient ?? from,
          purpose: this.purpose,
          scope: known?.scope ?? { names: [identifier], granularity: 'raw' },
          retention: known?.retention ?? 'P30D',
        },
        evidence,
      );
    }
    return 'requested';
  }

  /**
   * A recipient asks to become a member of a PubSub node this gate publishes
   * to (the request_access command: a whitelist node refuses its subscription,
   * and the service tells the owner nothing). Already a member: `member`;
   * otherwise the request is recorded for the data subject (see #recordRequest).
   */
  async requestMembership(
    from: string,
    target: Extract<PublishTarget, { mode: 'pubsub' }>,
  ): Promise<'member' | 'requested' | 'refused'> {
    const jid = bareJid(from);
    if (this.members(target).includes(jid)) return 'member';
    const covering = this.store
      .records()
      .filter(
        (record) =>
          record.purpose === this.purpose &&
          recipientCovers(record.recipient, jid) &&
          coversIdentifier(record, target.node),
      );
    return this.#recordRequest(jid, covering, target.node, {
      method: 'federation-request',
      by: from,
      reference: `subscribe ${pubsubUri(target.service, target.node)}`,
    });
  }

  /** Whether this gate keeps the members of that node (it published there, or was told to follow it). */
  follows(service: string, node: string): boolean {
    return this.#memberships.has(`${service}\u0000${node}`);
  }

  /** For `federation publish` direct messages: what of a publication goes to its JID, decided at send time. */
  async releaseDirect(publication: Publication): Promise<Publication | undefined> {
    const { target } = publication;
    if (target.mode !== 'direct') return publication;
    const { share } = await this.decide(
      publication.pack,
      target.to,
      'message',
      publication.meta,
      undefined,
      publication.queuedAt,
    );
    return share && { ...publication, pack: share.pack, meta: share.meta };
  }

  /**
   * The bare JIDs that may be members of a PubSub node now: recipients named by
   * JID (a whole domain cannot be listed as members) with an active consent for
   * this purpose whose names cover the node's name and whose granularity is raw
   * (a node's items go to every member as published, so a consent that allows
   * only aggregates does not cover it).
   */
  members(target: Extract<PublishTarget, { mode: 'pubsub' }>): string[] {
    return membersOf(this.#memberConsents(target, this.#clock()));
  }

  /** The consents that make their recipients members of a node at `now` (see members()). */
  #memberConsents(
    target: Extract<PublishTarget, { mode: 'pubsub' }>,
    now: number,
  ): ConsentRecord[] {
    return this.store
      .records()
      .filter(
        (record) =>
          record.purpose === this.purpose &&
          record.recipient.includes('@') &&
          record.scope.granularity === 'raw' &&
          coversIdentifier(record, target.node) &&
          isActive(record, now),
      );
  }

  /**
   * The release a `federation publish` gives its publisher: a direct message
   * goes minimised to its JID's consent; a PubSub item goes once the node's
   * members are exactly those whose consent covers it (revocations first), with
   * a share entry per member. From then on any change of a consent (a grant, a
   * withdrawal, an expiry) syncs the members of every node used, at once.
   */
  publisherRelease(session: XmppSession): PublicationRelease {
    if (!this.#watching) {
      this.#watching = true;
      this.store.on('change', this.#onChange);
    }
    return async (publication) => {
      const { target } = publication;
      if (target.mode === 'direct') return this.releaseDirect(publication);
      // Held here longer than a member may keep it: the node would keep it longer still.
      const now = this.#clock();
      // Read once per item: the retention, the members and the share entry all come from them.
      const consents = this.#memberConsents(target, now);
      const retention = shortestRetention(consents, now);
      const { queuedAt } = publication;
      if (
        queuedAt !== undefined &&
        retention !== undefined &&
        addDuration(queuedAt, retention) <= now
      ) {
        const outcome = pastRetention(
          { allowed: publication.pack, withheld: [], consents: [], retention },
          publication.pack,
          queuedAt,
        );
        this.emit('withheld', {
          recipient: pubsubUri(target.service, target.node),
          channel: 'pubsub',
          outcome,
        });
        return undefined;
      }
      const membership = this.follow(session, target);
      const members = membersOf(consents);
      // Consents that lapsed or changed since the last sync: in force before this item goes.
      if (this.#synced.get(membership) !== members.join('\n'))
        await this.#sync(membership, members);
      // Sent again (its node just created, a peer that timed out): one share, logged once.
      const key = `${target.service}\u0000${target.node}`;
      const last = this.#lastItem.get(key);
      const same = (a: Publication): boolean =>
        a.itemId === publication.itemId && a.queuedAt === publication.queuedAt;
      if (last !== undefined && same(last.publication) && last.members === members.join('\n'))
        return { ...publication, meta: last.meta };
      const meta = await this.#recordItem(publication.pack, target, members, consents, now);
      this.#lastItem.set(key, { publication, members: members.join('\n'), meta });
      return { ...publication, meta };
    };
  }

  /** Bring the members of every PubSub node used so far in step with the consents of now. */
  async syncMemberships(): Promise<void> {
    await Promise.all(
      [...this.#memberships.values()].map((membership) =>
        this.#sync(
          membership,
          this.members({ mode: 'pubsub', service: membership.service, node: membership.node }),
        ).catch((err: unknown) => {
          this.emit('problem', err);
        }),
      ),
    );
  }

  /** Stop following the store's changes. */
  close(): void {
    this.store.off('change', this.#onChange);
    this.#watching = false;
  }

  /** Keep the members of this PubSub node in step with consent from now on. */
  follow(
    session: XmppSession,
    target: Extract<PublishTarget, { mode: 'pubsub' }>,
  ): PubsubMembership {
    const key = `${target.service}\u0000${target.node}`;
    let membership = this.#memberships.get(key);
    if (!membership) {
      membership = new PubsubMembership(session, target.service, target.node);
      this.#memberships.set(key, membership);
    }
    return membership;
  }

  async #sync(membership: PubsubMembership, members: string[]): Promise<MembershipChange> {
    this.#synced.delete(membership);
    const change = await membership.sync(members);
    if (!change.noNode) this.#synced.set(membership, members.join('\n'));
    if (change.granted.length > 0 || change.revoked.length > 0)
      this.emit('membership', { node: membership.node, service: membership.service, change });
    return change;
  }

  /**
   * Write the share entry of a PubSub item: one entry for the item, naming the
   * node (`xmpp:service?;node=name`, XEP-0060 §13) as recipient and its members
   * at this moment, under the consents that made them members. Gives the meta the
   * item carries, its audit proof included, so that each member can check it.
   */
  async recordPubsubShare(
    pack: ResolvedPack,
    target: Extract<PublishTarget, { mode: 'pubsub' }>,
    members: readonly string[],
  ): Promise<Meta> {
    const now = this.#clock();
    return this.#recordItem(pack, target, members, this.#memberConsents(target, now), now);
  }

  async #recordItem(
    pack: ResolvedPack,
    target: Extract<PublishTarget, { mode: 'pubsub' }>,
    members: readonly string[],
    memberConsents: readonly ConsentRecord[],
    now: number,
  ): Promise<Meta> {
    const wanted = new Set(members);
    const consents = new Map<string, ConsentRecord>();
    for (const consent of memberConsents)
      if (wanted.has(bareJid(consent.recipient))) consents.set(consent.id, consent);
    const allowing = [...consents.values()];
    const outcome: FilterOutcome = { allowed: pack, withheld: [], consents: allowing };
    const retention = shortestRetention(allowing, now);
    if (retention !== undefined) outcome.retention = retention;
    const entry = {
      ...shareEntry(outcome, pubsubUri(target.service, target.node), this.purpose, 'pubsub'),
      members: [...members],
    };
    return (await this.#record(entry, outcome, undefined)).shared;
  }
}

/** The bare JIDs some member consents name, each once, sorted. */
function membersOf(consents: readonly ConsentRecord[]): string[] {
  return [...new Set(consents.map((record) => bareJid(record.recipient)))].sort();
}

/** A PubSub node as an XMPP URI (RFC 5122, XEP-0060 §13): `xmpp:pubsub.example?;node=name`. */
export function pubsubUri(service: string, node: string): string {
  return `xmpp:${service}?;node=${encodeURIComponent(node)}`;
}

/** Every record withheld: the pack waited longer than the consent lets the recipient keep it. */
function pastRetention(
  outcome: FilterOutcome,
  pack: ResolvedPack,
  heldSince: number,
): FilterOutcome {
  const reason = consentGateSentence('GATE_HELD_PAST_RETENTION', {
    since: new Date(heldSince).toISOString(),
    retention: outcome.retention ?? '',
  });
  const consent = outcome.consents[0]?.id;
  return {
    allowed: [],
    consents: [],
    withheld: pack.map((record, index) =>
      consent === undefined ? { index, record, reason } : { index, record, reason, consent },
    ),
  };
}

/**
 * Whether a consent covers an identifier asked for (a Quoalise identifier, a
 * PubSub node name): its patterns match it as a name, or a prefix pattern lies
 * under it (`urn:dev:mac:0024…:` is asked for as `urn:dev:mac:0024…`).
 */
export function coversIdentifier(record: ConsentRecord, identifier: string): boolean {
  if (compileNamePatterns(record.scope.names)(identifier)) return true;
  return record.scope.names.some(
    (pattern) => !pattern.includes('*') && pattern.startsWith(identifier),
  );
}

/** The audit entry of one share: what was sent, to whom, under which consents (time set by the store). */
export function shareEntry(
  outcome: FilterOutcome,
  recipient: string,
  purpose: string,
  channel: ShareChannel,
): Omit<ShareAuditEntry, 'kind' | 'time'> {
  const names = [...new Set(outcome.allowed.map((record) => record.n))].sort();
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const record of outcome.allowed) {
    if (record.t < start) start = record.t;
    if (record.t > end) end = record.t;
  }
  return {
    consents: outcome.consents.map((consent) => consent.id).sort(),
    subjects: [...new Set(outcome.consents.map((consent) => consent.subject))].sort(),
    recipient,
    purpose,
    channel,
    records: outcome.allowed.length,
    names,
    span: outcome.allowed.length === 0 ? null : { start, end },
    digest: packDigest(outcome.allowed),
    retention: outcome.retention ?? 'P0D',
  };
}
