import {
  type KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { isMissing, narrowFile, replaceFile } from '../../store/files';
import { AuditError, auditSentence } from './messages';
import type { Sentence } from '../../errors';

/**
 * A signed tree head: the log's size and root at a moment, signed with the
 * instance's Ed25519 key (RFC 8032, `node:crypto`). What is signed is a fixed
 * layout, like RFC 9162's TreeHeadDataV2 (§4.10):
 *
 *   version (1 byte, 1) | timestamp (uint64 BE, ms) | tree size (uint64 BE) | root hash (32 bytes)
 *
 * Hashes, keys and signatures travel in base64.
 */
export interface SignedTreeHead {
  treeSize: number;
  /** base64 of the 32-byte root hash. */
  rootHash: string;
  /** When it was signed, ms since the epoch. */
  timestamp: number;
  /** base64 of the 64-byte Ed25519 signature. */
  signature: string;
  /** base64 of SHA-256 of the raw public key: which key signed. */
  keyId: string;
}

const TREE_HEAD_VERSION = 1;

/** The bytes a tree head signs. */
export function treeHeadBytes(treeSize: number, rootHash: Buffer, timestamp: number): Buffer {
  const bytes = Buffer.alloc(1 + 8 + 8 + 32);
  bytes.writeUInt8(TREE_HEAD_VERSION, 0);
  bytes.writeBigUInt64BE(BigInt(timestamp), 1);
  bytes.writeBigUInt64BE(BigInt(treeSize), 9);
  rootHash.copy(bytes, 17);
  return bytes;
}

/** The raw 32 bytes of an Ed25519 public key, in base64. */
export function publicKeyBase64(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return Buffer.from(String(jwk.x), 'base64url').toString('base64');
}

/** A public key from the base64 of its raw 32 bytes. */
export function publicKeyFromBase64(text: string): KeyObject {
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== text)
    throw new AuditError('AUDIT_KEY_INVALID', { got: text.slice(0, 60) });
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64');
}

export function signTreeHead(
  treeSize: number,
  rootHash: Buffer,
  timestamp: number,
  privateKey: KeyObject,
): SignedTreeHead {
  const signature = sign(null, treeHeadBytes(treeSize, rootHash, timestamp), privateKey);
  return {
    treeSize,
    rootHash: rootHash.toString('base64'),
    timestamp,
    signature: signature.toString('base64'),
    keyId: keyIdOf(publicKeyBase64(privateKey)),
  };
}

/** What is wrong with a tree head for this public key (base64 raw); empty when it holds. */
export function verifyTreeHead(head: SignedTreeHead, publicKey: string): Sentence[] {
  let key: KeyObject;
  try {
    key = publicKeyFromBase64(publicKey);
  } catch (err) {
    return [err as AuditError];
  }
  const root = Buffer.from(String(head?.rootHash), 'base64');
  if (
    !head ||
    !Number.isSafeInteger(head.treeSize) ||
    head.treeSize < 0 ||
    !Number.isSafeInteger(head.timestamp) ||
    head.timestamp < 0 ||
    root.length !== 32
  )
    return [auditSentence('AUDIT_HEAD_MALFORMED', { reason: 'size, timestamp or root hash' })];
  const expected = keyIdOf(publicKey);
  if (head.keyId !== expected)
    return [auditSentence('AUDIT_HEAD_KEY', { keyId: String(head.keyId), expected })];
  const ok = verify(
    null,
    treeHeadBytes(head.treeSize, root, head.timestamp),
    key,
    Buffer.from(String(head.signature), 'base64'),
  );
  return ok
    ? []
    : [auditSentence('AUDIT_HEAD_SIGNATURE', { size: head.treeSize, keyId: head.keyId })];
}

/**
 * The instance's signing key, kept as PKCS#8 PEM in `file` (0600, folder 0700),
 * created at the first call and the same ever after: a new key would make every
 * recipient's pinned key fail.
 */
export async function loadOrCreateSigningKey(file: string): Promise<KeyObject> {
  let pem: string | undefined;
  try {
    pem = await fsp.readFile(file, 'utf8');
    await narrowFile(file);
  } catch (err) {
    if (!isMissing(err)) throw new AuditError('AUDIT_KEY_UNREADABLE', { file }, { cause: err });
  }
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = String(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await replaceFile(file, pem);
    return privateKey;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new AuditError('AUDIT_KEY_UNREADABLE', { file }, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AuditError('AUDIT_KEY_NOT_ED25519', { file, type: String(key.asymmetricKeyType) });
  return key;
}
