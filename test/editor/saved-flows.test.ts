/**
 * Saved flows in the editor after an upgrade: a flow file written by release
 * 0.1.0, and one saved before options existed, are opened in the real editor
 * (headless Chromium); a user opens each node's dialog and clicks Done, then
 * deploys. The 0.1.0 flow keeps every property; the older nodes come out in
 * today's shape with the meaning they had (provide: accept every requester;
 * subscribe: Quoalise data from anyone), as the runtime reads them.
 *
 * Fails, never skips, without Chromium.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { NodeRedEditor, ROOT, assertBuilt, withEditor } from './node-red-editor';

type FlowNode = Record<string, any> & { id: string; type: string };

const savedFlow = (name: string): FlowNode[] =>
  JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'flows', name), 'utf8')) as FlowNode[];
const CURRENT = savedFlow('saved-0.1.0.json');
const OLDER = savedFlow('saved-before-options.json');
const PROVIDE = OLDER.find((n) => n.type === 'federation-provide')!;
const SUBSCRIBES = OLDER.filter((n) => n.type === 'federation-subscribe');

describe('saved flows opened in the Node-RED editor after an upgrade (headless Chromium)', function () {
  this.timeout(60_000);

  let editor: NodeRedEditor;
  let page: Page;

  withEditor(
    () => {
      assertBuilt(['dist/nodes/federation-provide.html', 'dist/nodes/federation-subscribe.html']);
      return NodeRedEditor.start({ flow: [...OLDER, ...CURRENT], drawn: PROVIDE.id });
    },
    (started) => {
      editor = started;
      page = started.page;
    },
  );

  /** Open a node's dialog as a user does, check what it shows, and click Done. */
  async function openAndDone(
    id: string,
    check: (form: ReturnType<Page['locator']>) => Promise<void>,
  ): Promise<void> {
    const node = [...OLDER, ...CURRENT].find((n) => n.id === id)!;
    await page.evaluate((tab) => (window as any).RED.workspaces.show(tab), node.z);
    await (await editor.canvasNode(id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    await check(form);
    await page.locator('#node-dialog-ok').click();
    await form.waitFor({ state: 'detached' });
  }

  it('shows the older nodes with the meaning they had, and a Done keeps it; the 0.1.0 nodes keep every property', async function () {
    await openAndDone(PROVIDE.id, async (form) => {
      assert.equal(
        await form.locator('#node-input-handleSubscriptions').isChecked(),
        true,
        'Accept every requester, as before the option',
      );
      assert.equal(await form.locator('#node-input-timeout').inputValue(), '30');
    });
    for (const subscribe of SUBSCRIBES) {
      await openAndDone(subscribe.id, async (form) => {
        assert.equal(
          await form.locator('#node-input-quoalise').isChecked(),
          true,
          `${subscribe.id}: Quoalise data, as before the option`,
        );
        assert.equal(
          await form.locator('#node-input-quoaliseFrom').inputValue(),
          '*',
          `${subscribe.id}: from anyone, as before the list`,
        );
      });
    }
    for (const node of CURRENT.filter((n) => n.type !== 'tab' && n.type !== 'xmpp-account'))
      await openAndDone(node.id, async () => undefined);

    await page.locator('#red-ui-header-button-deploy').click();
    const deployedNote = page
      .locator('.red-ui-notification')
      .filter({ hasText: 'Successfully deployed' });
    await deployedNote.waitFor({ state: 'visible' });
    const response = await page.request.get(`${editor.url}flows`, {
      headers: { 'Node-RED-API-Version': 'v2' },
    });
    const deployed = ((await response.json()) as { flows: FlowNode[] }).flows;
    const kept = (id: string): FlowNode => deployed.find((n) => n.id === id)!;

    assert.equal(kept(PROVIDE.id).handleSubscriptions, true);
    assert.equal(kept(PROVIDE.id).timeout, '30');
    for (const subscribe of SUBSCRIBES)
      assert.deepEqual(
        [kept(subscribe.id).quoalise, kept(subscribe.id).quoaliseFrom],
        [true, '*'],
        subscribe.id,
      );
    for (const node of CURRENT) {
      for (const [key, value] of Object.entries(node))
        assert.deepEqual(kept(node.id)?.[key], value, `${node.type} ${node.id}, property ${key}`);
    }
  });

  it('raised no script error in the page', function () {
    assert.deepEqual(editor.pageErrors, []);
  });
});
