import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeKey } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import { Keyring, STATE_KEY_BYTES } from './keyring.js';

export interface KeyringSource {
  /** KIRIM_STATE_KEY (hex or base64). */
  stateKey?: string;
  /** KIRIM_STATE_KEY_PREVIOUS. */
  previous?: readonly string[];
  dataDir: string;
  logger?: Logger;
  /** Generate `<dataDir>/state.key` when no key is configured and none is saved [true; the CLI passes false]. */
  createIfMissing?: boolean;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

export const stateKeyFile = (dataDir: string) => path.join(dataDir, 'state.key');

/**
 * Builds the keyring: KIRIM_STATE_KEY when set, otherwise the key saved in `<dataDir>/state.key`
 * (generated on first use, mode 0600, written atomically). When both exist and differ, the saved
 * key is kept as a previous key, so switching from the generated key to an explicit one is a
 * restart plus `state rotate-key`, never a lost session.
 */
export function loadKeyring(src: KeyringSource): Keyring {
  const previous = (src.previous ?? []).map((k, i) => parse(k, `KIRIM_STATE_KEY_PREVIOUS[${i}]`));
  const file = stateKeyFile(src.dataDir);
  const saved = readKeyFile(file);
  if (src.stateKey) {
    const current = parse(src.stateKey, 'KIRIM_STATE_KEY');
    return new Keyring(current, saved ? [...previous, saved] : previous);
  }
  if (saved) return new Keyring(saved, previous);
  if (src.createIfMissing === false) {
    throw new KeyringError(`no state key: set KIRIM_STATE_KEY, or start the gateway once so it creates ${file}`);
  }
  const created = createKeyFile(file);
  src.logger?.warn({ file }, 'KIRIM_STATE_KEY is not set: generated a state key; back this file up (without it stored sessions cannot be read)');
  return new Keyring(created, previous);
}

function parse(value: string, name: string): Buffer {
  const key = decodeKey(value);
  if (!key) throw new KeyringError(`invalid ${name}: must be 32 bytes as 64 hex characters or base64`);
  return key;
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeyringError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const key = decodeKey(text);
  if (!key) throw new KeyringError(`${file} does not hold a 32-byte key (hex or base64)`);
  return key;
}

/** Temp file + fsync + link: two processes starting at once end up with one key, never a partial file. */
function createKeyFile(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(STATE_KEY_BYTES);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${key.toString('hex')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    fs.unlinkSync(tmp);
    const other = readKeyFile(file);
    if (!other) throw new KeyringError(`${file} vanished while it was being created`);
    return other;
  }
  fs.unlinkSync(tmp);
  fsyncDir(path.dirname(file));
  return key;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
