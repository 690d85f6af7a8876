import { randomUUID } from 'node:crypto';
import type { Element } from 'ltx';
import { type DataForm, type FieldValue, childDataForm, dataForm } from './data-form';
import { FederationError } from './errors';
import {
  type Subject,
  asStanza,
  attr,
  childElements,
  childNamed,
  childrenNamed,
  describeValue,
  element,
  gotParams,
  isElement,
  isNamed,
  localName,
  namespaceOf,
  nonEmptyAttr,
  ownPayload,
  subjectParams,
  textOf,
  xmlText,
} from './elements';
import { FEDERATION_MESSAGES } from './messages';

function isTermId(text: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(FEDERATION_MESSAGES, text) &&
    FEDERATION_MESSAGES[text as keyof typeof FEDERATION_MESSAGES].code === 'FEDERATION_DESCRIPTION'
  );
}
import {
  type QuoaliseData,
  QUOALISE_NS,
  type UpstreamError,
  parseQuoaliseElement,
  upstreamErrorElement,
  upstreamErrorOf,
} from './quoalise';
import {
  type DefinedCondition,
  type StanzaErrorSummary,
  type StanzaErrorType,
  errorElement,
  isDefinedCondition,
  readProtocolError,
} from './stanza-error';

/**
 * XEP-0050 Ad-Hoc Commands (version 1.3.0) as Quoalise uses them: a requester
 * executes `get_history`, `subscribe` or `unsubscribe` in one stage, with a data
 * form of type submit (§3.5.1); the provider answers `status="completed"` with
 * `<quoalise><data>` inside the `<command>`, or an iq error (with
 * `<upstream-error xmlns="urn:quoalise:0"/>` when the fault lies upstream).
 */
export const COMMANDS_NS = 'http://jabber.org/protocol/commands';

/** §4.1 actions and statuses. */
export type CommandAction = 'execute' | 'cancel' | 'prev' | 'next' | 'complete';
export type CommandStatus = 'executing' | 'completed' | 'canceled';
const ACTIONS: ReadonlySet<string> = new Set(['execute', 'cancel', 'prev', 'next', 'complete']);
const STATUSES: ReadonlySet<string> = new Set(['executing', 'completed', 'canceled']);

/** §4.4: command-specific conditions (namespace COMMANDS_NS), carried beside a defined condition. */
export type CommandCondition =
  | 'malformed-action'
  | 'bad-action'
  | 'bad-locale'
  | 'bad-payload'
  | 'bad-sessionid'
  | 'session-expired';
const COMMAND_CONDITIONS: ReadonlySet<string> = new Set([
  'malformed-action',
  'bad-action',
  'bad-locale',
  'bad-payload',
  'bad-sessionid',
  'session-expired',
]);

/** The commands of Quoalise. */
export type QuoaliseCommand = 'get_history' | 'subscribe' | 'unsubscribe';

// ---------------------------------------------------------------------------
// Requester side

export interface CommandOptions {
  /** Default execute (§4.1; written explicitly, as Example 8 does). */
  action?: CommandAction;
  /** For later stages of a multi-stage command (§2.4.2). */
  sessionid?: string;
}

/**
 * `<iq type="set" to><command xmlns node action><x type="submit">fields</x></command></iq>`
 * (§2.4.1, Example 8; the form as in Example 12). The form is left out when there are no fields.
 */
export function commandIq(
  to: string,
  node: QuoaliseCommand | string,
  fields: Record<string, FieldValue | undefined> = {},
  options: CommandOptions = {},
): Element {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new FederationError('FEDERATION_COMMAND_FIELDS_NOT_OBJECT', gotParams(fields));
  const action = options.action ?? 'execute';
  if (!ACTIONS.has(action))
    throw new FederationError('FEDERATION_COMMAND_ACTION_UNKNOWN', gotParams(action));
  const iq = element('iq', { type: 'set', to: xmlText(to, 'FEDERATION_TERM_COMMAND_PROVIDER') });
  const command = iq.cnode(
    element('command', {
      xmlns: COMMANDS_NS,
      node: xmlText(node, 'FEDERATION_TERM_COMMAND_NODE'),
      sessionid:
        options.sessionid === undefined
          ? undefined
          : xmlText(options.sessionid, 'FEDERATION_TERM_COMMAND_SESSION'),
      action,
    }),
  );
  if (Object.values(fields).some((value) => value !== undefined))
    command.cnode(dataForm('submit', fields));
  return iq;
}

// ISO 8601 date and time with a UTC offset, in the forms Python's datetime.fromisoformat
// reads in every version the Quoalise reference runs on: seconds optional, fractions of
// 3 or 6 digits, offset as ±HH:MM (a Z is written as +00:00).
const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}|\d{6}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Check an ISO 8601 time with an offset, e.g. "2021-12-01T00:00+01:00", and give
 * it in the form the reference implementation reads (Z becomes +00:00). A Date is
 * written in UTC. A time without an offset is refused: it would be read in the
 * provider's local time zone, which the requester does not know. `what` names the
 * time in errors: a term of the library, or a text that stays as written (a field
 * name such as start_time).
 */
export function isoTimeWithOffset(
  value: string | Date,
  what: Subject | string = 'FEDERATION_TERM_TIME',
): string {
  const subject = subjectParams(
    typeof what === 'string' && !isTermId(what) ? { name: what } : (what as Subject),
  );
  let text: string;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new FederationError('FEDERATION_TIME_INVALID_DATE', subject);
    text = value.toISOString();
  } else if (typeof value === 'string') text = value.trim();
  else throw new FederationError('FEDERATION_TIME_NOT_TEXT', { ...subject, ...gotParams(value) });
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match) {
    const noOffset = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text);
    throw new FederationError(noOffset ? 'FEDERATION_TIME_NO_OFFSET' : 'FEDERATION_TIME_NOT_ISO', {
      ...subject,
      value: describeValue(value),
    });
  }
  const [, y, mo, d, h, mi, s, , zone, , oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    (s === undefined || Number(s) <= 59) &&
    (zone === 'Z' || (Number(oh) <= 23 && Number(om) <= 59));
  if (!inRange)
    throw new FederationError('FEDERATION_TIME_NOT_REAL', {
      ...subject,
      value: describeValue(value),
    });
  return zone === 'Z' ? `${text.slice(0, -1)}+00:00` : text;
}

/** Quoalise get_history: readings of `identifier` between two times (ISO 8601 with offset). */
export function getHistoryIq(
  to: string,
  identifier: string,
  startTime: string | Date,
  endTime: string | Date,
): Element {
  const start = isoTimeWithOffset(startTime, { name: 'start_time' });
  const end = isoTimeWithOffset(endTime, { name: 'end_time' });
  if (Date.parse(start) > Date.parse(end))
    throw new FederationError('FEDERATION_START_AFTER_END', { start, end });
  return commandIq(to, 'get_history', {
    identifier: xmlText(identifier, 'FEDERATION_TERM_IDENTIFIER'),
    start_time: start,
    end_time: end,
  });
}

/** Quoalise subscribe: be pushed the readings of `identifier` from now on. */
export function subscribeCommandIq(to: string, identifier: string): Element {
  return commandIq(to, 'subscribe', {
    identifier: xmlText(identifier, 'FEDERATION_TERM_IDENTIFIER'),
  });
}

/** Quoalise unsubscribe. */
export function unsubscribeCommandIq(to: string, identifier: string): Element {
  return commandIq(to, 'unsubscribe', {
    identifier: xmlText(identifier, 'FEDERATION_TERM_IDENTIFIER'),
  });
}

// ---------------------------------------------------------------------------
// Provider side

export interface CommandRequest {
  /** The requester; undefined only when the request came from the provider's own account (RFC 6120 §8.1.2.1). */
  from: string | undefined;
  id: string;
  node: string;
  action: CommandAction;
  sessionid?: string;
  /** xml:lang of the iq or the command (§3.7). */
  lang?: string;
  /** The submitted form's fields ({} without a form). */
  fields: Record<string, string | string[]>;
  form?: DataForm;
}

/**
 * Read a command request (§2.4, §4.1). Undefined when the input is not an iq of
 * type set holding `<command xmlns="http://jabber.org/protocol/commands">`. A
 * FederationError when it is one but has no id or node, an unknown action, or a
 * form without a type: answer it with commandErrorIq(theIq, 'bad-request', …),
 * which accepts the raw iq.
 */
export function parseCommandRequest(iq: unknown): CommandRequest | undefined {
  const stanza = asStanza(iq, 'iq');
  if (!stanza || attr(stanza, 'type') !== 'set') return undefined;
  const command = childNamed(stanza, 'command', COMMANDS_NS);
  if (!command) return undefined;
  const id = nonEmptyAttr(stanza, 'id');
  if (id === undefined) throw new FederationError('FEDERATION_COMMAND_NO_ID');
  const node = nonEmptyAttr(command, 'node');
  if (node === undefined) throw new FederationError('FEDERATION_COMMAND_NO_NODE');
  const action = attr(command, 'action') ?? 'execute';
  if (!ACTIONS.has(action))
    throw new FederationError('FEDERATION_COMMAND_ACTION_MALFORMED', gotParams(action));
  const form = childDataForm(command);
  const request: CommandRequest = {
    from: nonEmptyAttr(stanza, 'from'),
    id,
    node,
    action: action as CommandAction,
    fields: form?.fields ?? {},
  };
  const sessionid = nonEmptyAttr(command, 'sessionid');
  if (sessionid !== undefined) request.sessionid = sessionid;
  const lang = nonEmptyAttr(command, 'xml:lang') ?? nonEmptyAttr(stanza, 'xml:lang');
  if (lang !== undefined) request.lang = lang;
  if (form) request.form = form;
  return request;
}

function singleField(request: CommandRequest, name: string): string {
  const value = Object.prototype.hasOwnProperty.call(request.fields, name)
    ? request.fields[name]
    : undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new FederationError('FEDERATION_COMMAND_FIELD_REQUIRED', {
      command: request.node,
      field: name,
    });
  return value;
}

function requestTime(request: CommandRequest, name: string): string {
  const value = singleField(request, name);
  try {
    return isoTimeWithOffset(value, { name });
  } catch (err) {
    throw new FederationError(
      'FEDERATION_COMMAND_FIELD_INVALID',
      { command: request.node },
      { cause: err },
    );
  }
}

/** The fields of a get_history request, checked (a FederationError to answer with bad-request otherwise). */
export function historyRequest(request: CommandRequest): {
  identifier: string;
  startTime: string;
  endTime: string;
} {
  const identifier = singleField(request, 'identifier');
  const startTime = requestTime(request, 'start_time');
  const endTime = requestTime(request, 'end_time');
  if (Date.parse(startTime) > Date.parse(endTime))
    throw new FederationError('FEDERATION_COMMAND_START_AFTER_END', {
      command: request.node,
      start: startTime,
      end: endTime,
    });
  return { identifier, startTime, endTime };
}

/** The identifier of a subscribe or unsubscribe request, checked. */
export function identifierRequest(request: CommandRequest): { identifier: string } {
  return { identifier: singleField(request, 'identifier') };
}

/** What a reply is addressed from: the parsed request, the raw iq, or its from, id, node and sessionid. */
export type ReplyTarget =
  CommandRequest | Element | { from?: string; id: string; node?: string; sessionid?: string };

function replyTarget(request: ReplyTarget): {
  to: string | undefined;
  id: string;
  node: string | undefined;
  sessionid: string | undefined;
} {
  if (isElement(request)) {
    const id = nonEmptyAttr(request, 'id');
    if (id === undefined) throw new FederationError('FEDERATION_REPLY_NO_ID');
    const command = childNamed(request, 'command', COMMANDS_NS);
    return {
      to: nonEmptyAttr(request, 'from'),
      id,
      node: command && nonEmptyAttr(command, 'node'),
      sessionid: command && nonEmptyAttr(command, 'sessionid'),
    };
  }
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.id !== 'string' ||
    request.id === ''
  ) {
    throw new FederationError('FEDERATION_REPLY_NOT_REQUEST', gotParams(request));
  }
  return { to: request.from, id: request.id, node: request.node, sessionid: request.sessionid };
}

export interface CommandNote {
  type: 'info' | 'warn' | 'error';
  text: string;
}

export interface CommandResultOptions {
  /** Default completed. */
  status?: CommandStatus;
  /** A `<quoalise xmlns="urn:quoalise:0">` element (see quoaliseDataElement). */
  data?: Element;
  /** A data form to include before the data (the reference provider sends a result form). */
  form?: Element;
  /** Notes (§4.3); a command that completes but fails MUST carry a note of type error (§3.6). */
  notes?: readonly CommandNote[];
  /** Default: the request's, else a new one (§4.1: the responder SHOULD initialize it). */
  sessionid?: string;
}

/**
 * The provider's answer (§2.4.1, Example 9):
 * `<iq type="result" to=from id><command xmlns node sessionid status>[form][<quoalise>…</quoalise>][notes]</command></iq>`.
 */
export function commandResultIq(request: ReplyTarget, result: CommandResultOptions = {}): Element {
  const target = replyTarget(request);
  if (target.node === undefined) throw new FederationError('FEDERATION_REPLY_NO_NODE');
  const status = result.status ?? 'completed';
  if (!STATUSES.has(status))
    throw new FederationError('FEDERATION_COMMAND_STATUS_UNKNOWN', gotParams(status));
  const sessionid = result.sessionid ?? target.sessionid ?? `${target.node}:${randomUUID()}`;
  const iq = element('iq', { type: 'result', to: target.to, id: target.id });
  const command = iq.cnode(
    element('command', {
      xmlns: COMMANDS_NS,
      node: target.node,
      sessionid: xmlText(sessionid, 'FEDERATION_TERM_COMMAND_SESSION'),
      status,
    }),
  );
  if (result.form !== undefined)
    command.cnode(ownPayload(result.form, 'FEDERATION_TERM_COMMAND_RESULT_FORM'));
  if (result.data !== undefined) {
    if (!isNamed(result.data, 'quoalise', QUOALISE_NS))
      throw new FederationError('FEDERATION_COMMAND_DATA_NOT_QUOALISE', gotParams(result.data));
    command.cnode(ownPayload(result.data, 'FEDERATION_TERM_COMMAND_RESULT_DATA'));
  }
  for (const note of result.notes ?? []) {
    if (note.type !== 'info' && note.type !== 'warn' && note.type !== 'error')
      throw new FederationError('FEDERATION_NOTE_TYPE_UNKNOWN', gotParams(note.type));
    command
      .c('note', { type: note.type })
      .t(xmlText(note.text, 'FEDERATION_TERM_NOTE_TEXT', { allowEmpty: true }));
  }
  return iq;
}

export interface CommandErrorOptions {
  text?: string;
  lang?: string;
  /** Quoalise: the upstream system's own error, inside `<error>` after the text. */
  upstream?: UpstreamError;
  /** A XEP-0050 §4.4 specific condition, e.g. bad-payload with bad-request. */
  commandCondition?: CommandCondition;
  /** Overrides the error type of the condition (RFC 6120 §8.3.3). */
  type?: StanzaErrorType;
}

/**
 * An error answer: `<iq type="error" to id>`, the `<command node sessionid?>` echoed
 * (as XEP-0050 Example 23 does), then `<error type>` with the RFC 6120 condition
 * (type from §8.3.3: not-authorized → auth, bad-request → modify,
 * service-unavailable / item-not-found / undefined-condition → cancel), optional
 * `<text>`, then the optional command condition and `<upstream-error>`. Quoalise
 * uses not-authorized, bad-request, service-unavailable, item-not-found and
 * undefined-condition (with an upstream error); any RFC 6120 condition is accepted.
 */
export function commandErrorIq(
  request: ReplyTarget,
  condition: DefinedCondition,
  options: CommandErrorOptions = {},
): Element {
  if (!isDefinedCondition(condition))
    throw new FederationError('FEDERATION_CONDITION_UNKNOWN', { condition: String(condition) });
  const target = replyTarget(request);
  const iq = element('iq', { type: 'error', to: target.to, id: target.id });
  if (target.node !== undefined)
    iq.cnode(
      element('command', { xmlns: COMMANDS_NS, node: target.node, sessionid: target.sessionid }),
    );
  const application: Element[] = [];
  if (options.commandCondition !== undefined) {
    if (!COMMAND_CONDITIONS.has(options.commandCondition))
      throw new FederationError('FEDERATION_COMMAND_CONDITION_UNKNOWN', {
        condition: String(options.commandCondition),
      });
    application.push(element(options.commandCondition, { xmlns: COMMANDS_NS }));
  }
  if (options.upstream !== undefined)
    application.push(upstreamErrorElement(options.upstream.issuer, options.upstream.code));
  iq.cnode(
    errorElement(condition, {
      type: options.type,
      text: options.text,
      lang: options.lang,
      application,
    }),
  );
  return iq;
}

// ---------------------------------------------------------------------------
// Requester reading the answer

export interface CommandError extends StanzaErrorSummary {
  /** Quoalise upstream error, if any. */
  upstream?: UpstreamError;
  /** XEP-0050 §4.4 condition, if any. */
  commandCondition?: string;
}

/** The error of a command answer: from the error iq or the StanzaError @xmpp/client rejects with. Undefined if none. */
export function parseCommandError(input: unknown): CommandError | undefined {
  const error = readProtocolError(input);
  if (!error) return undefined;
  const out: CommandError = { ...error.summary };
  const upstream = upstreamErrorOf(error);
  if (upstream) out.upstream = upstream;
  const specific = error.condition(COMMANDS_NS, (name) => COMMAND_CONDITIONS.has(name));
  if (specific) out.commandCondition = localName(specific);
  return out;
}

export interface CommandResult {
  /** Undefined for an error answer. */
  status: CommandStatus | undefined;
  node: string | undefined;
  sessionid: string | undefined;
  notes: CommandNote[];
  /** The first data form in the command, if any. */
  form?: DataForm;
  /** The `<quoalise><data>` carried, read. */
  data?: QuoaliseData;
  error?: CommandError;
}

/**
 * Read a command answer: a result (§2.4.1, Example 9) or an error (Example 23).
 * Undefined when the input is not an iq result with `<command>` nor an iq error.
 * A FederationError when the status is unknown or the Quoalise data malformed.
 */
export function parseCommandResult(iq: unknown): CommandResult | undefined {
  const stanza = asStanza(iq, 'iq');
  if (!stanza) return undefined;
  const type = attr(stanza, 'type');
  const command = childNamed(stanza, 'command', COMMANDS_NS);
  if (type === 'error') {
    const error = parseCommandError(stanza);
    if (!error) return undefined;
    return {
      status: undefined,
      node: command && nonEmptyAttr(command, 'node'),
      sessionid: command && nonEmptyAttr(command, 'sessionid'),
      notes: [],
      error,
    };
  }
  if (type !== 'result' || !command) return undefined;
  const status = attr(command, 'status');
  if (status !== undefined && !STATUSES.has(status))
    throw new FederationError('FEDERATION_COMMAND_STATUS_MALFORMED', gotParams(status));
  const out: CommandResult = {
    status: status as CommandStatus | undefined,
    node: nonEmptyAttr(command, 'node'),
    sessionid: nonEmptyAttr(command, 'sessionid'),
    notes: [],
  };
  for (const note of childrenNamed(command, 'note', COMMANDS_NS)) {
    const noteType = attr(note, 'type');
    out.notes.push({
      type: noteType === 'warn' || noteType === 'error' ? noteType : 'info',
      text: textOf(note),
    });
  }
  const form = childDataForm(command);
  if (form) out.form = form;
  const quoalise = childElements(command).filter(
    (child) => localName(child) === 'quoalise' && namespaceOf(child, command) === QUOALISE_NS,
  );
  if (quoalise.length > 1)
    throw new FederationError('FEDERATION_COMMAND_RESULT_QUOALISE_COUNT', {
      count: quoalise.length,
    });
  if (quoalise.length === 1) out.data = parseQuoaliseElement(quoalise[0]);
  return out;
}
