import type { Element } from 'ltx';
import { FederationError } from './errors';
import {
  attr,
  childElements,
  childNamed,
  childrenNamed,
  element,
  gotParams,
  hasOwn,
  isNamed,
  localName,
  namespaceOf,
  setOwn,
  textOf,
  xmlText,
} from './elements';

/**
 * Data forms, XEP-0004 (version 2.13), shared by PubSub node configuration and
 * publish options (XEP-0060 §8.1.3, §7.1.5), ad-hoc commands (XEP-0050) and
 * extended disco info (XEP-0128).
 */
export const DATA_FORMS_NS = 'jabber:x:data';

/** XEP-0004 §3.1. */
export type DataFormType = 'form' | 'submit' | 'cancel' | 'result';
const FORM_TYPES: ReadonlySet<string> = new Set(['form', 'submit', 'cancel', 'result']);

/** XEP-0004 §3.3. */
export type FieldType =
  | 'boolean'
  | 'fixed'
  | 'hidden'
  | 'jid-multi'
  | 'jid-single'
  | 'list-multi'
  | 'list-single'
  | 'text-multi'
  | 'text-private'
  | 'text-single';
const MULTI_TYPES: ReadonlySet<string> = new Set(['jid-multi', 'list-multi', 'text-multi']);

/** A field's value: one text, or a list for multi-valued fields. */
export type FieldValue = string | readonly string[];

export interface DataFormOptions {
  /** The hidden FORM_TYPE field (XEP-0068), written first. */
  formType?: string;
  title?: string;
  instructions?: string;
  /** Field types to write (XEP-0004 §3.2: optional in forms of type submit and result). */
  types?: Record<string, FieldType>;
  /** Field labels to write. */
  labels?: Record<string, string>;
}

/**
 * Build `<x xmlns="jabber:x:data" type>`: one `<field var>` per key, in the
 * object's order, with one `<value>` per text (a list gives several values, an
 * empty list none). A key whose value is undefined is left out. A FORM_TYPE key
 * or the formType option gives a hidden field.
 */
export function dataForm(
  type: DataFormType,
  fields: Record<string, FieldValue | undefined>,
  options: DataFormOptions = {},
): Element {
  if (!FORM_TYPES.has(type))
    throw new FederationError('FEDERATION_FORM_TYPE_UNKNOWN', gotParams(type));
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new FederationError('FEDERATION_FORM_FIELDS_NOT_OBJECT', gotParams(fields));
  const x = element('x', { xmlns: DATA_FORMS_NS, type });
  if (options.title !== undefined)
    x.c('title').t(xmlText(options.title, 'FEDERATION_TERM_FORM_TITLE', { allowEmpty: true }));
  if (options.instructions !== undefined)
    x.c('instructions').t(
      xmlText(options.instructions, 'FEDERATION_TERM_FORM_INSTRUCTIONS', { allowEmpty: true }),
    );
  if (options.formType !== undefined) {
    x.c('field', { var: 'FORM_TYPE', type: 'hidden' })
      .c('value')
      .t(xmlText(options.formType, { name: 'FORM_TYPE' }));
  }
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined) continue;
    if (name === 'FORM_TYPE' && options.formType !== undefined)
      throw new FederationError('FEDERATION_FORM_TYPE_TWICE');
    xmlText(name, 'FEDERATION_TERM_FORM_FIELD_NAME');
    const fieldType =
      name === 'FORM_TYPE'
        ? 'hidden'
        : options.types && hasOwn(options.types, name)
          ? options.types[name]
          : undefined;
    const label =
      options.labels && hasOwn(options.labels, name)
        ? xmlText(
            options.labels[name],
            { term: 'FEDERATION_TERM_FORM_FIELD_LABEL', params: { field: name } },
            { allowEmpty: true },
          )
        : undefined;
    const field = x.cnode(element('field', { var: name, type: fieldType, label }));
    const values =
      typeof value === 'string'
        ? [value]
        : Array.isArray(value)
          ? (value as readonly unknown[])
          : undefined;
    if (values === undefined)
      throw new FederationError('FEDERATION_FORM_FIELD_NOT_TEXT', {
        field: name,
        ...gotParams(value),
      });
    for (const v of values)
      field
        .c('value')
        .t(
          xmlText(
            v,
            { term: 'FEDERATION_TERM_FORM_FIELD_VALUE', params: { field: name } },
            { allowEmpty: true },
          ),
        );
  }
  return x;
}

export interface DataFormField {
  /** Absent only on fixed fields (XEP-0004 §3.2). */
  var?: string;
  type?: string;
  label?: string;
  required: boolean;
  values: string[];
}

export interface DataForm {
  type: DataFormType;
  /** The hidden FORM_TYPE field's value, if any (XEP-0068). */
  formType?: string;
  title?: string;
  instructions: string[];
  /**
   * Field values by `var`, FORM_TYPE and fields without var left out. A field
   * reads as a list when its type is jid-multi, list-multi or text-multi or when
   * it holds more than one value; otherwise as its one value ('' when it has none).
   * When a var appears twice, the first field wins.
   */
  fields: Record<string, string | string[]>;
  /** Every field in document order, as written. */
  fieldList: DataFormField[];
  /** Multi-item results (XEP-0004 §3.4): the reported header and the items. */
  reported?: DataFormField[];
  items?: Record<string, string | string[]>[];
}

function readField(field: Element): DataFormField {
  const out: DataFormField = { required: false, values: [] };
  const name = attr(field, 'var');
  if (name !== undefined) out.var = name;
  const type = attr(field, 'type');
  if (type !== undefined) out.type = type;
  const label = attr(field, 'label');
  if (label !== undefined) out.label = label;
  for (const child of childElements(field)) {
    if (namespaceOf(child, field) !== DATA_FORMS_NS) continue;
    const childName = localName(child);
    if (childName === 'value') out.values.push(textOf(child));
    else if (childName === 'required') out.required = true;
  }
  return out;
}

function fieldValue(field: DataFormField): string | string[] {
  if ((field.type !== undefined && MULTI_TYPES.has(field.type)) || field.values.length > 1)
    return field.values.slice();
  return field.values[0] ?? '';
}

function valuesByVar(
  fieldList: readonly DataFormField[],
  skipFormType: boolean,
): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const field of fieldList) {
    if (
      field.var === undefined ||
      (skipFormType && field.var === 'FORM_TYPE') ||
      hasOwn(fields, field.var)
    )
      continue;
    setOwn(fields, field.var, fieldValue(field));
  }
  return fields;
}

/**
 * Read a data form. Undefined when `x` is not `<x xmlns="jabber:x:data">`;
 * a FederationError when its type is missing or unknown (XEP-0004 §3.1: it MUST
 * have one). Unknown children are ignored.
 */
export function parseDataForm(x: unknown): DataForm | undefined {
  if (!isNamed(x, 'x', DATA_FORMS_NS)) return undefined;
  const type = attr(x, 'type');
  if (type === undefined || !FORM_TYPES.has(type)) {
    throw new FederationError('FEDERATION_FORM_WITHOUT_TYPE', gotParams(type));
  }
  const form: DataForm = {
    type: type as DataFormType,
    instructions: [],
    fields: {},
    fieldList: [],
  };
  for (const child of childElements(x)) {
    if (namespaceOf(child, x) !== DATA_FORMS_NS) continue;
    switch (localName(child)) {
      case 'title':
        if (form.title === undefined) form.title = textOf(child);
        break;
      case 'instructions':
        form.instructions.push(textOf(child));
        break;
      case 'field':
        form.fieldList.push(readField(child));
        break;
      case 'reported':
        if (form.reported === undefined)
          form.reported = childrenNamed(child, 'field', DATA_FORMS_NS).map(readField);
        break;
      case 'item':
        (form.items ??= []).push(
          valuesByVar(childrenNamed(child, 'field', DATA_FORMS_NS).map(readField), false),
        );
        break;
    }
  }
  const formTypeField = form.fieldList.find((f) => f.var === 'FORM_TYPE');
  if (formTypeField && formTypeField.values.length > 0) form.formType = formTypeField.values[0];
  form.fields = valuesByVar(form.fieldList, true);
  return form;
}

/** The first data form among an element's children, read; undefined if there is none. */
export function childDataForm(parent: Element): DataForm | undefined {
  return parseDataForm(childNamed(parent, 'x', DATA_FORMS_NS));
}

/** XEP-0004 §3.3 boolean: "1" or "true" is true, "0" or "false" false; anything else undefined. */
export function formBoolean(value: string | string[] | undefined): boolean | undefined {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return undefined;
}
