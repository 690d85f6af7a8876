import type { Node, NodeAPI, NodeDef } from 'node-red';

/**
 * Saved flows keep working after an upgrade. When an option changes meaning or
 * gains a default, a flow saved before holds the older shape (most often: the
 * option is missing). Each node reads its saved options through the migrations of
 * its type, oldest first; each one recognises an older shape and turns it into
 * today's, keeping what the flow did when it was saved, and may say what the
 * user can now choose. The editor keeps the same meanings when such a node's
 * dialog is opened (each node's oneditprepare).
 */
export interface Migration {
  /** What changed, for people reading this table. */
  readonly change: string;
  /** Whether the saved options are of the older shape. */
  applies(config: Readonly<Record<string, unknown>>): boolean;
  /** Today's options meaning what the older ones did. */
  apply(config: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** A catalogue key the node warns with once when it starts from such options. */
  notice?: string;
}

export const MIGRATIONS: Readonly<Record<string, readonly Migration[]>> = {
  'federation-provide': [
    {
      change:
        '"Accept every requester" (handleSubscriptions) was added; new nodes leave subscriptions to the flow',
      applies: (config) => config.handleSubscriptions === undefined,
      apply: (config) => ({ ...config, handleSubscriptions: true }),
      notice: 'federation-provide.warn.everyone',
    },
    {
      change: 'the reply timeout (timeout, seconds) was added',
      applies: (config) => config.timeout === undefined,
      apply: (config) => ({ ...config, timeout: '30' }),
    },
  ],
  'federation-subscribe': [
    {
      change:
        'the Quoalise messages option (quoalise) was added; nodes saved before it output pushed Quoalise data',
      applies: (config) => config.quoalise === undefined,
      apply: (config) => ({ ...config, quoalise: true }),
    },
    {
      change:
        'the list of accepted Quoalise senders (quoaliseFrom) was added; nodes saved before it accepted anyone',
      applies: (config) => config.quoalise !== false && config.quoaliseFrom === undefined,
      apply: (config) => ({ ...config, quoaliseFrom: '*' }),
      notice: 'federation-subscribe.warn.anySender',
    },
  ],
};

/** The options of `config` in today's shape, after every migration of its type that applies; notices go to the node's log. */
export function migrateConfig<C extends NodeDef>(RED: NodeAPI, node: Node, config: C): C {
  let current = { ...config } as Record<string, unknown>;
  for (const migration of MIGRATIONS[config.type] ?? []) {
    if (!migration.applies(current)) continue;
    current = migration.apply(current);
    if (migration.notice) node.warn(RED._(migration.notice));
  }
  return current as C;
}
