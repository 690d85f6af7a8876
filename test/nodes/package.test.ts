/**
 * The package as a user installs it (npm pack): what Node-RED needs to load the
 * nodes in the editor must be in the tarball. A <script src> that the editor
 * cannot load stops the whole editor at "loading nodes", so the shared editor
 * scripts are checked here, against the list npm itself gives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
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
    execFile(
      npm,
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => {
        if (err) return reject(err);
        resolve(
          (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path),
        );
      },
    );
  });
}

describe('the packed package', function () {
  this.timeout(60_000);
  let files: string[];

  before(async () => {
    files = await packedFiles();
  });

  it('holds every node type with its editor file, its catalogs and its help', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      'node-red': { nodes: Record<string, string> };
    };
    for (const [type, runtime] of Object.entries(pkg['node-red'].nodes)) {
      assert.ok(files.includes(runtime), `${runtime} is not packed`);
      assert.ok(
        files.includes(runtime.replace(/\.js$/, '.html')),
        `the editor file of ${type} is not packed`,
      );
      for (const lang of ['en-US', 'fr', 'nl']) {
        assert.ok(
          files.includes(`dist/nodes/locales/${lang}/${type}.json`),
          `${lang} catalog of ${type}`,
        );
        assert.ok(
          files.includes(`dist/nodes/locales/${lang}/${type}.html`),
          `${lang} help of ${type}`,
        );
      }
    }
  });

  it('holds the shared editor scripts the node files load, at the root of the package under resources/', () => {
    const loaded = new Set<string>();
    for (const name of readdirSync(join(ROOT, 'nodes')).filter((f) => f.endsWith('.html'))) {
      for (const script of sharedScripts(readFileSync(join(ROOT, 'nodes', name), 'utf8')))
        loaded.add(script);
    }
    assert.ok(loaded.has('find.js'), 'the subscribe and request dialogs load find.js');
    for (const script of loaded)
      assert.ok(files.includes(`resources/${script}`), `resources/${script} is not packed`);
  });

  it('lists in its dependencies every package its packed code requires (devDependencies are not installed for users)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const required = new Map<string, string>();
    for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, spec] of text.matchAll(/require\("([^".][^"]*)"\)/g)) {
        if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue;
        // The package a require names: @scope/name or name, without a path inside it.
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        if (!required.has(name)) required.set(name, file);
      }
    }
    assert.ok(required.size > 3, `found the requires: ${[...required.keys()].join(', ')}`);
    const missing = [...required].filter(([name]) => !(name in (pkg.dependencies ?? {})));
    assert.deepEqual(
      missing.map(([name, file]) => `${name} (required by ${file})`),
      [],
    );
  });

  it("runs no script when installed: the build is done before packing, not on the user's machine", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(scripts[hook], undefined, `a "${hook}" script runs on the user's machine`);
    assert.match(scripts.prepack ?? '', /npm run build/, 'packing builds first');
  });

  it('ships source maps that carry their sources (the .ts files are not packed)', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    assert.ok(maps.length > 10, `${maps.length} maps`);
    assert.equal(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).length, 0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      assert.equal(
        sourcesContent?.length,
        sources.length,
        `${map} names sources it does not carry`,
      );
      assert.ok(
        sourcesContent!.every((text) => typeof text === 'string' && text.length > 0),
        map,
      );
    }
  });

  it('has a complete lock file: every optional package of every platform is listed, so npm ci installs it on Linux, macOS and Windows', () => {
    type Locked = {
      version?: string;
      optionalDependencies?: Record<string, string>;
      dependencies?: Record<string, string>;
      os?: string[];
    };
    const { packages } = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, Locked>;
    };
    const missing: string[] = [];
    const platforms = new Set<string>();
    for (const [where, locked] of Object.entries(packages)) {
      for (const name of Object.keys(locked.optionalDependencies ?? {})) {
        // npm looks a dependency up in the nearest node_modules above the package that needs it.
        const candidates: string[] = [];
        for (let at = where; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
          candidates.push(`${at ? `${at}/` : ''}node_modules/${name}`);
          if (!at.includes('/node_modules/')) break;
        }
        candidates.push(`node_modules/${name}`);
        const found = candidates.find((c) => packages[c]);
        if (!found) missing.push(`${where || '(root)'} -> ${name}`);
        else for (const os of packages[found].os ?? []) platforms.add(os);
      }
    }
    assert.deepEqual(
      missing,
      [],
      'optional packages the lock file does not list: npm ci refuses such a lock',
    );
    for (const os of ['linux', 'darwin', 'win32'])
      assert.ok(platforms.has(os), `no native package for ${os}`);
  });
});
