/** The consent library from the package's main entry, as a function node or another program uses it. */
import assert from 'node:assert/strict';
import { consent } from '../../../lib';

describe("consent from the package's main entry", () => {
  it('filters a pack under a consent, and builds the audit tree', () => {
    const record = consent.newConsentRecord(
      {
        subject: 'household-42',
        recipient: 'sen2.test',
        purpose: 'ServiceProvision',
        scope: { names: ['urn:dev:mac:0024befffe804ff1:'], granularity: 'raw' },
        retention: 'P7D',
      },
      { type: 'given', time: '2026-12-01T00:00:00.000Z' },
    );
    const pack = [
      { n: 'urn:dev:mac:0024befffe804ff1:power', u: 'W', v: 1200, t: 1_764_583_200 },
      { n: 'urn:dev:mac:ffffffffffffffff:power', u: 'W', v: 900, t: 1_764_583_200 },
    ];
    const outcome = consent.filterPack(pack, [record], {
      recipient: 'advisor@sen2.test',
      purpose: 'dpv:ServiceProvision',
      now: Date.UTC(2026, 11, 3),
    });
    assert.deepEqual(outcome.allowed, [pack[0]]);
    assert.equal(outcome.withheld[0].record, pack[1]);
    const tree = new consent.audit.MerkleTree();
    tree.append(consent.canonicalJson({ digest: consent.packDigest(outcome.allowed) }));
    assert.equal(tree.size, 1);
  });
});
