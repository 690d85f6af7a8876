import { type ErrorParams, type Sentence, isSentence } from '../errors';
import type { ComposedSentence } from './errors';
import {
  commandListIq,
  discoInfoIq,
  discoItemsIq,
  parseCommandList,
  parseDiscoInfo,
  parseDiscoItems,
} from './discovery';
import type { XmppSession } from './session';
import { readStanzaError } from './stanza-error';

export interface CatalogueNode {
  node: string;
  name?: string;
}

export interface CatalogueService {
  /** A PubSub service, e.g. pubsub.sen1.test. */
  jid: string;
  name?: string;
  nodes: CatalogueNode[];
}

export interface CatalogueCommand {
  jid: string;
  node: string;
  name?: string;
}

/** What a domain or a JID offers: PubSub nodes and ad-hoc commands, for a dashboard or an editor picker. */
export interface Catalogue {
  target: string;
  services: CatalogueService[];
  commands: CatalogueCommand[];
  /** Parts that could not be asked, with the reason (a peer down, a refusal), so a partial answer says so. */
  problems: CatalogueProblem[];
}

/**
 * A part of the catalogue that could not be asked. `reason` is the stanza error's
 * condition (and text) as the peer gave it, or the library's English sentence, whose
 * code, messageId and params are then given too, to say it in another language.
 */
export interface CatalogueProblem {
  jid: string;
  reason: string;
  code?: string;
  messageId?: string;
  params?: ErrorParams;
  /** The sentences some params were made of, for a translation to say them too. */
  parts?: Readonly<Record<string, Sentence>>;
}

function problemOf(jid: string, err: unknown): CatalogueProblem {
  const stanzaError = readStanzaError(err);
  if (stanzaError)
    return {
      jid,
      reason: stanzaError.condition + (stanzaError.text ? ` (${stanzaError.text})` : ''),
    };
  if (isSentence(err)) {
    const { parts } = err as ComposedSentence;
    return {
      jid,
      reason: err.message,
      code: err.code,
      messageId: err.messageId,
      params: err.params,
      ...(parts ? { parts } : {}),
    };
  }
  return { jid, reason: (err as Error)?.message ?? String(err) };
}

/**
 * List the data available from a domain, a PubSub service, or a JID (XEP-0030).
 * A domain: its items that are PubSub services (identity category "pubsub",
 * type "service") and their nodes. A PubSub service: its nodes. A JID with a
 * local part: the commands it offers (XEP-0050 §2.2). Items are walked one level
 * deep only, in parallel, each with its own timeout; what fails is reported in
 * `problems` rather than failing the whole catalogue.
 */
export async function discover(
  session: XmppSession,
  target: string,
  timeoutMs = 10_000,
): Promise<Catalogue> {
  const catalogue: Catalogue = { target, services: [], commands: [], problems: [] };
  const ask = async <T>(jid: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      catalogue.problems.push(problemOf(jid, err));
      return undefined;
    }
  };

  if (target.includes('@')) {
    const commands = await ask(target, async () =>
      parseCommandList(await session.iq(commandListIq(target), timeoutMs)),
    );
    for (const command of commands ?? [])
      catalogue.commands.push({
        jid: command.jid,
        node: command.node,
        ...(command.name ? { name: command.name } : {}),
      });
    return catalogue;
  }

  const info = await ask(target, async () =>
    parseDiscoInfo(await session.iq(discoInfoIq(target), timeoutMs)),
  );
  const isPubsub = (i: typeof info): boolean =>
    i?.identities.some((id) => id.category === 'pubsub' && id.type === 'service') === true;
  let candidates: { jid: string; name?: string }[];
  if (isPubsub(info)) candidates = [{ jid: target }];
  else {
    const items =
      (await ask(target, async () =>
        parseDiscoItems(await session.iq(discoItemsIq(target), timeoutMs)),
      )) ?? [];
    const infos = await Promise.all(
      items.map((item) =>
        ask(item.jid, async () =>
          parseDiscoInfo(await session.iq(discoInfoIq(item.jid), timeoutMs)),
        ),
      ),
    );
    candidates = items
      .filter((_, i) => isPubsub(infos[i]))
      .map((item) => ({ jid: item.jid, ...(item.name ? { name: item.name } : {}) }));
  }
  const listed = await Promise.all(
    candidates.map(async (service) => ({
      service,
      nodes:
        (await ask(service.jid, async () =>
          parseDiscoItems(await session.iq(discoItemsIq(service.jid), timeoutMs)),
        )) ?? [],
    })),
  );
  for (const { service, nodes } of listed) {
    catalogue.services.push({
      ...service,
      nodes: nodes
        .filter((n) => n.node !== undefined)
        .map((n) => ({ node: n.node!, ...(n.name ? { name: n.name } : {}) })),
    });
  }
  return catalogue;
}
