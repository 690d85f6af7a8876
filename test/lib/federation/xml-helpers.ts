import assert from 'node:assert/strict';
import { Element, parse } from 'ltx';
import { FederationError } from '../../../lib/federation/errors';

/** Serialise and parse again, as the stanza would arrive from the network. */
export function reparse(el: Element): Element {
  return parse(el.toString()) as Element;
}

/**
 * A canonical text form of XML, for comparing a stanza with a specification's
 * example: whitespace-only text dropped, attributes sorted, quotes normalised.
 * `dropRootAttrs` removes attributes of the root element the builder under test
 * does not set (the examples carry from and id, which the server and the
 * caller's iqCaller add).
 */
export function canonical(xml: string | Element, dropRootAttrs: readonly string[] = []): string {
  const root = typeof xml === 'string' ? (parse(xml) as Element) : reparse(xml);
  for (const name of dropRootAttrs) delete root.attrs[name];
  const write = (el: Element): string => {
    const attrs = Object.keys(el.attrs)
      .filter((k) => el.attrs[k] !== undefined && el.attrs[k] !== null)
      .sort()
      .map((k) => ` ${k}=${JSON.stringify(String(el.attrs[k]))}`)
      .join('');
    const inner = el.children
      .map((child) =>
        typeof child === 'string'
          ? child.trim() === ''
            ? ''
            : JSON.stringify(child)
          : write(child),
      )
      .join('');
    return `<${el.name}${attrs}>${inner}</${el.name}>`;
  };
  return write(root);
}

/** The error a parser may throw on bad input: a FederationError with a code and a message, nothing else. */
export function assertSafe(
  label: string,
  parse: () => unknown,
): { result?: unknown; error?: FederationError } {
  try {
    return { result: parse() };
  } catch (err) {
    assert.ok(
      err instanceof FederationError,
      `${label}: threw ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
    assert.match(err.code, /^FEDERATION_/, label);
    assert.ok(err.message.length > 10, `${label}: message too short: ${err.message}`);
    return { error: err };
  }
}

/** Inputs that are not stanzas at all, or are stanzas only in outline. */
export function genericNasties(): [string, unknown][] {
  const cyclic = new Element('message', { from: 'a@b' });
  cyclic.children.push(cyclic);
  const selfParent = new Element('iq', { type: 'result' });
  selfParent.parent = selfParent;
  const deep = new Element('message', { from: 'a@b' });
  let cursor = deep;
  for (let i = 0; i < 20_000; i++) cursor = cursor.c('x');
  const wide = new Element('iq', { type: 'result', from: 'a@b' });
  for (let i = 0; i < 50_000; i++) wide.c('junk', { n: String(i) });
  return [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', '<message/>'],
    ['an array', [new Element('message')]],
    ['an empty object', {}],
    ['an object with a name only', { name: 'message' }],
    ['attrs null', { name: 'message', attrs: null, children: [] }],
    ['children not a list', { name: 'iq', attrs: { type: 'result' }, children: 'junk' }],
    [
      'attrs of wrong types',
      {
        name: 'message',
        attrs: { from: {}, type: 5, xmlns: [] },
        children: [null, 7, {}, undefined, { name: 3 }],
      },
    ],
    ['an element whose child is itself', cyclic],
    ['an element that is its own parent', selfParent],
    ['20 000 levels of nesting', deep],
    ['50 000 children of junk', wide],
    ['a stanza in a foreign namespace', parse('<message xmlns="urn:not-xmpp" from="a@b"/>')],
    ['an empty message', parse('<message/>')],
    ['an empty iq result', parse('<iq type="result"/>')],
    ['an error iq without condition', parse('<iq type="error"><error/></iq>')],
    ['a presence', parse('<presence from="a@b"/>')],
  ];
}

/**
 * Every single mutation of a valid stanza: each attribute removed or emptied,
 * each element's namespace declaration changed, each element removed, its
 * children replaced by text, its children duplicated 2000 times, garbage
 * nested inside it. Each mutant is a fresh parse of the original.
 */
export function mutations(xml: string): [string, Element][] {
  const out: [string, Element][] = [];
  const fresh = (): Element => parse(xml) as Element;
  const paths: number[][] = [];
  const walk = (el: Element, path: number[]): void => {
    paths.push(path);
    el.children.forEach((child, i) => {
      if (typeof child !== 'string') walk(child, [...path, i]);
    });
  };
  walk(fresh(), []);
  const at = (root: Element, path: number[]): Element =>
    path.reduce((el, i) => el.children[i] as Element, root);
  for (const path of paths) {
    const where = `<${at(fresh(), path).name}> at [${path.join(',')}]`;
    for (const name of Object.keys(at(fresh(), path).attrs)) {
      let root = fresh();
      delete at(root, path).attrs[name];
      out.push([`${where} without ${name}`, root]);
      root = fresh();
      at(root, path).attrs[name] = '';
      out.push([`${where} with ${name} empty`, root]);
    }
    let root = fresh();
    at(root, path).attrs.xmlns = 'urn:wrong';
    out.push([`${where} in a wrong namespace`, root]);
    if (path.length > 0) {
      root = fresh();
      const parent = at(root, path.slice(0, -1));
      parent.children.splice(path[path.length - 1], 1);
      out.push([`${where} removed`, root]);
    }
    root = fresh();
    at(root, path).children = ['garbage & text'];
    out.push([`${where} with text for children`, root]);
    root = fresh();
    const target = at(root, path);
    const copies = target.children.slice();
    // The same child objects again and again: parsers only read, and this keeps the table fast.
    for (let i = 0; i < 2000 && copies.length > 0; i++) target.children.push(...copies);
    out.push([`${where} with its children repeated 2000 times`, root]);
    root = fresh();
    at(root, path)
      .c('garbage', { xmlns: 'urn:garbage' })
      .c('deeper')
      .c('deepest', { id: '1' })
      .t('x');
    out.push([`${where} with nested garbage`, root]);
  }
  return out;
}
