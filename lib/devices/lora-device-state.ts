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
 * and the join request a join accept answers. Frames are taken one at a time, in
 * the order given, so that two frames never race for the counter; a frame is
 * handed on only once its counter is on disk (no replay after a restart).
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
    const run = this.#queue.then(() => this.#take(phy));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #take(phy: Buffer): Promise<DeviceFrame> {
    const session = this.session;
    const held = this.counters.get(SELF);
    const lastFCnt =
      session !== undefined && held?.session === session.id && held.fCnt >= 0
        ? held.fCnt
        : undefined;
    const read = readFrame(
      phy,
      { ...this.keys, ...(session ? { session } : {}) },
      {
        ...(lastFCnt === undefined ? {} : { lastFCnt }),
        ...(this.#lastJoinRequest ? { lastJoinRequest: this.#lastJoinRequest } : {}),
      },
    );
    if (read.kind === 'join-request') {
      this.#lastJoinRequest = read;
      return { kind: 'join-request', frame: read };
    }
    if (read.kind === 'join-accept') {
      const { id, ...keys } = read.session;
      await this.counters.joined(SELF, id, keys);
      this.#lastJoinRequest = undefined;
      return { kind: 'joined', session: read.session };
    }
    await this.counters.accept(SELF, read.fCnt, session!.id);
    return { kind: 'data', frame: read };
  }
}
