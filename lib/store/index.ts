/**
 * Durable files: what SenFed keeps on disk so that nothing is lost when Node-RED
 * stops, crashes or the machine loses power. Every durable file of the package
 * goes through here. Files are 0600 in folders 0700 (files.ts).
 *
 * Durability policy:
 * - DurableQueue (an append-only journal with acks; the outgoing queues): a push
 *   resolves only once its line is written and fdatasync'ed (writes in flight
 *   together share one sync). An ack is synced the same way; with `syncAcks: false`
 *   it rides on the next write instead, at most `ackDelayMs`
 *   (20 ms) later, and a crash may forget the acks of that moment, whose entries
 *   are sent again (at-least-once). Compaction
 *   writes a new journal, fsyncs it, renames it over the old one and fsyncs the
 *   folder; a torn last line (a crash mid-append) is skipped at load.
 * - SubscriberRegistry (a small document kept by atomic replace): a change
 *   resolves once the whole document is written to a temporary file, fsynced,
 *   renamed over the old one and the folder fsynced (replaceFile). A crash leaves
 *   the old document or the new one, never a mix.
 * - SeenItems (the ids a subscriber has output): appends are gathered for up to
 *   50 ms and written without fsync; the periodic snapshot is an atomic replace
 *   with fsync (replaceFileSync). A crash may forget the ids of the last moments:
 *   those items are output again after a restart (at-least-once), never lost.
 * - AppendLog (an append-only log that is never compacted; the consent audit
 *   trail): an append resolves once its line is written and fdatasync'ed (appends
 *   in flight together share one sync). Nothing is lost that resolved; the file is
 *   never rewritten, except that an unfinished last write found at open, which no
 *   append had confirmed, is cut off (and said in `warnings`). Each line holds the
 *   SHA-256 of the line before, so a change or a removal shows in `verify()`.
 *
 * Errors are StoreError, DurableQueueError and SubscriberRegistryError, all
 * SenfedErrors whose sentences are in messages.ts.
 */
export {
  AppendLog,
  LOG_GENESIS,
  type AppendLogOptions,
  type LogRecord,
  type LogVerification,
} from './append-log';
export { StoreError } from './store-error';
export {
  DurableQueue,
  DurableQueueError,
  type DurableQueueOptions,
  type QueueItem,
  type PushReport,
} from './durable-queue';
export { SeenItems, type LastOutput } from './seen-items';
export { SubscriberRegistry, SubscriberRegistryError } from './subscriber-registry';
export {
  PRIVATE_DIRECTORY_MODE,
  PRIVATE_FILE_MODE,
  removeDirectory,
  replaceFile,
  replaceFileSync,
} from './files';
