import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ConsentKey, ConsentStore, ConsentTerms } from '../lib/consent/consent-store';
import { consentState, validUntil } from '../lib/consent/evaluate';
import { auditCsv, entriesOfSubject } from '../lib/consent/audit/subject-export';
import type { ConsentRecord, DataScope, Evidence } from '../lib/consent/model';
import { consentReceipt, fromIso27560, toIso27560 } from '../lib/consent/receipt';
import type { ConsentStoreNode } from './support/consent';
import { reportError } from './support/report';

interface ConsentManageConfig extends NodeDef {
  store: string;
  /** The action when msg.action is absent. */
  action: string;
  /** The controller, for receipts and exports. */
  controller: string;
  email: string;
  policyUrl: string;
  jurisdiction: string;
}

type ManageMessage = NodeMessageInFlow & { action?: unknown; format?: unknown };

const ACTIONS = [
  'grant',
  'withdraw',
  'request',
  'accept',
  'refuse',
  'list',
  'export',
  'import',
  'receipt',
  'access',
] as const;
type Action = (typeof ACTIONS)[number];

type Fields = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** A consent's state, as a list or an access answer shows it. */
function summary(record: ConsentRecord, now: number): Record<string, unknown> {
  const until = validUntil(record, now);
  return {
    ...record,
    state: consentState(record, now),
    validUntil: until === undefined ? null : new Date(until).toISOString(),
  };
}

export = function register(RED: NodeAPI): void {
  function ConsentManage(this: Node, config: ConsentManageConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const storeNode = RED.nodes.getNode(config.store) as ConsentStoreNode | null;
    if (!storeNode?.opened) {
      node.status({ fill: 'red', shape: 'ring', text: RED._('consent-manage.status.noStore') });
      node.on('input', (_msg, _send, done) =>
        done(new Error(RED._('consent-manage.errors.noStore'))),
      );
      return;
    }

    const fail = (key: string, params?: Record<string, string>): never => {
      throw new Error(RED._(`consent-manage.errors.${key}`, params));
    };
    const required = (fields: Fields, name: string): string =>
      text(fields[name]) ?? fail('missing', { field: name });
    /** Who collected it and how; a flow that does not say is recorded as this node. */
    const evidenceOf = (fields: Fields): Evidence => {
      const given = fields.evidence;
      if (typeof given === 'object' && given !== null) return given as Evidence;
      return { method: 'other', by: text(fields.by) ?? `Node-RED ${config.name || node.id}` };
    };
    const keyOf = (fields: Fields): ConsentKey =>
      text(fields.id) ?? {
        subject: required(fields, 'subject'),
        recipient: required(fields, 'recipient'),
        purpose: required(fields, 'purpose'),
      };
    const termsOf = (fields: Fields): ConsentTerms => {
      const terms: ConsentTerms = {
        subject: required(fields, 'subject'),
        recipient: required(fields, 'recipient'),
        purpose: required(fields, 'purpose'),
        scope: (fields.scope ?? fail('missing', { field: 'scope' })) as DataScope,
        retention: required(fields, 'retention'),
      };
      const controller = text(fields.controller) ?? text(config.controller);
      if (controller !== undefined) terms.controller = controller;
      return terms;
    };

    async function act(action: Action, fields: Fields, msg: ManageMessage, store: ConsentStore) {
      const now = Date.now();
      switch (action) {
        case 'grant':
          return store.grant({
            ...termsOf(fields),
            validity: text(fields.validity),
            evidence: evidenceOf(fields),
          });
        case 'request':
          return store.request(termsOf(fields), evidenceOf(fields));
        case 'withdraw':
          return store.withdraw(keyOf(fields), evidenceOf(fields));
        case 'accept':
          return store.accept(keyOf(fields), evidenceOf(fields), text(fields.validity));
        case 'refuse':
          return store.refuse(keyOf(fields), evidenceOf(fields));
        case 'list': {
          const found = store.find({
            subject: text(fields.subject),
            recipient: text(fields.recipient),
            purpose: text(fields.purpose),
          });
          const pending = fields.pending === true;
          return found
            .filter((record) => !pending || record.events.at(-1)?.type === 'requested')
            .map((record) => summary(record, now));
        }
        case 'export':
          return store.find({ subject: text(fields.subject) }).map((record) => toIso27560(record));
        case 'import': {
          const list = Array.isArray(msg.payload) ? msg.payload : fail('notAList');
          // 27560 records (from another system, or an export) or SenFed's own.
          const records = list.map((item: unknown) =>
            typeof item === 'object' && item !== null && 'schema_version' in item
              ? fromIso27560(item)
              : item,
          );
          return store.import(records);
        }
        case 'receipt':
          return consentReceipt(store.records(), required(fields, 'subject'), now, {
            name: text(config.controller) ?? '',
            contact: text(config.controller) ?? '',
            address: '',
            email: text(config.email) ?? '',
            phone: '',
            policyUrl: text(config.policyUrl) ?? '',
            jurisdiction: text(config.jurisdiction) ?? '',
          });
        case 'access': {
          // Right of access and portability (GDPR art. 15, 20): the consents, their history, every share.
          const subject = required(fields, 'subject');
          const rows = entriesOfSubject(store.audit.entries(), subject);
          const answer = {
            subject,
            consents: store.find({ subject }).map((record) => summary(record, now)),
            history: rows.filter(({ entry }) => entry.kind === 'consent'),
            shares: rows.filter(({ entry }) => entry.kind === 'share'),
            auditTreeHead: store.audit.treeHead(),
            auditKey: store.audit.publicKey,
          };
          return text(msg.format) === 'csv' ? auditCsv(rows) : answer;
        }
      }
    }

    node.on('input', (msg: ManageMessage, send, done) => {
      (async () => {
        const action = (text(msg.action) ?? text(config.action) ?? '') as Action;
        if (!ACTIONS.includes(action))
          fail('action', { action: String(msg.action ?? ''), actions: ACTIONS.join(', ') });
        const fields: Fields =
          typeof msg.payload === 'object' && msg.payload !== null && !Array.isArray(msg.payload)
            ? (msg.payload as Fields)
            : {};
        const store = await storeNode.opened;
        msg.payload = await act(action, fields, msg, store);
        node.status({
          fill: 'green',
          shape: 'dot',
          text: RED._(`consent-manage.status.${action}`),
        });
        send(msg);
      })().then(
        () => done(),
        (err: unknown) => reportError(RED._, node, done, err),
      );
    });
  }
  RED.nodes.registerType('consent-manage', ConsentManage);
};
