import type { Element } from 'ltx';
import { SenfedError } from '../errors';
import {
  COMMANDS_NS,
  type CommandRequest,
  commandErrorIq,
  commandResultIq,
  parseCommandRequest,
} from './adhoc';
import { dataForm } from './data-form';
import { FederationError } from './errors';
import type { XmppSession } from './session';

/**
 * A command answered besides Quoalise's (audit_proof, say): the submitted
 * form's fields in, the result form's fields out. A SenfedError thrown is
 * answered bad-request with its English text.
 */
export interface ExtraCommand {
  /** The name disco#items lists. */
  name: string;
  /** The fields of the form a generic client fills in. */
  fields: readonly string[];
  answer(
    fields: Record<string, string | string[]>,
    from: string,
  ): Promise<Record<string, string | string[]>>;
  /** What answers: parts adding commands of the same owner (one audit log, say) share the node. */
  owner?: object;
}

/**
 * The ad-hoc commands (XEP-0050) one session answers besides a provider's own
 * three: whatever part of a flow needs one (a consent gate's audit_proof, say)
 * adds it here, and it is answered whether or not a provider runs on the
 * session. While one does, the provider answers them with its own (and lists
 * them in disco); without one, the desk answers them itself.
 */
export class CommandDesk {
  static of(session: XmppSession): CommandDesk {
    let desk = desks.get(session);
    if (desk === undefined) desks.set(session, (desk = new CommandDesk(session)));
    return desk;
  }

  readonly #commands = new Map<string, { command: ExtraCommand; owner: object; holders: number }>();
  /** Set by a provider while it answers the session's commands. */
  providerAnswers = false;

  private constructor(readonly session: XmppSession) {
    session.answerIq('set', COMMANDS_NS, 'command', (stanza) => this.#onCommand(stanza));
  }

  /**
   * Answer `node` with `command` until the returned function is called. A node
   * is answered by one owner at a time (`command.owner`, else the command
   * itself): a command of another owner for it is a FederationError
   * (FEDERATION_COMMAND_TAKEN); those of the same owner share it, and it goes
   * when the last of them is removed.
   */
  add(node: string, command: ExtraCommand): () => void {
    const owner = command.owner ?? command;
    const held = this.#commands.get(node);
    if (held !== undefined && held.owner !== owner)
      throw new FederationError('FEDERATION_COMMAND_TAKEN', {
        command: node,
        jid: this.session.bareJid,
      });
    const entry = held ?? { command, owner, holders: 0 };
    entry.holders += 1;
    this.#commands.set(node, entry);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      entry.holders -= 1;
      if (entry.holders === 0 && this.#commands.get(node) === entry) this.#commands.delete(node);
    };
  }

  get(node: string): ExtraCommand | undefined {
    return this.#commands.get(node)?.command;
  }

  /** The command nodes held, in the order added. */
  nodes(): string[] {
    return [...this.#commands.keys()];
  }

  async #onCommand(stanza: Element): Promise<Element | undefined> {
    if (this.providerAnswers) return undefined;
    let request: CommandRequest | undefined;
    try {
      request = parseCommandRequest(stanza);
    } catch {
      return undefined; // not one of ours to judge: the session's default answer
    }
    const command = request && this.get(request.node);
    if (request === undefined || command === undefined) return undefined;
    return answerExtraCommand(request, command, this.session.jid ?? this.session.bareJid);
  }
}

const desks = new WeakMap<XmppSession, CommandDesk>();

/**
 * The answer to one request for an extra command (XEP-0050 §3.4): a form to
 * fill in when it came without one, `canceled` to a cancel, else the command's
 * result form; a SenfedError it throws is answered bad-request (bad-payload).
 */
export async function answerExtraCommand(
  request: CommandRequest,
  command: ExtraCommand,
  self: string,
  refuse: (err: SenfedError) => Element = (err) =>
    commandErrorIq(request, 'bad-request', { text: err.message, commandCondition: 'bad-payload' }),
): Promise<Element> {
  if (request.action === 'cancel' || request.form?.type === 'cancel')
    return commandResultIq(request, { status: 'canceled' });
  if (!request.form) {
    const fields = Object.fromEntries(command.fields.map((name) => [name, [] as string[]]));
    return commandResultIq(request, {
      status: 'executing',
      form: dataForm('form', fields, { title: command.name }),
    });
  }
  try {
    const result = await command.answer(request.fields, request.from ?? self);
    return commandResultIq(request, { form: dataForm('result', result, { title: command.name }) });
  } catch (err) {
    if (!(err instanceof SenfedError)) throw err;
    return refuse(err);
  }
}
