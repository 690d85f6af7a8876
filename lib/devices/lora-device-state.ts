import type { FrameCounters } from '../store/frame-counters';
import {
  type JoinRequestFrame,
  type LoraDeviceKeys,
  type LoraSession,
  type UplinkFrame,
  readFrame,
} from './lorawan';

/** What a frame did: data to decode, a join request seen, or a join that gave a session. */
export type DeviceFrame =
  | { kind: 'data'; frame: UplinkFrame }
  | { kind: 'join-request'; frame: JoinRequestFrame }
  | { kind: 'joined'; session: LoraSession };

const SELF = 'device';

/**
 * One LoRaWAN device as frames reach it: its keys (ABP, or OTAA with the session
 * of its last join, kept in its counters file), its last accepted frame counter,
 * and the join request a join accept answers. Frames are read one at a time, in
 * the order given, each against the counter the one before it left, so that two
 * frames never race for the counter; a frame is handed on only once its counter
 * is on disk (no replay after a restart). The next frame does not wait for that
 * write: frames read while a write is under way have their counters written
 * together in the next one (see FrameCounters), and each is handed on, in
 * order, when the write holding its counter is done.
 */
export class LoraDeviceState {
  #lastJoinRequest: JoinRequestFrame | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly keys: LoraDeviceKeys,
    readonly counters: FrameCounters,
  ) {}

  /** The session frames are read in now: ABP's, or the last join's. */
  get session(): LoraSession | undefined {
    if (this.keys.session !== undefined) return this.keys.session;
    const held = this.counters.get(SELF);
    return held?.keys === undefined ? undefined : { ...held.keys, id: held.session };
  }

  /** Whether a join request was seen that no join accept has answered yet. */
  get awaitingJoinAccept(): boolean {
    return this.#lastJoinRequest !== undefined;
  }

  take(phy: Buffer): Promise<DeviceFrame> {
    const read = this.#queue.then(() => this.#read(phy));
    this.#queue = read.catch(() => undefined);
    return read.then(async ({ taken, durable }) => {
      await durable;
      return taken;
    });
  }

  /** Read a frame and record its counter in memory; `durable` resolves once that is on disk. */
  async #read(phy: Buffer): Promise<{ taken: DeviceFrame; durable?: Promise<void> }> {
    const session = this.session;
    const held = this.counters.get(SELF);
    const lastFCnt =
      session !== undefined && held?.session === session.id && held.fCnt >= 0
        ? held.fCnt
        : undefined;
    const read = readFrame(
      phy,
      session === undefined || session === this.keys.session
        ? this.keys
        : { ...this.keys, session },
      {
        ...(lastFCnt === undefined ? {} : { lastFCnt }),
        ...(this.#lastJoinRequest ? { lastJoinRequest: this.#lastJoinRequest } : {}),
      },
    );
    if (read.kind === 'join-request') {
      this.#lastJoinRequest = read;
      return { taken: { kind: 'join-request', frame: read } };
    }
    if (read.kind === 'join-accept') {
      // A new session: the frames after it wait until it is on disk.
      const { id, ...keys } = read.session;
      await this.counters.joined(SELF, id, keys);
      this.#lastJoinRequest = undefined;
      return { taken: { kind: 'joined', session: read.session } };
    }
    const durable = this.counters.accept(SELF, read.fCnt, session!.id);
    // Handled by the caller of take; here only so that a failed write is not "unhandled" first.
    durable.catch(() => undefined);
    return { taken: { kind: 'data', frame: read }, durable };
  }
}
