#!/usr/bin/env node
'use strict';
/*
 * After tsc: put the editor side next to the built nodes, where Node-RED looks
 * for it (the folder of each node's .js):
 *   nodes/*.html -> dist/nodes/
 *   icons/       -> dist/nodes/icons/
 *   locales/     -> dist/nodes/locales/
 * and gives every node's catalogue the library's error sentences under `errors`:
 * en-US written from the library's own English (dist/lib/messages.js, so tsc runs
 * first), fr and nl from locales/<lang>/errors/*.json.
 * Idempotent: the copied folders are replaced as a whole, and editor files whose
 * source is gone are removed, so a rename never leaves a stale copy behind.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const source = (...parts) => path.join(root, ...parts);
const target = (...parts) => path.join(root, 'dist', 'nodes', ...parts);

function copyEditorFiles() {
  fs.mkdirSync(target(), { recursive: true });
  const wanted = new Set(fs.readdirSync(source('nodes')).filter((name) => name.endsWith('.html')));
  for (const name of fs.readdirSync(target())) {
    if (name.endsWith('.html') && !wanted.has(name)) fs.rmSync(target(name), { force: true });
  }
  for (const name of wanted) fs.copyFileSync(source('nodes', name), target(name));
  return wanted.size;
}

function replaceFolder(name) {
  fs.rmSync(target(name), { recursive: true, force: true });
  if (!fs.existsSync(source(name))) return 0;
  fs.cpSync(source(name), target(name), { recursive: true });
  return countFiles(target(name));
}

function countFiles(dir) {
  let count = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    count += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  }
  return count;
}

/** The library's English templates as a catalogue: `{name}` becomes Node-RED's `__name__`. */
function englishErrors() {
  const { MESSAGES } = require(path.join(root, 'dist', 'lib', 'messages.js'));
  return Object.fromEntries(
    Object.entries(MESSAGES).map(([id, spec]) => [id, spec.en.replace(/\{(\w+)\}/g, '__$1__')]),
  );
}

function translatedErrors(lang) {
  const dir = source('locales', lang, 'errors');
  if (!fs.existsSync(dir)) return {};
  const all = {};
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort())
    Object.assign(all, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
  return all;
}

function addErrorCatalogues() {
  let count = 0;
  for (const lang of fs.readdirSync(target('locales'))) {
    const errors = lang === 'en-US' ? englishErrors() : translatedErrors(lang);
    for (const name of fs.readdirSync(target('locales', lang)).filter((f) => f.endsWith('.json'))) {
      const file = target('locales', lang, name);
      const catalogue = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, `${JSON.stringify({ ...catalogue, errors }, null, 2)}\n`);
      count += 1;
    }
  }
  return count;
}

const html = copyEditorFiles();
const icons = replaceFolder('icons');
const locales = replaceFolder('locales');
const catalogues = addErrorCatalogues();
console.log(
  `copy-assets: ${html} editor file(s), ${icons} icon(s), ${locales} locale file(s), error sentences in ${catalogues} catalogue(s) -> ${path.relative(process.cwd(), target()) || '.'}`,
);
