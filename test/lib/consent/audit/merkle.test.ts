/**
 * The RFC 9162 Merkle tree: the worked example of RFC 6962 §2.1.3 (the same
 * 7-leaf tree RFC 9162 §2.1.5 keeps), the Certificate Transparency test vector,
 * and properties over random trees.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MerkleTree,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../../lib/consent/audit/merkle';

const hex = (b: Buffer): string => b.toString('hex');

describe('RFC 9162 Merkle tree', () => {
  describe('the 7-leaf example of RFC 6962 §2.1.3', () => {
    const data = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((d) => Buffer.from(d));
    const tree = new MerkleTree();
    for (const d of data) tree.append(d);
    // The named nodes of the RFC's drawing, built from the definitions alone.
    const [a, b, c, d, e, f] = data.slice(0, 6).map((x) => leafHash(x));
    const j = leafHash(data[6]);
    const g = nodeHash(a, b);
    const h = nodeHash(c, d);
    const i = nodeHash(e, f);
    const k = nodeHash(g, h);
    const l = nodeHash(i, j);
    const hash = nodeHash(k, l);
    const names = new Map(
      [a, b, c, d, e, f, g, h, i, j, k, l].map((n, x) => [hex(n), 'abcdefghijkl'[x]]),
    );
    const named = (proof: Buffer[]): string[] => proof.map((p) => names.get(hex(p)) ?? '?');

    it('has the root of the drawing', () => {
      assert.equal(hex(tree.root()), hex(hash));
      assert.equal(hex(tree.root(4)), hex(k), 'hash1 = k');
      assert.equal(hex(tree.root(3)), hex(nodeHash(g, c)), 'hash0');
      assert.equal(hex(tree.root(6)), hex(nodeHash(k, i)), 'hash2');
    });

    it('gives the audit paths the RFC lists, and they verify', () => {
      const expected: [number, string[]][] = [
        [0, ['b', 'h', 'l']],
        [3, ['c', 'g', 'l']],
        [4, ['f', 'j', 'k']],
        [6, ['i', 'k']],
      ];
      for (const [index, path] of expected) {
        const proof = tree.inclusionProof(index);
        assert.deepEqual(named(proof), path, `d${index}`);
        assert.ok(verifyInclusion(tree.leafHash(index), index, 7, proof, hash));
      }
    });

    it('gives the consistency proofs the RFC lists, and they verify', () => {
      const expected: [number, string[]][] = [
        [3, ['c', 'd', 'g', 'l']],
        [4, ['l']],
        [6, ['i', 'j', 'k']],
      ];
      for (const [size, path] of expected) {
        const proof = tree.consistencyProof(size);
        assert.deepEqual(named(proof), path, `PROOF(${size}, D[7])`);
        assert.ok(verifyConsistency(size, 7, tree.root(size), hash, proof));
      }
    });
  });

  it('matches the Certificate Transparency test vector (8 leaves) and the empty tree', () => {
    const leaves = [
      '',
      '00',
      '10',
      '2021',
      '3031',
      '40414243',
      '5051525354555657',
      '606162636465666768696a6b6c6d6e6f',
    ];
    const tree = new MerkleTree();
    for (const leaf of leaves) tree.append(Buffer.from(leaf, 'hex'));
    assert.equal(
      hex(tree.root()),
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    );
    assert.equal(
      hex(EMPTY_ROOT),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(hex(new MerkleTree().root()), hex(EMPTY_ROOT));
  });

  it('refuses sizes and indexes outside the tree', () => {
    const tree = new MerkleTree();
    tree.append('x');
    assert.throws(() => tree.root(2), { code: 'AUDIT_PROOF' });
    assert.throws(() => tree.inclusionProof(1), { code: 'AUDIT_PROOF' });
    assert.throws(() => tree.consistencyProof(2, 1), { code: 'AUDIT_PROOF' });
  });

  describe('properties over random trees', () => {
    const trees = fc.integer({ min: 1, max: 200 }).map((n) => {
      const tree = new MerkleTree();
      for (let i = 0; i < n; i++) tree.append(`entry ${i}`);
      return tree;
    });
    const flip = (b: Buffer): Buffer => {
      const out = Buffer.from(b);
      out[0] ^= 1;
      return out;
    };

    it('every inclusion proof verifies, and a changed leaf, index, root or proof node does not', () => {
      fc.assert(
        fc.property(trees, fc.nat(), fc.nat(), (tree, a, b) => {
          const size = 1 + (a % tree.size);
          const index = b % size;
          const proof = tree.inclusionProof(index, size);
          const root = tree.root(size);
          const leaf = tree.leafHash(index);
          assert.ok(verifyInclusion(leaf, index, size, proof, root));
          assert.ok(!verifyInclusion(flip(leaf), index, size, proof, root));
          if (size > 1) assert.ok(!verifyInclusion(leaf, (index + 1) % size, size, proof, root));
          // The size goes with its root in a signed head: the root of another size fails.
          if (size < tree.size)
            assert.ok(!verifyInclusion(leaf, index, size, proof, tree.root(size + 1)));
          for (let p = 0; p < proof.length; p++) {
            const bad = proof.map((x, q) => (q === p ? flip(x) : x));
            assert.ok(!verifyInclusion(leaf, index, size, bad, root));
          }
        }),
        { numRuns: 200 },
      );
    });

    it('every consistency proof verifies, and a changed root, size or proof node does not', () => {
      fc.assert(
        fc.property(trees, fc.nat(), fc.nat(), (tree, a, b) => {
          const second = 1 + (a % tree.size);
          const first = 1 + (b % second);
          const proof = tree.consistencyProof(first, second);
          const r1 = tree.root(first);
          const r2 = tree.root(second);
          assert.ok(verifyConsistency(first, second, r1, r2, proof));
          if (first < second) {
            assert.ok(!verifyConsistency(first, second, flip(r1), r2, proof));
            assert.ok(!verifyConsistency(first, second, r1, flip(r2), proof));
            for (let p = 0; p < proof.length; p++) {
              const bad = proof.map((x, q) => (q === p ? flip(x) : x));
              assert.ok(!verifyConsistency(first, second, r1, r2, bad));
            }
          }
          if (first > 1 && first < second)
            assert.ok(!verifyConsistency(first - 1, second, r1, r2, proof));
        }),
        { numRuns: 200 },
      );
    });
  });
});
