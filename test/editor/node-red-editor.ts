/**
 * A real Node-RED editor for tests, as a user has it: this repository's
 * node_modules/node-red as a child process, on a free port, with a throw-away user
 * directory where the package is installed by a symlink (so Node-RED finds its
 * nodes, catalogs, icons and resources/ as in an installed package), a given flow
 * and its credentials; and headless Chromium driven by playwright-core.
 *
 * Needs Debian's chromium at /usr/bin/chromium (or SENFED_CHROMIUM); without it
 * start() throws: editor tests fail, they never skip. SENFED_SCREENSHOTS=<dir>
 * keeps screenshots.
 */
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { freePort } from '../support/ports';
import * as os from 'os';
import * as path from 'path';
import { type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.SENFED_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export { freePort };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throw unless every file is there (relative to the repository): the editor needs a build. */
export function assertBuilt(files: string[]): void {
  for (const built of files) {
    if (!fs.existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run "npm run build" first`);
  }
}

export interface EditorOptions {
  /** The flow file's content: tabs, nodes, config nodes. */
  flow: object[];
  /** Credentials by node id (e.g. an account's password), written as the flow's credentials file. */
  credentials?: Record<string, Record<string, string>>;
  /** A node of the flow: the editor counts as loaded once it is drawn on the canvas. */
  drawn: string;
}

export class NodeRedEditor {
  /** Script errors raised in the page. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly url: string,
    readonly page: Page,
    private readonly tmp: string,
    private readonly nodeRed: ChildProcess,
    private readonly context: BrowserContext,
    private readonly drawn: string,
    private readonly output: () => string,
  ) {}

  /** Everything Node-RED printed so far. */
  get log(): string {
    return this.output();
  }

  static async start(options: EditorOptions): Promise<NodeRedEditor> {
    try {
      fs.accessSync(CHROMIUM, fs.constants.X_OK);
    } catch {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the editor tests need it (Debian: apt-get install chromium). They fail rather than skip.`,
      );
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'senfed-editor-'));
    let nodeRed: ChildProcess | undefined;
    try {
      const userDir = path.join(tmp, 'node-red');
      // Installed as a user would have it, under the user directory's node_modules.
      fs.mkdirSync(path.join(userDir, 'node_modules', '@senfed'), { recursive: true });
      fs.symlinkSync(ROOT, path.join(userDir, 'node_modules', '@senfed', 'node-red'), 'dir');
      fs.writeFileSync(
        path.join(userDir, 'package.json'),
        JSON.stringify({
          name: 'senfed-editor-test',
          version: '0.0.0',
          private: true,
          dependencies: { '@senfed/node-red': '*' },
        }),
      );
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flow));
      // credentialSecret false: Node-RED reads and writes the credentials file as plain JSON.
      if (options.credentials)
        fs.writeFileSync(
          path.join(userDir, 'flows_cred.json'),
          JSON.stringify(options.credentials),
        );
      const port = await freePort();
      fs.writeFileSync(
        path.join(userDir, 'settings.js'),
        `module.exports = ${JSON.stringify({
          uiHost: '127.0.0.1',
          uiPort: port,
          flowFile: 'flows.json',
          credentialSecret: false,
          telemetry: { enabled: false },
          editorTheme: { tours: false, projects: { enabled: false } },
          logging: { console: { level: 'info', metrics: false, audit: false } },
        })};\n`,
      );
      let log = '';
      nodeRed = await startNodeRed(
        userDir,
        (chunk) => (log += chunk),
        () => log,
      );
      const context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        locale: 'en-US',
        viewport: { width: 1400, height: 900 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(15_000);
      const editor = new NodeRedEditor(
        `http://127.0.0.1:${port}/`,
        page,
        tmp,
        nodeRed,
        context,
        options.drawn,
        () => log,
      );
      page.on('pageerror', (err) => editor.pageErrors.push(err.message));
      await editor.open();
      return editor;
    } catch (err) {
      if (nodeRed) await stopProcess(nodeRed);
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Load the editor and wait until the flow is drawn. */
  async open(): Promise<void> {
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded' });
    await this.page
      .locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${this.drawn}"]`)
      .waitFor({ state: 'visible', timeout: 30_000 });
  }

  async stop(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      await stopProcess(this.nodeRed);
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  async screenshot(name: string): Promise<void> {
    const shots = process.env.SENFED_SCREENSHOTS;
    if (!shots) return;
    fs.mkdirSync(shots, { recursive: true });
    await this.page.screenshot({ path: path.join(shots, `${name}.png`) });
  }

  /** A node on the canvas, once drawn. */
  async canvasNode(id: string): Promise<Locator> {
    const node = this.page.locator(
      `#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"] rect.red-ui-flow-node`,
    );
    await node.waitFor({ state: 'visible' });
    return node;
  }

  /** Type into a dialog field as a user does: the editor validates its fields on change. */
  async setValue(field: Locator, value: string): Promise<void> {
    await field.fill(value);
    await field.dispatchEvent('change');
  }

  /** The status text under a node on the canvas (SVG text: textContent). */
  async statusText(id: string): Promise<string> {
    return (
      (await this.page
        .locator(`g.red-ui-flow-node-group[id="${id}"] .red-ui-flow-node-status-label`)
        .textContent()) ?? ''
    ).trim();
  }
}

/**
 * The mocha hooks of an editor test file: the editor from start() before its tests,
 * handed to started(); a screenshot of each failed test (SENFED_SCREENSHOTS); the
 * editor stopped after them.
 */
export function withEditor(
  start: () => Promise<NodeRedEditor>,
  started: (editor: NodeRedEditor) => void,
): void {
  let editor: NodeRedEditor | undefined;
  before(async function () {
    this.timeout(60_000);
    editor = await start();
    started(editor);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await editor
        ?.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`)
        .catch(() => undefined);
  });
  after(async function () {
    this.timeout(30_000);
    await editor?.stop();
  });
}

async function startNodeRed(
  userDir: string,
  output: (chunk: string) => void,
  log: () => string,
): Promise<ChildProcess> {
  const red = require.resolve('node-red/red.js', { paths: [ROOT] });
  const child = spawn(
    process.execPath,
    [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      cwd: userDir,
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (chunk: Buffer) => output(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output(chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Node-RED exited with ${child.exitCode}:\n${log()}`);
    if (/Started flows/.test(log())) return child;
    await sleep(100);
  }
  await stopProcess(child);
  throw new Error(`Node-RED did not start flows within 30 s:\n${log()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
