import type { MessageTable } from '../errors';

/** The sentences of lib/store, by messageId: family code and English template. */
export const STORE_MESSAGES = {
  QUEUE_BUSY: {
    code: 'QUEUE_BUSY',
    en: 'the queue in {directory} is already open; close it before opening it again',
  },
  QUEUE_OPEN_FAILED: { code: 'QUEUE_IO', en: 'cannot open the queue in {directory}: {cause}' },
  QUEUE_WRITE_FAILED: {
    code: 'QUEUE_IO',
    en: 'cannot write the queue journal {file}; close and reopen the queue: {cause}',
  },
  QUEUE_NOT_JSON: {
    code: 'QUEUE_ENTRY',
    en: 'cannot queue an entry that is not JSON-serialisable: {cause}',
  },
  QUEUE_NOTHING_TO_STORE: {
    code: 'QUEUE_ENTRY',
    en: 'cannot queue {kind}: an entry must be JSON-serialisable',
  },
  QUEUE_ENTRY_TOO_LARGE: {
    code: 'QUEUE_TOO_LARGE',
    en: 'an entry of {bytes} bytes cannot fit in a queue of at most {maxBytes} bytes',
  },
  QUEUE_NOT_A_SEQUENCE: { code: 'QUEUE_ORDER', en: '{seq} is not a sequence number' },
  QUEUE_NEVER_PUSHED: {
    code: 'QUEUE_ORDER',
    en: 'entry {seq} was never pushed (the last one is {last})',
  },
  QUEUE_NOT_OLDEST: {
    code: 'QUEUE_ORDER',
    en: 'entry {seq} is not the oldest (entry {oldest} is): entries are acknowledged in the order they were pushed',
  },
  QUEUE_EMPTY: { code: 'QUEUE_ORDER', en: 'there is no entry to remove: the queue is empty' },
  QUEUE_CLOSED: { code: 'QUEUE_CLOSED', en: 'the queue in {directory} is closed' },
  QUEUE_JOURNAL_CLOSED: { code: 'QUEUE_CLOSED', en: 'the queue journal {file} is not open' },
  QUEUE_MAX_ENTRIES: {
    code: 'QUEUE_OPTIONS',
    en: 'maxEntries must be a whole number of at least 1, not {value}',
  },
  QUEUE_MAX_BYTES: {
    code: 'QUEUE_OPTIONS',
    en: 'maxBytes must be a positive number of bytes, not {value}',
  },
  QUEUE_COMPACT_MIN_BYTES: {
    code: 'QUEUE_OPTIONS',
    en: 'compactMinBytes must be a number of bytes, 0 or more, not {value}',
  },
  QUEUE_OUT_OF_ORDER_LINE: {
    code: 'QUEUE_WARNING',
    en: 'journal line {line}: entry {seq} comes after entry {previous} and was skipped',
  },
  QUEUE_UNREADABLE_LINES: {
    code: 'QUEUE_WARNING',
    en: 'journal lines {from}-{to}: {count} unreadable line(s) ({reason}) skipped; any entries on them are lost',
  },
  QUEUE_TORN_TAIL: {
    code: 'QUEUE_WARNING',
    en: 'journal lines {from}-{to}: the end of the journal is an unfinished write (the process stopped while writing) and was discarded; no push had been confirmed for it',
  },
  QUEUE_OVER_BOUND: {
    code: 'QUEUE_WARNING',
    en: 'the queue held more than its bound ({maxEntries} entries): dropped the {count} oldest (entries {first}-{last})',
  },
  QUEUE_OVER_BOUND_BYTES: {
    code: 'QUEUE_WARNING',
    en: 'the queue held more than its bound ({maxEntries} entries, {maxBytes} bytes): dropped the {count} oldest (entries {first}-{last})',
  },
  STORE_DISK_FULL: { code: 'STORE_IO', en: 'the disk accepted no more bytes' },
  LOG_OPEN_FAILED: { code: 'LOG_IO', en: 'cannot open the log {file}: {cause}' },
  LOG_WRITE_FAILED: {
    code: 'LOG_IO',
    en: 'cannot write the log {file}; close and reopen it: {cause}',
  },
  LOG_READ_FAILED: { code: 'LOG_IO', en: 'cannot read the log {file}: {cause}' },
  LOG_BUSY: {
    code: 'LOG_BUSY',
    en: 'the log {file} is already open; close it before opening it again',
  },
  LOG_CLOSED: { code: 'LOG_CLOSED', en: 'the log {file} is closed' },
  LOG_ENTRY: { code: 'LOG_ENTRY', en: 'a log entry is a JSON object, got {kind}' },
  LOG_NOT_JSON: {
    code: 'LOG_ENTRY',
    en: 'cannot log an entry that is not JSON-serialisable: {cause}',
  },
  LOG_FULL: {
    code: 'LOG_FULL',
    en: 'the log {file} has reached its limit of {maxBytes} bytes: nothing more is written to it',
  },
  LOG_TORN_TAIL: {
    code: 'LOG_WARNING',
    en: 'the log {file} ended in an unfinished write of {bytes} bytes (the process stopped while writing); it was cut off: no append had been confirmed for it',
  },
  LOG_UNREADABLE_LINE: { code: 'LOG_DAMAGED', en: 'log line {line} cannot be read ({reason})' },
  LOG_SEQUENCE_GAP: {
    code: 'LOG_DAMAGED',
    en: 'log line {line} holds record {seq} where record {expected} was due',
  },
  LOG_CHAIN_BROKEN: {
    code: 'LOG_DAMAGED',
    en: 'log line {line} does not follow the line before it: its hash of that line differs (changed or removed lines)',
  },
  REGISTRY_CLOSED: { code: 'REGISTRY_CLOSED', en: 'the subscriber registry {file} is closed' },
  REGISTRY_WRITE_FAILED: {
    code: 'REGISTRY_IO',
    en: 'cannot write the subscriber registry {file}: {cause}',
  },
  REGISTRY_READ_FAILED: {
    code: 'REGISTRY_IO',
    en: 'cannot read the subscriber registry {file}: {cause}',
  },
  REGISTRY_UNREADABLE: {
    code: 'REGISTRY_WARNING',
    en: 'the subscriber registry {file} could not be read; it was kept as {copy} and the registry starts empty',
  },
  REGISTRY_NO_IDENTIFIER: {
    code: 'REGISTRY_INPUT',
    en: 'a subscription needs an identifier (a non-empty text)',
  },
  REGISTRY_NOT_A_JID: {
    code: 'REGISTRY_INPUT',
    en: 'a subscriber must be a JID user@domain[/resource], got {got}',
  },
  COUNTERS_READ_FAILED: {
    code: 'COUNTERS_IO',
    en: 'cannot read the frame counters {file}: {cause}',
  },
  COUNTERS_CLOSED: { code: 'COUNTERS_CLOSED', en: 'the frame counters {file} are closed' },
  COUNTERS_SET_ASIDE: {
    code: 'COUNTERS_DAMAGED',
    en: 'the frame counters {file} could not be read and were kept as {copy}: every device starts again, so one replayed frame per device could get in',
  },
} as const satisfies MessageTable;

export type StoreMessageId = keyof typeof STORE_MESSAGES;
