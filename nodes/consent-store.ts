import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ConsentStore } from '../lib/consent/consent-store';
import { consentState, validUntil } from '../lib/consent/evaluate';
import { DPV_PURPOSES, purposeDescription, purposeLabel } from '../lib/consent/purposes';
import type { ConsentStoreNode } from './support/consent';
import { errorText, localError } from './support/errors';
import { nodeStoragePath, removeNodeStorage } from './support/storage';

/** How often lapsed consents are written down as expired. */
const EXPIRY_CHECK_MS = 60_000;

/** The editor's language, as the purposes' labels take it (`fr-FR` reads as `fr`). */
const languageOf = (lang: unknown): string => (typeof lang === 'string' ? lang : 'en-US');

export = function register(RED: NodeAPI): void {
  function ConsentStoreConfig(this: ConsentStoreNode, config: NodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const directory = nodeStoragePath(RED, 'consents', node.id);
    node.opened = ConsentStore.open(directory);
    let timer: NodeJS.Timeout | undefined;
    node.opened.then(
      (store) => {
        for (const warning of store.warnings) node.warn(errorText(RED._, warning));
        // Expiry is an event of its own in the audit log: written when its time has come, each minute.
        const expire = (): void => {
          store.expireDue().then(
            (expired) => {
              for (const record of expired)
                node.log(
                  RED._('consent-store.log.expired', { id: record.id, subject: record.subject }),
                );
            },
            (err: unknown) => node.warn(errorText(RED._, err)),
          );
        };
        expire();
        timer = setInterval(expire, EXPIRY_CHECK_MS);
        timer.unref?.();
      },
      (err: unknown) => node.error(localError(RED._, err)),
    );
    // Deleted from the flow (not a redeploy, not a restart): the consents and the audit log go with it.
    node.on('close', (removed: boolean, done: () => void) => {
      clearInterval(timer);
      node.opened
        .then(async (store) => {
          const count = store.records().length;
          await store.close();
          if (removed) await removeNodeStorage(RED, node as Node, directory, count);
        })
        .catch(() => undefined)
        .finally(done);
    });
  }
  RED.nodes.registerType('consent-store', ConsentStoreConfig as never);

  // The DPV purposes, labelled in the editor's language: every consent and federation dialog lists them.
  RED.httpAdmin.get(
    '/senfed/consent/purposes',
    RED.auth.needsPermission('consent-store.read'),
    (req, res) => {
      const lang = languageOf(req.query.lang);
      res.json(
        DPV_PURPOSES.map((purpose) => ({
          iri: purpose.iri,
          label: purposeLabel(purpose.iri, lang),
          description: purposeDescription(purpose.iri, lang),
        })),
      );
    },
  );

  // What a deployed store holds, for the dialogs' lists: subjects, recipients, purposes, and each consent's state now.
  RED.httpAdmin.get(
    '/senfed/consent-store/:id',
    RED.auth.needsPermission('consent-store.read'),
    (req, res) => {
      const storeNode = RED.nodes.getNode(String(req.params.id)) as ConsentStoreNode | null;
      if (!storeNode?.opened) {
        res
          .status(404)
          .json({ code: 'notDeployed', error: RED._('consent-store.errors.notDeployed') });
        return;
      }
      const lang = languageOf(req.query.lang);
      storeNode.opened.then(
        (store) => {
          const now = Date.now();
          res.json({
            subjects: store.subjects(),
            recipients: store.recipients(),
            purposes: store.purposes().map((iri) => ({ iri, label: purposeLabel(iri, lang) })),
            consents: store.records().map((record) => {
              const until = validUntil(record, now);
              return {
                id: record.id,
                subject: record.subject,
                recipient: record.recipient,
                purpose: record.purpose,
                granularity: record.scope.granularity,
                state: consentState(record, now),
                until: until === undefined ? null : new Date(until).toISOString(),
              };
            }),
            pending: store.pending().length,
            auditEntries: store.audit.size,
          });
        },
        (err: unknown) => res.status(503).json({ code: 'notOpen', error: errorText(RED._, err) }),
      );
    },
  );
};
