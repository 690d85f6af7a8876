import {
  FederationBaseError,
  federationSentence,
  type MessageArgs,
  type MessageIdOf,
} from './errors';
import {
  type Affiliation,
  ownerAffiliationsIq,
  ownerSubscriptionsIq,
  parseAffiliations,
  parseSubscriptions,
  affiliationNotice,
  setAffiliationsIq,
  setSubscriptionsIq,
} from './pubsub';
import type { Sentence } from '../errors';
import { bareJid } from '../store/subscriber-registry';
import type { XmppSession } from './session';
import { readStanzaError } from './stanza-error';

/** MEMBERSHIP_REVOKE: a revocation the service confirmed and yet did not carry out. */
export class MembershipError extends FederationBaseError {
  declare readonly code: 'MEMBERSHIP_REVOKE';

  constructor(
    ...[messageId, params, options]: MessageArgs<
      MessageIdOf<'MEMBERSHIP_REVOKE'>,
      { cause?: unknown }
    >
  ) {
    super(messageId, params, options);
    this.name = 'MembershipError';
  }
}

/** What one sync changed at the node. */
export interface MembershipChange {
  granted: string[];
  revoked: string[];
  /** True when the node does not exist yet: nothing to change until it is created. */
  noNode: boolean;
}

/** Affiliations the sync never touches: the node's own people. */
const KEPT: ReadonlySet<Affiliation> = new Set(['owner', 'publisher', 'publish-only']);

/**
 * Keeps the members of a whitelisted PubSub node (XEP-0060 §4.5) exactly equal
 * to a wanted set of bare JIDs, as their owner. Granting is setting the
 * affiliation `member` (§8.9.2). Revoking is, in this order: every subscription
 * of the JID set to `none` (§8.8.2), then its affiliation removed, then the
 * subscription list read again to check that none is left. The affiliation
 * alone is not enough: Prosody 0.12 keeps the subscription and goes on sending
 * events to it (its util/pubsub.lua; FIELD-NOTES, "Revocation trap").
 *
 * Syncs run one at a time; each reads the node's lists afresh, so a JID
 * affiliated or subscribed by hand is brought back in step too: anyone
 * subscribed who is neither wanted nor the node's owner or publisher is revoked.
 */
export class PubsubMembership {
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    readonly session: XmppSession,
    readonly service: string,
    readonly node: string,
    readonly timeoutMs = 15_000,
  ) {}

  /** Make the members exactly `wanted`; resolves once the server confirmed every change. */
  sync(wanted: Iterable<string>): Promise<MembershipChange> {
    const want = new Set([...wanted].map(bareJid));
    const run = this.#running.then(() => this.#sync(want));
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #sync(want: ReadonlySet<string>): Promise<MembershipChange> {
    let affiliations;
    try {
      affiliations = parseAffiliations(
        await this.session.iq(ownerAffiliationsIq(this.service, this.node), this.timeoutMs),
      );
    } catch (err) {
      if (readStanzaError(err)?.condition === 'item-not-found')
        return { granted: [], revoked: [], noNode: true };
      throw err;
    }
    const kept = new Set<string>();
    const members = new Set<string>();
    for (const { jid, affiliation } of affiliations ?? []) {
      if (jid === undefined) continue;
      if (KEPT.has(affiliation)) kept.add(bareJid(jid));
      else if (affiliation === 'member') members.add(bareJid(jid));
    }
    // Anyone else still subscribed (a member removed by hand keeps its subscription on Prosody) goes too.
    const strays = new Set<string>();
    for (const { jid } of await this.#subscriptionsOf((held) => !want.has(held) && !kept.has(held)))
      strays.add(bareJid(jid));
    const granted = [...want].filter((jid) => !members.has(jid) && !kept.has(jid)).sort();
    const revoked = [...new Set([...members, ...strays])].filter((jid) => !want.has(jid)).sort();
    // Revocation first: a withdrawn consent must be in force before anyone new is let in.
    if (revoked.length > 0) await this.#revoke(new Set(revoked));
    if (granted.length > 0) {
      await this.session.iq(
        setAffiliationsIq(
          this.service,
          this.node,
          granted.map((jid) => ({ jid, affiliation: 'member' as const })),
        ),
        this.timeoutMs,
      );
      // A subscriber the whitelist refused learns it may subscribe now, not at its next try.
      for (const jid of granted)
        await this.session
          .send(affiliationNotice(jid, this.service, this.node, 'member'))
          .catch(() => undefined);
    }
    return { granted, revoked, noNode: false };
  }

  async #revoke(jids: ReadonlySet<string>): Promise<void> {
    const held = await this.#subscriptionsOf((jid) => jids.has(jid));
    if (held.length > 0)
      await this.session.iq(
        setSubscriptionsIq(
          this.service,
          this.node,
          held.map(({ jid, subid }) => ({ jid, subscription: 'none' as const, subid })),
        ),
        this.timeoutMs,
      );
    await this.session.iq(
      setAffiliationsIq(
        this.service,
        this.node,
        [...jids].map((jid) => ({ jid, affiliation: 'none' as const })),
      ),
      this.timeoutMs,
    );
    const left = await this.#subscriptionsOf((jid) => jids.has(jid));
    if (left.length > 0)
      throw new MembershipError('MEMBERSHIP_STILL_SUBSCRIBED', {
        node: this.node,
        service: this.service,
        jids: [...new Set(left.map(({ jid }) => bareJid(jid)))].join(', '),
      });
  }

  /** The subscriptions (full JID and subid) at the node of the bare JIDs `which` picks. */
  async #subscriptionsOf(
    which: (bare: string) => boolean,
  ): Promise<{ jid: string; subid: string | undefined }[]> {
    const list = parseSubscriptions(
      await this.session.iq(ownerSubscriptionsIq(this.service, this.node), this.timeoutMs),
    );
    return (list ?? [])
      .filter(({ jid, state }) => jid !== undefined && state !== 'none' && which(bareJid(jid)))
      .map(({ jid, subid }) => ({ jid: jid!, subid }));
  }
}

/** The sentence for a membership change, for the owner's log. */
export function membershipSentence(change: MembershipChange, node: string): Sentence {
  return federationSentence('MEMBERSHIP_CHANGED', {
    node,
    granted: change.granted.join(', ') || '-',
    revoked: change.revoked.join(', ') || '-',
  });
}
