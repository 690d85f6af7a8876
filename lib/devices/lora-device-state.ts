import type { FrameCounters } from '../store/frame-counters';
import {
  type JoinRequestFrame,
  type LoraDeviceKeys,
  type LoraSession,
  type UplinkFrame,
  readFrame,
} from './lorawan';
import type { Mic11Hints } from './lorawan-11-mic';

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
/** A frame read: what it is, and (a data frame) when its counter is on disk. */
interface Read {
  taken: DeviceFrame;
  durable?: Promise<void>;
}

export class LoraDeviceState {
  #lastJoinRequest: JoinRequestFrame | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Frames whose read waits in #queue behind a join accept (the only read that waits for the disk). */
  #waiting = 0;

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

  /** `radio`: what the radio metadata says of a LoRaWAN 1.1 frame (TxDr, TxCh, ConfFCnt), if anything. */
  take(phy: Buffer, radio?: Mic11Hints): Promise<DeviceFrame> {
    // Nothing waits before it: read at once (a data frame's read is synchronous), no promise hops.
    if (this.#waiting === 0) {
      let read: Read | Promise<Read>;
      try {
        read = this.#read(phy, radio);
      } catch (err) {
        return Promise.reject(err);
      }
      if (read instanceof Promise) return this.#inQueue(read);
      const { taken, durable } = read;
      return durable === undefined ? Promise.resolve(taken) : durable.then(() => taken);
    }
    return this.#inQueue(this.#queue.then(() => this.#read(phy, radio)));
  }

  /** A read the frames after it wait for: a join accept's, or one behind it. */
  #inQueue(read: Promise<Read>): Promise<DeviceFrame> {
    this.#waiting += 1;
    const settled = (): void => {
      this.#waiting -= 1;
    };
    this.#queue = read.then(settled, settled);
    return read.then(async ({ taken, durable }) => {
      await durable;
      return taken;
    });
  }

  /**
   * Read a frame and record its counter in memory; `durable` resolves once that is on disk.
   * Synchronous but for a join accept, whose new session is on disk before the next frame is read.
   */
  #read(phy: Buffer, radio: Mic11Hints | undefined): Read | Promise<Read> {
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
        ...(radio === undefined ? {} : { radio }),
      },
    );
    if (read.kind === 'join-request') {
      this.#lastJoinRequest = read;
      return { taken: { kind: 'join-request', frame: read } };
    }
    if (read.kind === 'join-accept') return this.#joined(read.session);
    const durable = this.counters.accept(SELF, read.fCnt, session!.id);
    // Handled by the caller of take; here only so that a failed write is not "unhandled" first.
    durable.catch(() => undefined);
    return { taken: { kind: 'data', frame: read }, durable };
  }

  /** A new session: the frames after it wait until it is on disk. */
  async #joined(session: LoraSession): Promise<Read> {
    const { id, ...keys } = session;
    await this.counters.joined(SELF, id, keys);
    this.#lastJoinRequest = undefined;
    return { taken: { kind: 'joined', session } };
  }
}
