import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyedLock } from './keyed-lock.js';
import type { StateRef, StateStore } from './port.js';
import { assertStateRef, isValidStateId, refKey } from './state-ref.js';

const EXT = '.kst';

/**
 * One file per session: `<root>/<workspaceId>/<sessionId>.kst` (the factory passes
 * `<dataDir>/sessions`). A write goes to a temp file that is fsynced, renamed over the old file,
 * and the directory is fsynced: after a crash the file holds the old envelope or the new one,
 * never a truncated one. Writes of one session are serialised. No fencing (see port.ts).
 */
export class FsStateStore implements StateStore {
  readonly kind = 'fs' as const;
  readonly enforcesFence = false;
  readonly location: string;
  private readonly lock = new KeyedLock();

  constructor(private readonly root: string) {
    this.location = `fs:${root}`;
  }

  private file(ref: StateRef): string {
    assertStateRef(ref);
    return path.join(this.root, ref.workspaceId, ref.sessionId + EXT);
  }

  async read(ref: StateRef): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.file(ref));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async write(ref: StateRef, data: Buffer): Promise<void> {
    const file = this.file(ref);
    return this.lock.run(refKey(ref), async () => {
      const dir = path.dirname(file);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const fh = await fs.open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
      await syncDir(dir);
    });
  }

  async delete(ref: StateRef): Promise<void> {
    const file = this.file(ref);
    return this.lock.run(refKey(ref), async () => {
      try {
        await fs.unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      await syncDir(path.dirname(file));
    });
  }

  async *list(): AsyncIterable<StateRef> {
    for (const workspaceId of await names(this.root, true)) {
      if (!isValidStateId(workspaceId)) continue;
      for (const file of await names(path.join(this.root, workspaceId), false)) {
        if (!file.endsWith(EXT)) continue;
        const sessionId = file.slice(0, -EXT.length);
        if (isValidStateId(sessionId)) yield { workspaceId, sessionId };
      }
    }
  }

  async close(): Promise<void> {}
}

async function names(dir: string, dirs: boolean): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => (dirs ? e.isDirectory() : e.isFile())).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
