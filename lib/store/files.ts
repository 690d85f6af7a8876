import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  promises as fsp,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { StoreError } from './store-error';

/**
 * Durable files hold people's readings and JIDs: only the account Node-RED runs
 * as may read them. Files are created 0600 in folders created 0700; a file or
 * folder left by an earlier version with wider rights is narrowed when opened.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** mkdir -p with 0700, the last folder narrowed to 0700 if it was there; resolves to the first folder created, as mkdir does. */
export async function makePrivateDirectory(dir: string): Promise<string | undefined> {
  const created = await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  await fsp.chmod(dir, PRIVATE_DIRECTORY_MODE);
  return created;
}

export function makePrivateDirectorySync(dir: string): string | undefined {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  chmodSync(dir, PRIVATE_DIRECTORY_MODE);
  return created;
}

/** Narrow a file that may be there to 0600. */
export async function narrowFile(file: string): Promise<void> {
  try {
    await fsp.chmod(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

export function narrowFileSync(file: string): void {
  try {
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

export function isMissing(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'ENOENT';
}

/**
 * Make a rename or a new file in `dir` durable. Windows cannot open a
 * directory for syncing, and NTFS journals its metadata.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function syncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Remove a store's folder and everything in it (its owner was deleted); nothing there is no error. */
export async function removeDirectory(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
  await syncDirectory(path.dirname(dir)).catch(() => undefined);
}

/** After `mkdir -p` created `first` and below, record each new name in its parent. */
export async function syncCreatedDirectories(first: string, last: string): Promise<void> {
  const stop = path.dirname(first);
  for (let dir = path.dirname(last); ; dir = path.dirname(dir)) {
    await syncDirectory(dir);
    if (dir === stop || dir === path.dirname(dir)) break;
  }
}

function syncCreatedDirectoriesSync(first: string, last: string): void {
  const stop = path.dirname(first);
  for (let dir = path.dirname(last); ; dir = path.dirname(dir)) {
    syncDirectorySync(dir);
    if (dir === stop || dir === path.dirname(dir)) break;
  }
}

/**
 * Replace `file` with `data` so that a crash leaves the old file or the new one,
 * never a torn one: write `<file>.tmp` (0600), sync it, rename it over the file,
 * sync the folder. Resolves once all of that is on disk.
 */
export async function replaceFile(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const created = await makePrivateDirectory(dir);
  if (created !== undefined) await syncCreatedDirectories(created, dir);
  const temporary = `${file}.tmp`;
  await fsp.rm(temporary, { force: true }); // a leftover keeps its own mode: the new one must be 0600
  const handle = await fsp.open(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(temporary, file);
  await syncDirectory(dir);
}

/** replaceFile, blocking: for a small file written from a synchronous path. */
export function replaceFileSync(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  const created = makePrivateDirectorySync(dir);
  if (created !== undefined) syncCreatedDirectoriesSync(created, dir);
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let written = 0; written < bytes.length;)
      written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectorySync(dir);
}

/** Write all of `data` at the file's position: a write to a regular file may be short (a full disk); finish it or fail. */
export async function writeAll(file: FileHandle, data: string | Buffer): Promise<void> {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    if (bytesWritten === 0) throw new StoreError('STORE_DISK_FULL');
    offset += bytesWritten;
  }
}

/**
 * Move a file that cannot be read out of the way, as `<file>.corrupt-<time>`,
 * so that a fresh one can start and the old one is kept for a person to look
 * at; resolves with the copy's path (a failed rename is let go: the file stays).
 */
export async function setAside(file: string): Promise<string> {
  const copy = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await fsp.rename(file, copy).catch(() => undefined);
  return copy;
}
