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

/** The Certificate Transparency test vectors over the 8 leaves below (roots by size, proofs). */
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CT_CONSISTENCY: [number, number, string[]][] = [
  [
    2,
    8,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

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

  describe('the Certificate Transparency test vectors', () => {
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
    const bytes = (list: string[]): Buffer[] => list.map((h) => Buffer.from(h, 'hex'));

    it('has the root of every size from 0 to 8', () => {
      assert.equal(hex(EMPTY_ROOT), CT_ROOTS[0]);
      for (let size = 0; size <= 8; size++)
        assert.equal(hex(tree.root(size)), CT_ROOTS[size], `size ${size}`);
    });

    it('gives their inclusion proofs, which verify', () => {
      for (const [index, size, proof] of CT_INCLUSION) {
        assert.deepEqual(
          tree.inclusionProof(index, size).map(hex),
          proof,
          `leaf ${index} of ${size}`,
        );
        assert.ok(
          verifyInclusion(
            tree.leafHash(index),
            index,
            size,
            bytes(proof),
            Buffer.from(CT_ROOTS[size], 'hex'),
          ),
        );
      }
    });

    it('gives their consistency proofs, which verify', () => {
      for (const [first, second, proof] of CT_CONSISTENCY) {
        assert.deepEqual(
          tree.consistencyProof(first, second).map(hex),
          proof,
          `${first} to ${second}`,
        );
        const [r1, r2] = [CT_ROOTS[first], CT_ROOTS[second]].map((r) => Buffer.from(r, 'hex'));
        assert.ok(verifyConsistency(first, second, r1, r2, bytes(proof)));
      }
    });
  });

  it('appends 100,000 leaves, then answers any root and proof from its cached subtrees', function () {
    this.timeout(20_000);
    const tree = new MerkleTree();
    for (let i = 0; i < 100_000; i++) tree.append(`entry ${i}`);
    const started = performance.now();
    for (let k = 0; k < 200; k++) {
      const size = 1 + ((k * 7919) % 100_000);
      const index = (k * 104_729) % size;
      const proof = tree.inclusionProof(index, size);
      assert.ok(proof.length <= 17);
      assert.ok(verifyInclusion(tree.leafHash(index), index, size, proof, tree.root(size)));
    }
    // Rehashing the tree for each would take seconds; O(log n) each takes milliseconds.
    assert.ok(performance.now() - started < 2000, `${performance.now() - started} ms`);
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
