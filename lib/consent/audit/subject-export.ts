import type { AuditEntry } from '../model';

/** An entry of the audit log with its leaf index. */
export interface IndexedEntry {
  index: number;
  entry: AuditEntry;
}

/** Every consent event and every share of one data subject, with their indexes: what right of access answers. */
export function entriesOfSubject(entries: readonly AuditEntry[], subject: string): IndexedEntry[] {
  return entries
    .map((entry, index) => ({ index, entry }))
    .filter(({ entry }) =>
      entry.kind === 'consent' ? entry.subject === subject : entry.subjects.includes(subject),
    );
}

export const AUDIT_CSV_COLUMNS = [
  'index',
  'kind',
  'time',
  'event',
  'consent',
  'recipient',
  'purpose',
  'records',
  'names',
  'start',
  'end',
  'digest',
] as const;

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Entries as CSV (RFC 4180, a header line first): one line each, as a spreadsheet opens them. */
export function auditCsv(rows: readonly IndexedEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const { index, entry } of rows) {
    const row =
      entry.kind === 'consent'
        ? [
            index,
            'consent',
            entry.time,
            entry.event.type,
            entry.consent,
            entry.recipient,
            entry.purpose,
          ]
        : [
            index,
            'share',
            entry.time,
            entry.channel,
            entry.consents.join(' '),
            entry.recipient,
            entry.purpose,
            entry.records,
            entry.names.join(' '),
            entry.span?.start,
            entry.span?.end,
            entry.digest,
          ];
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
