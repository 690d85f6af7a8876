/**
 * Every sentence the library can say exists in every node catalogue, in en-US, fr
 * and nl, with the same placeholders; and every error the library throws is one
 * of them (a SenfedError with a code), never a bare Error in English only.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MESSAGES } from '../../lib/messages';
import { templatePlaceholders } from '../../lib/errors';

const ROOT = join(__dirname, '..', '..', '..');
const BUILT_LOCALES = join(ROOT, 'dist', 'nodes', 'locales');
const LANGUAGES = ['en-US', 'fr', 'nl'];
const NODE_TYPES = readdirSync(join(ROOT, 'nodes'))
  .filter((f) => f.endsWith('.html'))
  .map((f) => f.replace(/\.html$/, ''));

const catalogPlaceholders = (text: string): string[] =>
  [...new Set([...text.matchAll(/__(\w+)__/g)].map((m) => m[1]))].sort();

function libFiles(dir = join(ROOT, 'lib')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? libFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('error sentences', () => {
  const ids = Object.keys(MESSAGES);

  it('are many, each with a family code and an English template', () => {
    assert.ok(ids.length >= 100, `only ${ids.length} sentences`);
    for (const [id, spec] of Object.entries(MESSAGES)) {
      assert.match(id, /^[A-Z][A-Z0-9_]+$/, id);
      assert.ok(spec.en.length > 0, id);
      if (!id.startsWith('AT_RECORD'))
        assert.match(spec.code, /^[A-Z]+_[A-Z_]+$/, `${id} has no family code`);
    }
  });

  for (const lang of LANGUAGES) {
    it(`exist in every node catalogue in ${lang}, with the library's placeholders`, () => {
      for (const type of NODE_TYPES) {
        const errors = JSON.parse(readFileSync(join(BUILT_LOCALES, lang, `${type}.json`), 'utf8'))
          .errors as Record<string, unknown>;
        for (const id of ids) {
          const text = errors?.[id];
          assert.equal(typeof text, 'string', `${lang}/${type}: errors.${id} is missing`);
          assert.deepEqual(
            catalogPlaceholders(text as string),
            templatePlaceholders(MESSAGES[id].en),
            `${lang}: errors.${id}`,
          );
        }
        assert.deepEqual(
          Object.keys(errors).filter((id) => !(id in MESSAGES)),
          [],
          `${lang}: sentences the library no longer says`,
        );
      }
    });
  }

  it('are translated in fr and nl, not copied from English', () => {
    for (const lang of ['fr', 'nl']) {
      const errors = JSON.parse(
        readFileSync(join(BUILT_LOCALES, lang, 'senml-decode.json'), 'utf8'),
      ).errors as Record<string, string>;
      const copies = ids.filter(
        (id) =>
          errors[id] === MESSAGES[id].en.replace(/\{(\w+)\}/g, '__$1__') &&
          /[a-z]{4}/.test(MESSAGES[id].en),
      );
      assert.ok(
        copies.length <= ids.length / 20,
        `${lang}: ${copies.length} sentences are the English ones: ${copies.slice(0, 5).join(', ')}`,
      );
    }
  });

  it('are all the library throws: no bare Error, RangeError or TypeError in lib', () => {
    const bare: string[] = [];
    for (const file of libFiles()) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/new (Error|RangeError|TypeError|SyntaxError)\(/.test(line))
          bare.push(`${relative(ROOT, file)}:${i + 1}`);
      });
    }
    assert.deepEqual(bare, []);
  });
});
