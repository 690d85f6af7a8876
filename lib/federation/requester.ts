import type { Element } from 'ltx';
import { type ResolvedPack, type SenmlNote, resolve } from '../senml';
import {
  type CommandNote,
  type CommandStatus,
  type QuoaliseCommand,
  getHistoryIq,
  parseCommandError,
  parseCommandResult,
  subscribeCommandIq,
  unsubscribeCommandIq,
} from './adhoc';
import { FederationBaseError, FederationError, type MessageArgs, type MessageIdOf } from './errors';
import type { Meta, UpstreamError } from './quoalise';
import { type XmppSession, SessionError } from './session';
import type { StanzaErrorType } from './stanza-error';

/**
 * The requester side of Quoalise's ad-hoc commands (XEP-0050): ask a provider for
 * the history of an identifier, or to push its readings from now on (subscribe)
 * or no longer (unsubscribe), and read the answer.
 *
 * `to` must be the provider's FULL JID, e.g. "provider@sen1.test/node-red":
 * commands are executed by a client resource, and an iq sent to a bare JID is
 * answered by the provider's server itself (RFC 6120 §10.5.3.2), which has no such
 * command: service-unavailable. A SenFed provider gets a fixed resource from its
 * account's settings.
 */
export const QUOALISE_COMMANDS: readonly QuoaliseCommand[] = [
  'get_history',
  'subscribe',
  'unsubscribe',
];

export interface RequestFields {
  identifier: string;
  /** get_history only: ISO 8601 with a UTC offset ("2021-12-01T00:00:00+01:00"), or a Date. */
  start?: string | Date;
  end?: string | Date;
}

export interface CommandReply {
  status: CommandStatus;
  /** The data returned, resolved (RFC 8428 §4.6); [] when the answer carried none. */
  records: ResolvedPack;
  /** The Quoalise `<meta>` returned, as an object ({} when none). */
  meta: Meta;
  sessionid: string | undefined;
  /** Notes of the answer (XEP-0050 §4.3), if any. */
  notes: CommandNote[];
  /** What resolving the data set aside or accepted although the pack was used (a Wh without bver, say). */
  senmlNotes: SenmlNote[];
}

/**
 * - REQUEST_REFUSED: the provider answered with an XMPP error (`condition`, and
 *   `upstream` when the fault lies upstream of it), or completed the command with
 *   an error note (XEP-0050 §3.6; condition undefined-condition).
 * - REQUEST_TIMEOUT: no answer within the time given.
 * - REQUEST_OFFLINE: the requester's own session is not connected.
 * - REQUEST_INPUT: the request cannot be built (no identifier, a time without an
 *   offset, start after end, an unknown command).
 * - REQUEST_MALFORMED: the answer cannot be read (not a command result, unreadable
 *   SenML, a multi-stage command the requester cannot go on with).
 */
export type RequestErrorCode =
  'REQUEST_REFUSED' | 'REQUEST_TIMEOUT' | 'REQUEST_OFFLINE' | 'REQUEST_INPUT' | 'REQUEST_MALFORMED';

export interface RequestErrorDetails {
  condition?: string;
  type?: StanzaErrorType;
  text?: string;
  upstream?: UpstreamError;
  cause?: unknown;
}

export class RequestError extends FederationBaseError {
  declare readonly code: RequestErrorCode;
  /** The XMPP error condition (RFC 6120 §8.3.3), for REQUEST_REFUSED. */
  readonly condition?: string;
  /** The error type (auth, cancel, modify, wait, continue), when the provider gave one. */
  readonly type?: StanzaErrorType;
  /** The provider's explanation, if it gave one. */
  readonly text?: string;
  /** Quoalise `<upstream-error issuer code/>`, if any. */
  readonly upstream?: UpstreamError;

  constructor(
    ...[messageId, params, details = {}]: MessageArgs<
      MessageIdOf<RequestErrorCode>,
      RequestErrorDetails
    >
  ) {
    super(messageId, params, details);
    this.name = 'RequestError';
    if (details.condition !== undefined) this.condition = details.condition;
    if (details.type !== undefined) this.type = details.type;
    if (details.text !== undefined) this.text = details.text;
    if (details.upstream !== undefined) this.upstream = details.upstream;
  }
}

/** Build the command's iq; a RequestError (REQUEST_INPUT) when it cannot be built. */
export function commandRequestIq(
  to: string,
  command: QuoaliseCommand,
  fields: RequestFields,
): Element {
  if (typeof fields !== 'object' || fields === null) throw new RequestError('REQUEST_NO_FIELDS');
  try {
    switch (command) {
      case 'get_history':
        if (fields.start === undefined || fields.end === undefined)
          throw new RequestError('REQUEST_NO_PERIOD');
        return getHistoryIq(to, fields.identifier, fields.start, fields.end);
      case 'subscribe':
        return subscribeCommandIq(to, fields.identifier);
      case 'unsubscribe':
        return unsubscribeCommandIq(to, fields.identifier);
      default:
        throw new RequestError('REQUEST_UNKNOWN_COMMAND', {
          command: String(JSON.stringify(command)),
        });
    }
  } catch (err) {
    if (err instanceof FederationError)
      throw new RequestError('REQUEST_INVALID', {}, { cause: err });
    throw err;
  }
}

/**
 * Execute a Quoalise command at `to` (a full JID) and read the answer. Resolves
 * with the data returned, resolved; rejects with a RequestError. A session that
 * is still connecting is waited for, within the same `timeoutMs`.
 */
export async function request(
  session: XmppSession,
  to: string,
  command: QuoaliseCommand,
  fields: RequestFields,
  timeoutMs = 60_000,
): Promise<CommandReply> {
  const iq = commandRequestIq(to, command, fields);
  const deadline = Date.now() + timeoutMs;
  let answer: Element;
  try {
    if (!session.online) await session.waitOnline(timeoutMs);
    answer = await session.iq(iq, Math.max(1, deadline - Date.now()));
  } catch (err) {
    throw requestFailure(err, command, to, timeoutMs);
  }
  return readReply(answer, command, to);
}

/** Read a command's answer (an iq result) as request() does. */
export function readReply(answer: unknown, command: string, to: string): CommandReply {
  let result;
  try {
    result = parseCommandResult(answer);
  } catch (err) {
    throw new RequestError('REQUEST_UNREADABLE_ANSWER', { command, to }, { cause: err });
  }
  if (!result) throw new RequestError('REQUEST_NO_RESULT', { command, to });
  if (result.error) throw refused(command, to, result.error);
  const failure = result.notes.find((note) => note.type === 'error');
  if (failure) {
    // XEP-0050 §3.6: a command that completed but failed carries a note of type error.
    throw new RequestError(
      'REQUEST_FAILED_NOTE',
      { command, to, text: failure.text },
      { condition: 'undefined-condition', text: failure.text },
    );
  }
  if (result.status !== 'completed') {
    // A provider that wants more stages (a form to fill in) did not take the one-stage submission.
    if (result.status === undefined) throw new RequestError('REQUEST_NO_STATUS', { command, to });
    throw new RequestError('REQUEST_NOT_COMPLETED', { command, to, status: result.status });
  }
  let records: ResolvedPack = [];
  const senmlNotes: SenmlNote[] = [];
  if (result.data && result.data.records.length > 0) {
    try {
      // Quoalise providers send Wh and kWh without declaring them (no bver): accepted, with a note.
      records = resolve(result.data.records, {
        secondaryUnits: 'accept',
        onNote: (note) => senmlNotes.push(note),
      });
    } catch (err) {
      throw new RequestError('REQUEST_NOT_SENML', { command, to }, { cause: err });
    }
  }
  return {
    status: result.status,
    records,
    meta: result.data?.meta ?? {},
    sessionid: result.sessionid,
    notes: result.notes,
    senmlNotes,
  };
}

function refused(
  command: string,
  to: string,
  error: NonNullable<ReturnType<typeof parseCommandError>>,
): RequestError {
  const details: RequestErrorDetails = {
    condition: error.condition,
    type: error.type,
    text: error.text,
    upstream: error.upstream,
  };
  const { condition, text, upstream } = error;
  if (upstream && text)
    return new RequestError(
      'REQUEST_REFUSED_UPSTREAM_TEXT',
      { command, to, condition, issuer: upstream.issuer, upstreamCode: upstream.code, text },
      details,
    );
  if (upstream)
    return new RequestError(
      'REQUEST_REFUSED_UPSTREAM',
      { command, to, condition, issuer: upstream.issuer, upstreamCode: upstream.code },
      details,
    );
  if (text)
    return new RequestError('REQUEST_REFUSED_TEXT', { command, to, condition, text }, details);
  return new RequestError('REQUEST_REFUSED', { command, to, condition }, details);
}

function requestFailure(
  err: unknown,
  command: string,
  to: string,
  timeoutMs: number,
): RequestError {
  if (err instanceof RequestError) return err;
  const error = parseCommandError(err);
  if (error) return refused(command, to, error);
  if (err instanceof SessionError)
    return new RequestError('REQUEST_NOT_SENT', { command, to }, { cause: err });
  const name = (err as { name?: unknown })?.name;
  if (name === 'TimeoutError')
    return new RequestError('REQUEST_NO_ANSWER', { command, to, timeoutMs }, { cause: err });
  // Not an Error (or one without a message): its text stands for it.
  return new RequestError(
    'REQUEST_NOT_SENT',
    { command, to },
    { cause: err instanceof Error && err.message ? err : String((err as Error)?.message ?? err) },
  );
}
