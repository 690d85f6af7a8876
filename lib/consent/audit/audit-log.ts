import type { KeyObject } from 'node:crypto';
import * as path from 'node:path';
import { AppendLog } from '../../store/append-log';
import { makePrivateDirectory } from '../../store/files';
import { canonicalJson } from '../digest';
import { systemClock, type AuditEntry, type Clock } from '../model';
import { MerkleTree } from './merkle';
import { AuditError } from './messages';
import {
  type SignedTreeHead,
  loadOrCreateSigningKey,
  publicKeyBase64,
  signTreeHead,
} from './tree-head';

export interface AuditLogOptions {
  /** Sign a tree head by itself every this many appends (default 100). */
  signEvery?: number;
  clock?: Clock;
}

/** An inclusion proof, hashes in base64 (RFC 9162 §2.1.3). */
export interface InclusionProof {
  index: number;
  treeSize: number;
  proof: string[];
}

/** A consistency proof, hashes in base64 (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  first: number;
  second: number;
  proof: string[];
}

/**
 * The audit trail of consents and shares: every entry an RFC 9162 leaf, kept in
 * `<dir>/audit.log` (lib/store's AppendLog: one fsync'ed, hash-chained JSON line
 * each, never rewritten), and signed tree heads made with the instance's Ed25519
 * key, kept in `<dir>/signing-key.pem` (0600). The leaf of an entry is its
 * canonical JSON (digest.ts), so anyone holding the entry can recompute it.
 *
 * The tree and the entries are rebuilt in memory at open, after the whole file
 * was checked: a log whose chain is broken is not opened (AUDIT_LOG_DAMAGED,
 * naming the first bad line), since appending to it would sign over damage.
 */
export class AuditLog {
  readonly directory: string;
  readonly file: string;
  readonly publicKey: string;
  readonly signEvery: number;
  readonly #log: AppendLog<AuditEntry>;
  readonly #key: KeyObject;
  readonly #clock: Clock;
  readonly #tree = new MerkleTree();
  readonly #entries: AuditEntry[] = [];
  #head: SignedTreeHead | undefined;
  /** Leaves on disk from the first one on: what a signed head may cover. */
  #durable = 0;
  readonly #confirmed = new Set<number>();
  /** Set when a write failed: the tree holds a leaf the file may not, so nothing more is signed. */
  #failure: unknown;

  private constructor(
    directory: string,
    log: AppendLog<AuditEntry>,
    key: KeyObject,
    options: AuditLogOptions,
  ) {
    this.directory = directory;
    this.file = log.file;
    this.#log = log;
    this.#key = key;
    this.publicKey = publicKeyBase64(key);
    this.signEvery = Math.max(1, Math.floor(options.signEvery ?? 100));
    this.#clock = options.clock ?? systemClock;
  }

  static async open(directory: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    const dir = path.resolve(directory);
    let log: AppendLog<AuditEntry>;
    let key: KeyObject;
    try {
      await makePrivateDirectory(dir);
      key = await loadOrCreateSigningKey(path.join(dir, 'signing-key.pem'));
      log = await AppendLog.open<AuditEntry>(path.join(dir, 'audit.log'));
    } catch (err) {
      if (err instanceof AuditError) throw err;
      throw new AuditError('AUDIT_LOG_OPEN_FAILED', { directory: dir }, { cause: err });
    }
    const audit = new AuditLog(dir, log, key, options);
    try {
      const checked = await log.verify();
      if (checked.problems.length > 0)
        throw new AuditError('AUDIT_LOG_DAMAGED', { file: log.file, problem: checked.problems[0] });
      for await (const record of log.records()) audit.#add(record.entry);
      audit.#durable = audit.size;
    } catch (err) {
      await log.close();
      throw err;
    }
    return audit;
  }

  /** Entries in the log, those being written included. */
  get size(): number {
    return this.#tree.size;
  }

  /**
   * Add an entry; resolves with its leaf index once its line is on disk. A tree
   * head is signed every `signEvery` entries.
   */
  async append(entry: AuditEntry): Promise<{ index: number; leafHash: string }> {
    this.#checkUsable();
    const leaf = canonicalJson(entry);
    const stored = JSON.parse(leaf) as AuditEntry;
    // Into the tree at once, in call order: the order the log gives the lines their numbers.
    const written = this.#log.append(stored);
    const index = this.#add(stored, leaf);
    try {
      await written;
    } catch (err) {
      this.#failure ??= err;
      throw err;
    }
    this.#confirmed.add(index);
    while (this.#confirmed.delete(this.#durable)) this.#durable += 1;
    if ((index + 1) % this.signEvery === 0) this.treeHead();
    return { index, leafHash: this.#tree.leafHash(index).toString('base64') };
  }

  /**
   * A head over the entries on disk (never over one still being written, which a
   * crash could take back), signed again only when that grew since the last one.
   */
  treeHead(): SignedTreeHead {
    this.#checkUsable();
    const size = this.#durable;
    if (this.#head?.treeSize !== size)
      this.#head = signTreeHead(size, this.#tree.root(size), this.#clock(), this.#key);
    return this.#head;
  }

  /** The root hash (base64) of the tree of the first `size` entries. */
  rootHash(size = this.size): string {
    return this.#tree.root(size).toString('base64');
  }

  inclusionProof(index: number, treeSize = this.size): InclusionProof {
    const proof = this.#tree.inclusionProof(index, treeSize).map((h) => h.toString('base64'));
    return { index, treeSize, proof };
  }

  consistencyProof(first: number, second = this.size): ConsistencyProof {
    const proof = this.#tree.consistencyProof(first, second).map((h) => h.toString('base64'));
    return { first, second, proof };
  }

  entry(index: number): AuditEntry {
    const entry = this.#entries[index];
    if (entry === undefined)
      throw new AuditError('AUDIT_OUT_OF_RANGE', {
        what: 'index',
        value: String(index),
        size: this.size,
      });
    return entry;
  }

  /** Every entry, oldest first. */
  entries(): readonly AuditEntry[] {
    return this.#entries;
  }

  async close(): Promise<void> {
    await this.#log.close();
  }

  #add(entry: AuditEntry, leaf = canonicalJson(entry)): number {
    this.#entries.push(entry);
    return this.#tree.append(leaf);
  }

  #checkUsable(): void {
    if (this.#failure !== undefined)
      throw new AuditError('AUDIT_LOG_FAILED', { file: this.file }, { cause: this.#failure });
  }
}
