/**
 * The package as a user installs it (npm pack): what Node-RED needs to load the
 * nodes in the editor must be in the tarball. A <script src> that the editor
 * cannot load stops the whole editor at "loading nodes", so the shared editor
 * scripts are checked here, against the list npm itself gives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sharedScripts } from '../support/editor-files';

const ROOT = join(__dirname, '..', '..', '..');

function packedFiles(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // --ignore-scripts: "prepack" would build again; the build is done. The npm installed with
    // Node, not the one node_modules/.bin may hold (npm 10, a dependency's), which runs
    // the scripts all the same and prints the build's output before the list.
    const bundled = join(dirname(process.execPath), 'npm');
    const npm = existsSync(bundled) ? bundled : 'npm';
    execFile(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      resolve((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
    });
  });
}

describe('the packed package', function () {
  this.timeout(60_000);
  let files: string[];

  before(async () => {
    files = await packedFiles();
  });

  it('holds every node type with its editor file, its catalogs and its help', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    for (const [type, runtime] of Object.entries(pkg['node-red'].nodes)) {
      assert.ok(files.includes(runtime), `${runtime} is not packed`);
      assert.ok(files.includes(runtime.replace(/\.js$/, '.html')), `the editor file of ${type} is not packed`);
      for (const lang of ['en-US', 'fr', 'nl']) {
        assert.ok(files.includes(`dist/nodes/locales/${lang}/${type}.json`), `${lang} catalog of ${type}`);
        assert.ok(files.includes(`dist/nodes/locales/${lang}/${type}.html`), `${lang} help of ${type}`);
      }
    }
  });

  it('holds the shared editor scripts the node files load, at the root of the package under resources/', () => {
    const loaded = new Set<string>();
    for (const name of readdirSync(join(ROOT, 'nodes')).filter((f) => f.endsWith('.html'))) {
      for (const script of sharedScripts(readFileSync(join(ROOT, 'nodes', name), 'utf8'))) loaded.add(script);
    }
    assert.ok(loaded.has('find.js'), 'the subscribe and request dialogs load find.js');
    for (const script of loaded) assert.ok(files.includes(`resources/${script}`), `resources/${script} is not packed`);
  });

  it('runs no script when installed: the build is done before packing, not on the user\'s machine', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(scripts[hook], undefined, `a "${hook}" script runs on the user's machine`);
    assert.match(scripts.prepack ?? '', /npm run build/, 'packing builds first');
  });

  it('ships source maps that carry their sources (the .ts files are not packed)', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    assert.ok(maps.length > 10, `${maps.length} maps`);
    assert.equal(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).length, 0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      assert.equal(sourcesContent?.length, sources.length, `${map} names sources it does not carry`);
      assert.ok(sourcesContent!.every((text) => typeof text === 'string' && text.length > 0), map);
    }
  });
});
