import type { Element } from 'ltx';
import { type ResolvedPack, SenmlError, type SenmlNote, resolve } from '../senml';
import { type CommandNote, type CommandStatus, type QuoaliseCommand, getHistoryIq, parseCommandError, parseCommandResult, subscribeCommandIq, unsubscribeCommandIq } from './adhoc';
import { FederationError } from './errors';
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
export const QUOALISE_COMMANDS: readonly QuoaliseCommand[] = ['get_history', 'subscribe', 'unsubscribe'];

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
export type RequestErrorCode = 'REQUEST_REFUSED' | 'REQUEST_TIMEOUT' | 'REQUEST_OFFLINE' | 'REQUEST_INPUT' | 'REQUEST_MALFORMED';

export class RequestError extends Error {
  readonly code: RequestErrorCode;
  /** The XMPP error condition (RFC 6120 §8.3.3), for REQUEST_REFUSED. */
  readonly condition?: string;
  /** The error type (auth, cancel, modify, wait, continue), when the provider gave one. */
  readonly type?: StanzaErrorType;
  /** The provider's explanation, if it gave one. */
  readonly text?: string;
  /** Quoalise `<upstream-error issuer code/>`, if any. */
  readonly upstream?: UpstreamError;

  constructor(code: RequestErrorCode, message: string, details: { condition?: string; type?: StanzaErrorType; text?: string; upstream?: UpstreamError; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RequestError';
    this.code = code;
    if (details.condition !== undefined) this.condition = details.condition;
    if (details.type !== undefined) this.type = details.type;
    if (details.text !== undefined) this.text = details.text;
    if (details.upstream !== undefined) this.upstream = details.upstream;
  }
}

/** Build the command's iq; a RequestError (REQUEST_INPUT) when it cannot be built. */
export function commandRequestIq(to: string, command: QuoaliseCommand, fields: RequestFields): Element {
  try {
    if (typeof fields !== 'object' || fields === null) throw new FederationError('FEDERATION_INPUT', 'the request needs fields: an identifier, and start and end for get_history');
    switch (command) {
      case 'get_history':
        if (fields.start === undefined || fields.end === undefined) throw new FederationError('FEDERATION_INPUT', 'get_history needs a start and an end time');
        return getHistoryIq(to, fields.identifier, fields.start, fields.end);
      case 'subscribe':
        return subscribeCommandIq(to, fields.identifier);
      case 'unsubscribe':
        return unsubscribeCommandIq(to, fields.identifier);
      default:
        throw new FederationError('FEDERATION_INPUT', `the command must be get_history, subscribe or unsubscribe, got ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof FederationError) throw new RequestError('REQUEST_INPUT', err.message, { cause: err });
    throw err;
  }
}

/**
 * Execute a Quoalise command at `to` (a full JID) and read the answer. Resolves
 * with the data returned, resolved; rejects with a RequestError. A session that
 * is still connecting is waited for, within the same `timeoutMs`.
 */
export async function request(session: XmppSession, to: string, command: QuoaliseCommand, fields: RequestFields, timeoutMs = 60_000): Promise<CommandReply> {
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
    throw new RequestError('REQUEST_MALFORMED', `${command} at ${to}: unreadable answer: ${(err as Error).message}`, { cause: err });
  }
  if (!result) throw new RequestError('REQUEST_MALFORMED', `${command} at ${to}: the answer holds no ad-hoc command result`);
  if (result.error) throw refused(command, to, result.error);
  const failure = result.notes.find((note) => note.type === 'error');
  if (failure) {
    // XEP-0050 §3.6: a command that completed but failed carries a note of type error.
    throw new RequestError('REQUEST_REFUSED', `${command} at ${to} failed: ${failure.text}`, { condition: 'undefined-condition', text: failure.text });
  }
  if (result.status !== 'completed') {
    // A provider that wants more stages (a form to fill in) did not take the one-stage submission.
    throw new RequestError('REQUEST_MALFORMED', `${command} at ${to}: the provider did not complete the command (status ${result.status ?? 'missing'}); Quoalise commands complete in one stage`);
  }
  let records: ResolvedPack = [];
  const senmlNotes: SenmlNote[] = [];
  if (result.data && result.data.records.length > 0) {
    try {
      // Quoalise providers send Wh and kWh without declaring them (no bver): accepted, with a note.
      records = resolve(result.data.records, { secondaryUnits: 'accept', onNote: (note) => senmlNotes.push(note) });
    } catch (err) {
      const detail = err instanceof SenmlError ? err.message : String(err);
      throw new RequestError('REQUEST_MALFORMED', `${command} at ${to}: the data returned is not valid SenML: ${detail}`, { cause: err });
    }
  }
  return { status: result.status, records, meta: result.data?.meta ?? {}, sessionid: result.sessionid, notes: result.notes, senmlNotes };
}

function refused(command: string, to: string, error: NonNullable<ReturnType<typeof parseCommandError>>): RequestError {
  const upstream = error.upstream ? ` (upstream ${error.upstream.issuer}: ${error.upstream.code})` : '';
  const text = error.text ? `: ${error.text}` : '';
  return new RequestError('REQUEST_REFUSED', `${command} at ${to} refused: ${error.condition}${upstream}${text}`, {
    condition: error.condition,
    type: error.type,
    text: error.text,
    upstream: error.upstream,
  });
}

function requestFailure(err: unknown, command: string, to: string, timeoutMs: number): RequestError {
  if (err instanceof RequestError) return err;
  const error = parseCommandError(err);
  if (error) return refused(command, to, error);
  if (err instanceof SessionError) return new RequestError('REQUEST_OFFLINE', `${command} at ${to}: ${err.message}`, { cause: err });
  const name = (err as { name?: unknown })?.name;
  if (name === 'TimeoutError') return new RequestError('REQUEST_TIMEOUT', `${command} at ${to}: no answer within ${timeoutMs} ms`, { cause: err });
  return new RequestError('REQUEST_OFFLINE', `${command} at ${to}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

