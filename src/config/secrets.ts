import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A secret kept in the data dir (mode 0600), created on first use. Returns whether it was just
 * created, so the caller can show it once.
 */
export function ensureSecretFile(dataDir: string, name: string, generate: () => string): { value: string; created: boolean } {
  const file = path.join(dataDir, name);
  try {
    const value = fs.readFileSync(file, 'utf8').trim();
    if (value) return { value, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const value = generate();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${value}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file); // fails if another process won the race: then use theirs
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
  const stored = fs.readFileSync(file, 'utf8').trim();
  return { value: stored, created: stored === value };
}

export const generateApiKey = () => `kirim_${randomBytes(32).toString('base64url')}`;
