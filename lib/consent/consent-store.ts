import { EventEmitter } from 'node:events';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { sentence, type Sentence } from '../errors';
import { isMissing, makePrivateDirectory, narrowFile, replaceFile, setAside } from '../store/files';
import { AuditLog, type SignedTreeHead } from './audit';
import { CONSENT_STORE_MESSAGES, ConsentStoreError } from './consent-store-messages';
import { formatInstant } from './duration';
import { dueExpiries, recipientCovers } from './evaluate';
import {
  systemClock,
  type Clock,
  type ConsentEvent,
  type ConsentEventType,
  type ConsentRecord,
  type DataScope,
  type Evidence,
  type ShareAuditEntry,
} from './model';
import { purposeIri } from './purposes';
import { appendEvent, newConsentRecord, validateConsentRecord } from './records';

export const CONSENTS_FORMAT = 'senfed-consents/1';

/** What a grant or a request says: who, to whom, why, what data, how long kept. */
export interface ConsentTerms {
  subject: string;
  recipient: string;
  /** A DPV purpose: IRI, `dpv:Name` or `Name`. */
  purpose: string;
  scope: DataScope;
  /** How long the recipient may keep the data (ISO 8601 duration). */
  retention: string;
  controller?: string;
}

/** A consent named by its id, or by its subject, recipient and purpose. */
export type ConsentKey = string | { subject: string; recipient: string; purpose: string };

/** A change, as 'change' events give it: the record after it, and the event it got. */
export interface ConsentChange {
  record: ConsentRecord;
  event: ConsentEvent;
}

/**
 * The consents of one Node-RED instance, and their audit log. Records are kept
 * in `<dir>/consents.json` by atomic replace (lib/store/files.ts: temporary
 * file, fsync, rename, folder fsync), the log in `<dir>/audit` (an RFC 9162
 * tree over an fsync'ed append-only file).
 *
 * Every change runs alone, in call order: the event is written to the audit log
 * first, then the document; only then does the store show it, and 'change' is
 * emitted. A change whose audit entry cannot be written is not made. A crash
 * between the two leaves an audit entry of a change the store does not hold:
 * the log says what was asked, never less than what was in force.
 *
 * A document that cannot be read is kept aside as `consents.json.corrupt-<time>`
 * and the store starts empty, which denies everything, with a warning.
 */
export class ConsentStore extends EventEmitter {
  readonly directory: string;
  readonly file: string;
  readonly audit: AuditLog;
  readonly warnings: Sentence[] = [];
  readonly #clock: Clock;
  #records: ConsentRecord[] = [];
  #writing: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(directory: string, audit: AuditLog, clock: Clock) {
    super();
    this.directory = directory;
    this.file = path.join(directory, 'consents.json');
    this.audit = audit;
    this.#clock = clock;
  }

  static async open(directory: string, options: { clock?: Clock } = {}): Promise<ConsentStore> {
    const dir = path.resolve(directory);
    await makePrivateDirectory(dir);
    const clock = options.clock ?? systemClock;
    const audit = await AuditLog.open(path.join(dir, 'audit'), { clock });
    const store = new ConsentStore(dir, audit, clock);
    try {
      await store.#load();
    } catch (err) {
      await audit.close();
      throw err;
    }
    return store;
  }

  /** Every record, oldest first. */
  records(): readonly ConsentRecord[] {
    return this.#records;
  }

  get(id: string): ConsentRecord | undefined {
    return this.#records.find((record) => record.id === id);
  }

  /** The records matching every field given (the recipient as a JID its record covers, or equal). */
  find(query: { subject?: string; recipient?: string; purpose?: string } = {}): ConsentRecord[] {
    const purpose = query.purpose === undefined ? undefined : purposeIri(query.purpose);
    return this.#records.filter(
      (record) =>
        (query.subject === undefined || record.subject === query.subject) &&
        (purpose === undefined || record.purpose === purpose) &&
        (query.recipient === undefined ||
          record.recipient === query.recipient ||
          recipientCovers(record.recipient, query.recipient)),
    );
  }

  subjects(): string[] {
    return distinct(this.#records.map((record) => record.subject));
  }

  recipients(): string[] {
    return distinct(this.#records.map((record) => record.recipient));
  }

  purposes(): string[] {
    return distinct(this.#records.map((record) => record.purpose));
  }

  /** Records waiting for the subject's answer: their last event is `requested`. */
  pending(): ConsentRecord[] {
    return this.#records.filter((record) => record.events.at(-1)?.type === 'requested');
  }

  /**
   * Consent given: a `given` event on the record of the same subject, recipient
   * and purpose, or on a new one. The newest grant's scope and retention replace
   * the record's. `validity`: how long it holds (ISO 8601); none: until withdrawn.
   */
  grant(terms: ConsentTerms & { validity?: string; evidence: Evidence }): Promise<ConsentRecord> {
    return this.#change(() => {
      const event: ConsentEvent = this.#event('given', terms.evidence, terms.validity);
      const existing = this.#byTerms(terms);
      if (!existing) return newConsentRecord(fieldsOf(terms), event);
      return appendEvent({ ...existing, ...fieldsOf(terms), id: existing.id }, event);
    });
  }

  /** Consent withdrawn: in force from the event's time (the data sent after it is none). */
  withdraw(key: ConsentKey, evidence: Evidence): Promise<ConsentRecord> {
    return this.#change(() => appendEvent(this.#find(key), this.#event('withdrawn', evidence)));
  }

  /** A recipient asked: a `requested` event, on a new record when there is none. */
  request(terms: ConsentTerms, evidence: Evidence): Promise<ConsentRecord> {
    return this.#change(() => {
      const event = this.#event('requested', evidence);
      const existing = this.#byTerms(terms);
      return existing ? appendEvent(existing, event) : newConsentRecord(fieldsOf(terms), event);
    });
  }

  /** The subject accepts a pending request: `given`, with the validity chosen then. */
  accept(key: ConsentKey, evidence: Evidence, validity?: string): Promise<ConsentRecord> {
    return this.#change(() => {
      const record = this.#pendingRecord(key);
      return appendEvent(record, this.#event('given', evidence, validity));
    });
  }

  /** The subject refuses: `refused` (a pending request, or any consent by its key). */
  refuse(key: ConsentKey, evidence: Evidence): Promise<ConsentRecord> {
    return this.#change(() => appendEvent(this.#find(key), this.#event('refused', evidence)));
  }

  /** Write `expired` for every consent whose validity has passed; resolves with those. */
  async expireDue(): Promise<ConsentRecord[]> {
    const expired: ConsentRecord[] = [];
    for (const due of dueExpiries(this.#records, this.#clock())) {
      const evidence: Evidence = { method: 'automatic', by: 'consent store' };
      expired.push(
        await this.#change(() => {
          const current = this.get(due.id);
          if (!current) throw new ConsentStoreError('CONSENT_STORE_UNKNOWN', { consent: due.id });
          return appendEvent(current, this.#event('expired', evidence));
        }),
      );
    }
    return expired;
  }

  /**
   * Take records from an export (this store's, or 27560 records read with
   * fromIso27560): each is checked, and replaces the record of the same id. The
   * audit log gets each record's last event, marked `import`.
   */
  async import(records: unknown): Promise<ConsentRecord[]> {
    if (!Array.isArray(records))
      throw new ConsentStoreError('CONSENT_STORE_NOT_A_LIST', { got: typeof records });
    const valid = records.map((record) => validateConsentRecord(record));
    const out: ConsentRecord[] = [];
    for (const record of valid) out.push(await this.#change(() => record));
    return out;
  }

  /** Every record, as plain JSON (a copy): what import takes back. */
  export(): ConsentRecord[] {
    return structuredClone(this.#records);
  }

  /**
   * Write a share to the audit log (its time is now); resolves with its leaf
   * index and a signed tree head that covers it.
   */
  async recordShare(
    share: Omit<ShareAuditEntry, 'kind' | 'time'>,
  ): Promise<{ index: number; treeHead: SignedTreeHead }> {
    this.#checkOpen();
    const { index } = await this.audit.append({
      kind: 'share',
      time: formatInstant(this.#clock()),
      ...share,
    });
    return { index, treeHead: this.audit.treeHead() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writing.catch(() => undefined);
    await this.audit.close();
  }

  #event(type: ConsentEventType, evidence: Evidence, validity?: string): ConsentEvent {
    const event: ConsentEvent = { type, time: formatInstant(this.#clock()), evidence };
    if (validity !== undefined && validity !== '') event.validity = validity;
    return event;
  }

  #byTerms(terms: {
    subject: string;
    recipient: string;
    purpose: string;
  }): ConsentRecord | undefined {
    const purpose = purposeIri(terms.purpose);
    return this.#records.find(
      (record) =>
        record.subject === terms.subject &&
        record.recipient.toLowerCase() === terms.recipient.toLowerCase() &&
        record.purpose === purpose,
    );
  }

  #find(key: ConsentKey): ConsentRecord {
    if (typeof key === 'string') {
      const record = this.get(key);
      if (!record) throw new ConsentStoreError('CONSENT_STORE_UNKNOWN', { consent: key });
      return record;
    }
    if (!key || typeof key !== 'object' || !key.subject || !key.recipient || !key.purpose)
      throw new ConsentStoreError('CONSENT_STORE_NO_KEY');
    const record = this.#byTerms(key);
    if (!record)
      throw new ConsentStoreError('CONSENT_STORE_UNKNOWN', {
        consent: `${key.subject} → ${key.recipient} (${key.purpose})`,
      });
    return record;
  }

  #pendingRecord(key: ConsentKey): ConsentRecord {
    const record = this.#find(key);
    const last = record.events.at(-1)?.type ?? 'none';
    if (last !== 'requested')
      throw new ConsentStoreError('CONSENT_STORE_NOT_REQUESTED', {
        consent: record.id,
        state: last,
      });
    return record;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new ConsentStoreError('CONSENT_STORE_CLOSED', { directory: this.directory });
  }

  /**
   * One change at a time, on the state the one before left: build the new
   * record, write its last event to the audit log, write the document, then
   * show it.
   */
  #change(build: () => ConsentRecord): Promise<ConsentRecord> {
    const run = this.#writing.then(async () => {
      this.#checkOpen();
      const record = build();
      const event = record.events.at(-1)!;
      try {
        await this.audit.append({
          kind: 'consent',
          time: formatInstant(this.#clock()),
          consent: record.id,
          subject: record.subject,
          recipient: record.recipient,
          purpose: record.purpose,
          event,
        });
      } catch (err) {
        throw new ConsentStoreError('CONSENT_STORE_AUDIT_FAILED', {}, { cause: err });
      }
      const next = this.#records.filter((known) => known.id !== record.id);
      const at = this.#records.findIndex((known) => known.id === record.id);
      next.splice(at === -1 ? next.length : at, 0, record);
      await this.#save(next);
      this.#records = next;
      this.emit('change', { record, event } satisfies ConsentChange);
      return record;
    });
    this.#writing = run.catch(() => undefined);
    return run;
  }

  async #save(records: ConsentRecord[]): Promise<void> {
    const text = `${JSON.stringify({ format: CONSENTS_FORMAT, records }, null, 1)}\n`;
    try {
      await replaceFile(this.file, text);
    } catch (err) {
      throw new ConsentStoreError(
        'CONSENT_STORE_WRITE_FAILED',
        { file: this.file },
        { cause: err },
      );
    }
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
      await narrowFile(this.file);
    } catch (err) {
      if (isMissing(err)) return;
      throw new ConsentStoreError('CONSENT_STORE_READ_FAILED', { file: this.file }, { cause: err });
    }
    const records = readConsents(text);
    if (records) {
      this.#records = records;
      return;
    }
    const copy = await setAside(this.file);
    this.warnings.push(
      sentence('CONSENT_STORE_UNREADABLE', CONSENT_STORE_MESSAGES.CONSENT_STORE_UNREADABLE, {
        file: this.file,
        copy,
      }),
    );
  }
}

/** The records of a consents document; undefined when it is not one, or holds a record that is not valid. */
function readConsents(text: string): ConsentRecord[] | undefined {
  try {
    const document = JSON.parse(text) as { format?: unknown; records?: unknown };
    if (document.format !== CONSENTS_FORMAT || !Array.isArray(document.records)) return undefined;
    return document.records.map((record) => validateConsentRecord(record));
  } catch {
    return undefined;
  }
}

function fieldsOf(terms: ConsentTerms): Omit<ConsentRecord, 'id' | 'events'> {
  const fields: Omit<ConsentRecord, 'id' | 'events'> = {
    subject: terms.subject,
    recipient: terms.recipient,
    purpose: purposeIri(terms.purpose),
    scope: terms.scope,
    retention: terms.retention,
  };
  if (terms.controller !== undefined) fields.controller = terms.controller;
  return fields;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}
