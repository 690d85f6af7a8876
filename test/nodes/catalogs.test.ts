/**
 * What a French or Dutch user sees: every label, status and warning the nodes use
 * exists in each language, with the same placeholders, and every node has help.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedScripts } from '../support/editor-files';

const ROOT = join(__dirname, '..', '..', '..');
const LANGUAGES = ['en-US', 'fr', 'nl'];
const NODE_TYPES = readdirSync(join(ROOT, 'nodes'))
  .filter((f) => f.endsWith('.html'))
  .map((f) => f.replace(/\.html$/, ''));

function lookup(catalog: Record<string, unknown>, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      catalog,
    );
}

/**
 * Keys a node uses: RED._('type.x') in its runtime, data-i18n="type.x" and _("type.x") in its editor file,
 * and say('x') in the shared editor scripts it loads (they look x up in the catalog of the node type using them).
 */
function usedKeys(type: string): string[] {
  const runtime = readFileSync(join(ROOT, 'nodes', `${type}.ts`), 'utf8');
  const editor = readFileSync(join(ROOT, 'nodes', `${type}.html`), 'utf8');
  const keys = new Set<string>();
  for (const m of runtime.matchAll(/RED\._\(\s*['"]([^'"]+)['"]/g)) keys.add(m[1]);
  for (const m of runtime.matchAll(/\?\s*'([\w-]+\.[\w.]+)'\s*:\s*'([\w-]+\.[\w.]+)'/g))
    keys.add(m[1]).add(m[2]);
  for (const m of editor.matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g))
    for (const k of m[1].split(';')) keys.add(k.replace(/^\[[a-z]+\]/, ''));
  for (const m of editor.matchAll(/\b_\(\s*["']([^"']+)["']/g)) keys.add(m[1]);
  for (const script of sharedScripts(editor)) {
    for (const m of readFileSync(join(ROOT, 'resources', script), 'utf8').matchAll(
      /\bsay\(\s*'([^']+)'/g,
    ))
      keys.add(`${type}.${m[1]}`);
  }
  return [...keys].filter((k) => k.startsWith(`${type}.`));
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('finds the node types', () => {
    assert.deepEqual(NODE_TYPES.sort(), [
      'consent-filter',
      'consent-manage',
      'consent-store',
      'federation-discover',
      'federation-provide',
      'federation-publish',
      'federation-reply',
      'federation-request',
      'federation-subscribe',
      'lora-decode',
      'lora-device',
      'lora-gateway',
      'lora-uplink',
      'senml-decode',
      'senml-encode',
      'sensorthings-in',
      'sensorthings-out',
      'sensorthings-server',
      'serial-sensor',
      'xmpp-account',
    ]);
  });

  for (const type of NODE_TYPES) {
    describe(type, () => {
      const keys = usedKeys(type);
      const catalogs = Object.fromEntries(
        LANGUAGES.map((lang) => [
          lang,
          JSON.parse(readFileSync(join(ROOT, 'locales', lang, `${type}.json`), 'utf8')),
        ]),
      );

      it('uses catalog keys at all', () => {
        assert.ok(keys.length >= 5, `only ${keys.length} keys found`);
        assert.ok(keys.includes(`${type}.paletteLabel`));
      });

      for (const lang of LANGUAGES) {
        it(`has every key in ${lang}, with the placeholders of en-US`, () => {
          for (const key of keys) {
            const text = lookup(catalogs[lang], key);
            assert.equal(typeof text, 'string', `${lang}: ${key} is missing`);
            assert.deepEqual(
              placeholders(text as string),
              placeholders(lookup(catalogs['en-US'], key) as string),
              `${lang}: ${key}`,
            );
          }
        });

        it(`has help in ${lang} with Inputs and Outputs`, () => {
          const help = readFileSync(join(ROOT, 'locales', lang, `${type}.html`), 'utf8');
          assert.match(help, new RegExp(`data-help-name="${type}"`));
          assert.ok(
            (help.match(/<h3>/g) ?? []).length >= 3,
            'Inputs, Outputs and Details sections',
          );
          assert.match(help, /payload/);
        });
      }

      it('French and Dutch are translations, not copies of English', () => {
        for (const key of keys.filter((k) => k.includes('.label.'))) {
          const english = lookup(catalogs['en-US'], key);
          assert.ok(
            lookup(catalogs.fr, key) !== english || lookup(catalogs.nl, key) !== english,
            `${key} is English in fr and nl`,
          );
        }
      });
    });
  }
});
