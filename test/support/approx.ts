import assert from 'node:assert/strict';

/** Times are sums of doubles (bt + t); compare them to a microsecond, everything else exactly. */
export function assertRecordsEqual(
  actual: readonly Record<string, unknown>[],
  expected: readonly Record<string, unknown>[],
): void {
  assert.equal(
    actual.length,
    expected.length,
    `expected ${expected.length} records, got ${actual.length}: ${JSON.stringify(actual)}`,
  );
  actual.forEach((record, i) => {
    const { t, ...rest } = record;
    const { t: expectedT, ...expectedRest } = expected[i];
    assert.deepEqual(rest, expectedRest, `record ${i}`);
    assert.ok(
      Math.abs((t as number) - (expectedT as number)) < 1e-6,
      `record ${i}: t ${t} is not ${expectedT}`,
    );
  });
}
