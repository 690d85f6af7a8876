import { chmodSync, mkdirSync, promises as fsp } from 'node:fs';

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

export function makePrivateDirectorySync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  chmodSync(dir, PRIVATE_DIRECTORY_MODE);
}

/** Narrow a file that may be there to 0600. */
export async function narrowFile(file: string): Promise<void> {
  try {
    await fsp.chmod(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
  }
}

export function narrowFileSync(file: string): void {
  try {
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
  }
}
