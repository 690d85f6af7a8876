/**
 * The example flows as a user gets them: served by Node-RED under Import >
 * Examples from the installed package, imported into the real editor (headless
 * Chromium, node-red-editor.ts) and deployed. The editor keeps only the
 * properties a node type declares: whatever an example sets must survive the
 * import and the deploy, and every node must come in valid (no red triangle).
 *
 * Fails, never skips, without Chromium.
 */
import { strict as assert } from 'assert';
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { NodeRedEditor, ROOT, assertBuilt, withEditor } from './node-red-editor';

type FlowNode = Record<string, any> & { id: string; type: string };

const TAB = 'e0a1c0de5e4f0001';
const NOTE = 'e0a1c0de5e4f0002';
const FILES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const read = (file: string): FlowNode[] =>
  JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as FlowNode[];

describe('the example flows, imported into the Node-RED editor and deployed (headless Chromium)', function () {
  this.timeout(60_000);

  let editor: NodeRedEditor;
  let page: Page;

  withEditor(
    () => {
      assertBuilt([
        'dist/nodes/federation-publish.html',
        'dist/nodes/federation-provide.html',
        'dist/nodes/locales/en-US/federation-publish.json',
      ]);
      const flow = [
        { id: TAB, type: 'tab', label: 'Start', disabled: false, info: '' },
        {
          id: NOTE,
          type: 'comment',
          z: TAB,
          name: 'examples come in beside this',
          info: '',
          x: 200,
          y: 60,
          wires: [],
        },
      ];
      return NodeRedEditor.start({ flow, drawn: NOTE });
    },
    (started) => {
      editor = started;
      page = started.page;
    },
  );

  it('serves every example of the package under Import > Examples, as it is in examples/', async function () {
    for (const file of FILES) {
      const response = await page.request.get(
        `${editor.url}library/examples/flows/@senfed/node-red/${file.replace(/\.json$/, '')}`,
      );
      assert.equal(response.status(), 200, file);
      assert.deepEqual(await response.json(), read(file), file);
    }
  });

  it('imports each example with every node valid, and deploys them keeping every property they set', async function () {
    for (const file of FILES) {
      const flow = read(file);
      // What the import dialog does with an example whose ids are not in the workspace yet.
      await page.evaluate(
        (nodes) =>
          (window as any).RED.view.importNodes(nodes, { generateIds: false, addFlow: false }),
        flow,
      );
      const invalid = await page.evaluate(
        (ids) =>
          ids
            .map(
              (id) => (window as any).RED.nodes.node(id) ?? (window as any).RED.nodes.workspace(id),
            )
            .filter((n: any) => n && n.valid === false)
            .map((n: any) => `${n.type} ${n.id}: ${JSON.stringify(n.validationErrors)}`),
        flow.map((n) => n.id),
      );
      assert.deepEqual(invalid, [], `${file}: nodes the editor marks invalid`);
    }

    await page.locator('#red-ui-header-button-deploy').click();
    const deployedNote = page
      .locator('.red-ui-notification')
      .filter({ hasText: 'Successfully deployed' });
    await deployedNote.waitFor({ state: 'visible' });
    // Read, then clicked away as a user does: it would cover the canvas for the next test.
    await deployedNote.click();
    await deployedNote.waitFor({ state: 'hidden' });
    const response = await page.request.get(`${editor.url}flows`, {
      headers: { 'Node-RED-API-Version': 'v2' },
    });
    const deployed = ((await response.json()) as { flows: FlowNode[] }).flows;
    for (const file of FILES) {
      for (const node of read(file)) {
        const kept = deployed.find((n) => n.id === node.id);
        assert.ok(kept, `${file}: ${node.type} ${node.id} was not deployed`);
        for (const [key, value] of Object.entries(node))
          assert.deepEqual(kept[key], value, `${file}: ${node.type} ${node.id}, property ${key}`);
      }
    }
  });

  it('shows, in the publish dialog of federation-commands, the provide node whose subscribers get the readings, and the identifier', async function () {
    const flow = read('federation-commands.json');
    const publish = flow.find((n) => n.type === 'federation-publish')!;
    const provide = flow.find((n) => n.type === 'federation-provide')!;
    await page.evaluate((tab) => (window as any).RED.workspaces.show(tab), publish.z);
    await (await editor.canvasNode(publish.id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    const subscribers = form.locator('#node-input-toSubscribersOf');
    assert.equal(await subscribers.inputValue(), provide.id);
    assert.equal(
      (await subscribers.locator('option:checked').innerText()).trim(),
      'federation provide - provider@sen1.test',
    );
    assert.equal(await form.locator('#node-input-identifier').inputValue(), publish.identifier);
    assert.equal(
      await form.locator('#node-input-to').isVisible(),
      false,
      'no single recipient while sending to the subscribers',
    );

    // Back to one recipient: the recipient field, no identifier.
    await subscribers.selectOption('');
    await form.locator('#node-input-to').waitFor({ state: 'visible' });
    assert.equal(await form.locator('#node-input-identifier').isVisible(), false);
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });

    // A provide node that is not in the flows (an import as a copy gets new ids) makes the publish node invalid.
    const valid = await page.evaluate(
      ([id, missing]) => {
        const RED = (window as any).RED;
        const node = RED.nodes.node(id);
        return [
          node._def.defaults.toSubscribersOf.validate.call(node, node.toSubscribersOf),
          node._def.defaults.toSubscribersOf.validate.call(node, missing),
        ];
      },
      [publish.id, 'aaaaaaaaaaaaaaaa'],
    );
    assert.deepEqual(valid, [true, false]);
  });

  it('raised no script error in the page', function () {
    assert.deepEqual(editor.pageErrors, []);
  });
});
