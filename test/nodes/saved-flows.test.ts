/**
 * Saved flows keep working after an upgrade: a flow saved by release 0.1.0 (every
 * node type, every option) loads with nothing changed and nothing to say, and
 * data goes through it; a flow saved before options existed loads in today's
 * shape with the meaning it had, and says once what the user can now choose.
 * What those older meanings do against real servers is tested with the nodes
 * (federation.test.ts, commands.test.ts); here: the reading of saved options.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { senml } from '../../lib';
import { MIGRATIONS, migrateConfig } from '../../nodes/support/migrations';
import {
  accountNode,
  collect,
  decodeNode,
  discoverNode,
  encodeNode,
  helper,
  provideNode,
  publishNode,
  replyNode,
  requestNode,
  subscribeNode,
  until,
} from './helper';

const ROOT = join(__dirname, '..', '..', '..');
const savedFlow = (name: string): Record<string, unknown>[] =>
  JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'flows', name), 'utf8'));
const nodes = [
  accountNode,
  decodeNode,
  encodeNode,
  publishNode,
  subscribeNode,
  discoverNode,
  requestNode,
  provideNode,
  replyNode,
];
const NODE_TYPES = [
  'xmpp-account',
  'senml-decode',
  'senml-encode',
  'federation-publish',
  'federation-subscribe',
  'federation-discover',
  'federation-request',
  'federation-provide',
  'federation-reply',
];

/** What migrateConfig does with a saved node, and what it warns, without a runtime. */
function migrated(config: Record<string, unknown>): {
  config: Record<string, unknown>;
  notices: string[];
} {
  const notices: string[] = [];
  const RED = { _: (key: string) => key } as never;
  const node = { warn: (text: string) => notices.push(text) } as never;
  return {
    config: migrateConfig(RED, node, config as never) as unknown as Record<string, unknown>,
    notices,
  };
}

describe('saved flows', function () {
  this.timeout(30_000);
  let userDir: string;
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-saved-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('the 0.1.0 flow holds every node type', () => {
    assert.deepEqual(
      [...new Set(savedFlow('saved-0.1.0.json').map((n) => n.type))]
        .filter((t) => t !== 'tab')
        .sort(),
      [...NODE_TYPES].sort(),
    );
  });

  it('a flow saved by 0.1.0 reads as it was saved: no option changed, nothing to say', () => {
    for (const saved of savedFlow('saved-0.1.0.json').filter((n) => n.type !== 'tab')) {
      const { config, notices } = migrated(saved);
      assert.deepEqual(config, saved, `${String(saved.type)}: options changed`);
      assert.deepEqual(notices, [], String(saved.type));
    }
  });

  it('a flow saved by 0.1.0 loads in the runtime, every node starts without an error, and a pack goes through decode and encode', async () => {
    const flow = savedFlow('saved-0.1.0.json');
    const encode = flow.find((n) => n.type === 'senml-encode')!;
    encode.wires = [['out']];
    await helper.load(nodes, [...flow, { id: 'out', type: 'helper', z: encode.z }]);
    for (const type of NODE_TYPES)
      assert.ok(
        flow.some((n) => n.type === type && helper.getNode(String(n.id))),
        `${type} did not start`,
      );
    const out = collect('out');
    const pack =
      '[{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1.7e9,"n":"temperature","u":"Cel","v":21.5},{"n":"battery","u":"V","v":3.7,"t":60}]';
    helper.getNode('d3c0de0000000001').receive({ payload: pack });
    await until('the encoded pack', () => out.length === 1);
    assert.deepEqual(
      senml.decode(out[0].payload),
      senml.decode(pack),
      'the same readings come out',
    );
    const log = helper.log().args.map(([event]) => event);
    assert.deepEqual(
      log
        .filter((event) => event.level === helper.log().ERROR)
        .map((event) => `${event.type}: ${event.msg}`),
      [],
    );
    assert.deepEqual(
      log
        .filter((event) => event.level === helper.log().WARN && /^federation-/.test(event.type))
        .map((event) => `${event.type}: ${event.msg}`),
      [],
    );
  });

  it("a flow saved before the options existed loads in today's shape, keeping its meaning, and says so once per node", () => {
    const [provide, direct, followed] = savedFlow('saved-before-options.json').filter((n) =>
      String(n.type).startsWith('federation-'),
    );
    assert.deepEqual(migrated(provide), {
      config: { ...provide, handleSubscriptions: true, timeout: '30' },
      notices: ['federation-provide.warn.everyone'],
    });
    assert.deepEqual(migrated(direct), {
      config: { ...direct, quoalise: true, quoaliseFrom: '*' },
      notices: ['federation-subscribe.warn.anySender'],
    });
    assert.deepEqual(migrated(followed), {
      config: { ...followed, quoaliseFrom: '*' },
      notices: ['federation-subscribe.warn.anySender'],
    });
    // Saved today with the option off: nothing to read differently.
    assert.deepEqual(migrated({ ...direct, quoalise: false }).config, {
      ...direct,
      quoalise: false,
    });
  });

  it('a flow saved before the options existed starts in the runtime with those notices, once each', async () => {
    await helper.load(nodes, savedFlow('saved-before-options.json'));
    const warnings = helper
      .log()
      .args.map(([event]) => event)
      .filter((event) => event.level === helper.log().WARN && /^federation-/.test(event.type))
      .map((event) => `${event.id}: ${event.msg}`);
    assert.deepEqual(warnings.sort(), [
      '01d0000000000001: federation-provide.warn.everyone',
      '01d0000000000002: federation-subscribe.warn.anySender',
      '01d0000000000003: federation-subscribe.warn.anySender',
    ]);
  });

  it('every migration leaves a shape it no longer applies to, and its notice exists in en-US, fr and nl', () => {
    for (const [type, migrations] of Object.entries(MIGRATIONS)) {
      assert.ok(NODE_TYPES.includes(type), type);
      for (const migration of migrations) {
        assert.equal(
          migration.applies(migration.apply({ type })),
          false,
          `${type}: ${migration.change}`,
        );
        if (!migration.notice) continue;
        for (const lang of ['en-US', 'fr', 'nl']) {
          const catalogue = JSON.parse(
            readFileSync(join(ROOT, 'locales', lang, `${type}.json`), 'utf8'),
          );
          const text: unknown = migration.notice
            .split('.')
            .reduce<unknown>(
              (at, part) => (at as Record<string, unknown> | undefined)?.[part],
              catalogue,
            );
          assert.equal(typeof text, 'string', `${lang}: ${migration.notice}`);
        }
      }
    }
  });
});
