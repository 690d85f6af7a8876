import { createHash } from 'node:crypto';
import { AuditError } from './messages';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0) §2.1, over the
 * audit log's entries, with its inclusion and consistency proofs and their
 * verification, as the RFC writes them:
 *
 *   MTH({})        = SHA-256()
 *   MTH({d0})      = SHA-256(0x00 || d0)                           (a leaf)
 *   MTH(D[n])      = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   (k: the largest power of 2 < n)
 *
 * The 0x00/0x01 prefixes keep a leaf from passing for a node (second preimage).
 */
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export function leafHash(entry: Buffer | string): Buffer {
  return createHash('sha256').update(LEAF).update(entry).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

export const EMPTY_ROOT = createHash('sha256').digest();

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Leaf hashes, and the hashes of every complete subtree (2^level leaves from a
 * multiple of 2^level) kept as leaves arrive, so that a root or a proof of any
 * size takes O(log n) hashes: every range the RFC's recursions visit is a
 * complete subtree or splits into one and a smaller range.
 */
export class MerkleTree {
  /** levels[0]: leaf hashes; levels[l][i]: the subtree of leaves i·2^l .. (i+1)·2^l - 1. */
  readonly #levels: Buffer[][] = [[]];

  get size(): number {
    return this.#levels[0].length;
  }

  /** Add a leaf by its entry bytes; returns its index. */
  append(entry: Buffer | string): number {
    return this.appendLeafHash(leafHash(entry));
  }

  appendLeafHash(hash: Buffer): number {
    const index = this.#levels[0].length;
    this.#levels[0].push(hash);
    // Complete the subtrees this leaf closes.
    for (let level = 1, count = index + 1; count % 2 === 0; level++, count /= 2) {
      const below = this.#levels[level - 1];
      (this.#levels[level] ??= []).push(nodeHash(below[below.length - 2], below[below.length - 1]));
    }
    return index;
  }

  leafHash(index: number): Buffer {
    this.#check(index, this.size - 1);
    return this.#levels[0][index];
  }

  /** MTH of the first `size` leaves (the whole tree by default). */
  root(size = this.size): Buffer {
    this.#check(size, this.size);
    return size === 0 ? EMPTY_ROOT : this.#range(0, size);
  }

  /** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size = this.size): Buffer[] {
    this.#check(size, this.size);
    if (!(Number.isSafeInteger(index) && index >= 0 && index < size))
      throw new AuditError('AUDIT_OUT_OF_RANGE', { what: 'index', value: String(index), size });
    const proof: Buffer[] = [];
    this.#path(index, 0, size, proof);
    return proof;
  }

  /** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the tree of `first` leaves is a prefix of the one of `second`. */
  consistencyProof(first: number, second = this.size): Buffer[] {
    this.#check(second, this.size);
    if (!(Number.isSafeInteger(first) && first >= 0 && first <= second))
      throw new AuditError('AUDIT_OUT_OF_RANGE', {
        what: 'size',
        value: String(first),
        size: second,
      });
    const proof: Buffer[] = [];
    if (first > 0 && first < second) this.#subproof(first, 0, second, true, proof);
    return proof;
  }

  /** MTH(D[start:start+n]); `start` is a multiple of the largest power of two below n, as in every recursion here. */
  #range(start: number, n: number): Buffer {
    if ((n & (n - 1)) === 0) {
      const level = Math.log2(n);
      return this.#levels[level][start / n];
    }
    const k = split(n);
    return nodeHash(this.#range(start, k), this.#range(start + k, n - k));
  }

  #path(m: number, start: number, n: number, out: Buffer[]): void {
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      this.#path(m, start, k, out);
      out.push(this.#range(start + k, n - k));
    } else {
      this.#path(m - k, start + k, n - k, out);
      out.push(this.#range(start, k));
    }
  }

  #subproof(m: number, start: number, n: number, whole: boolean, out: Buffer[]): void {
    if (m === n) {
      if (!whole) out.push(this.#range(start, n));
      return;
    }
    const k = split(n);
    if (m <= k) {
      this.#subproof(m, start, k, whole, out);
      out.push(this.#range(start + k, n - k));
    } else {
      this.#subproof(m - k, start + k, n - k, false, out);
      out.push(this.#range(start, k));
    }
  }

  #check(value: number, max: number): void {
    if (!Number.isSafeInteger(value) || value < 0 || value > max)
      throw new AuditError('AUDIT_OUT_OF_RANGE', {
        what: 'size',
        value: String(value),
        size: this.size,
      });
  }
}

const lsb = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `proof` show the leaf `hash` at `index` in the tree of `size` whose root is `root`? */
export function verifyInclusion(
  hash: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size)
    return false;
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn))
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else r = nodeHash(r, p);
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show that the tree of `first` leaves (root `firstRoot`) is a prefix of the one of `second`? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second)) || first < 0 || first > second)
    return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0 && firstRoot.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn))
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else sr = nodeHash(sr, c);
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}
