#!/usr/bin/env node
/**
 * senfed-audit: check and read a SenFed audit log (the file
 * <userDir>/senfed/consents/<store id>/audit/audit.log) without Node-RED.
 *
 *   senfed-audit verify <log> [--head <head.json>] [--key <base64>]
 *   senfed-audit prove <log> <index> [--size <n>]
 *   senfed-audit export <log> --subject <id> [--format json|csv]
 *
 * Exit codes: 0 done (verify: the log is whole), 1 the log is damaged or a
 * proof cannot be made, 2 the command line is wrong.
 */
import { readFileSync } from 'node:fs';
import {
  MerkleTree,
  type SignedTreeHead,
  auditCsv,
  entriesOfSubject,
  verifyAuditFile,
} from '../lib/consent/audit';
import { canonicalJson } from '../lib/consent/digest';

const USAGE = `usage:
  senfed-audit verify <log> [--head <head.json>] [--key <base64 public key>]
      check the hash chain of every line, and, given a signed tree head someone holds,
      that the log's root at that size is the signed one (and the signature, given the key)
  senfed-audit prove <log> <index> [--size <tree size>]
      print the entry at <index> (0-based) and its RFC 9162 inclusion proof, as JSON
  senfed-audit export <log> --subject <id> [--format json|csv]
      print every consent event and every share of a data subject`;

class UsageError {
  constructor(readonly message: string) {}
}

function options(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      i += 1;
    } else positional.push(arg);
  }
  return { positional, flags };
}

function wholeNumber(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n))
    throw new UsageError(`${what} must be a whole number, not "${text}"`);
  return n;
}

async function verify(log: string, flags: Map<string, string>): Promise<number> {
  const headFile = flags.get('head');
  const treeHead = headFile
    ? (JSON.parse(readFileSync(headFile, 'utf8')) as SignedTreeHead)
    : undefined;
  const check = await verifyAuditFile(log, { treeHead, publicKey: flags.get('key') });
  if (check.problems.length > 0) {
    console.log(`BAD ${log}: ${check.problems[0].message}`);
    for (const problem of check.problems.slice(1)) console.log(`    ${problem.message}`);
    return 1;
  }
  const signed = treeHead ? `, and matches the signed head at size ${treeHead.treeSize}` : '';
  console.log(
    `OK ${log}: ${check.entries.length} entries, chain whole, root ${check.rootHash}${signed}`,
  );
  return 0;
}

async function prove(
  log: string,
  indexText: string | undefined,
  flags: Map<string, string>,
): Promise<number> {
  if (indexText === undefined) throw new UsageError('prove needs an index');
  const index = wholeNumber(indexText, 'the index');
  const check = await verifyAuditFile(log);
  if (check.problems.length > 0) {
    console.error(`BAD ${log}: ${check.problems[0].message}`);
    return 1;
  }
  const tree = new MerkleTree();
  for (const entry of check.entries) tree.append(canonicalJson(entry));
  const sizeText = flags.get('size');
  const treeSize = sizeText === undefined ? tree.size : wholeNumber(sizeText, '--size');
  if (index >= treeSize || treeSize > tree.size) {
    console.error(`entry ${index} is not in a tree of ${treeSize} (the log holds ${tree.size})`);
    return 1;
  }
  const proof = tree.inclusionProof(index, treeSize).map((h) => h.toString('base64'));
  const out = {
    index,
    treeSize,
    rootHash: tree.root(treeSize).toString('base64'),
    leafHash: tree.leafHash(index).toString('base64'),
    proof,
    entry: check.entries[index],
  };
  console.log(JSON.stringify(out, null, 2));
  return 0;
}

async function exportSubject(log: string, flags: Map<string, string>): Promise<number> {
  const subject = flags.get('subject');
  if (!subject) throw new UsageError('export needs --subject <id>');
  const format = flags.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError('--format is json or csv');
  const check = await verifyAuditFile(log);
  if (check.problems.length > 0) console.error(`warning: ${check.problems[0].message}`);
  const rows = entriesOfSubject(check.entries, subject);
  process.stdout.write(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : auditCsv(rows));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const { positional, flags } = options(rest);
  const [log, ...more] = positional;
  if (!log) throw new UsageError(`${command} needs the log file`);
  switch (command) {
    case 'verify':
      return verify(log, flags);
    case 'prove':
      return prove(log, more[0], flags);
    case 'export':
      return exportSubject(log, flags);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`senfed-audit: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(`senfed-audit: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
