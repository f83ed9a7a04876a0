import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FsStateStore } from './fs-store.js';

describe('FsStateStore on disk', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('keeps one private file per session and leaves no temp files behind', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const store = new FsStateStore(t.dir);
    const ref = { workspaceId: 'w1', sessionId: 'ses_1' };
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write(ref, Buffer.alloc(1000 + i, i))));
    expect(fs.readdirSync(path.join(t.dir, 'w1'))).toEqual(['ses_1.kst']);
    expect(fs.statSync(path.join(t.dir, 'w1', 'ses_1.kst')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(t.dir, 'w1')).mode & 0o777).toBe(0o700);
  });

  it('lists only complete session files (a temp file left by a crash is ignored)', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const store = new FsStateStore(t.dir);
    await store.write({ workspaceId: 'w1', sessionId: 's1' }, Buffer.from('x'));
    fs.writeFileSync(path.join(t.dir, 'w1', 's2.kst.abcdef.tmp'), 'half');
    fs.writeFileSync(path.join(t.dir, 'w1', 'notes.txt'), 'x');
    fs.mkdirSync(path.join(t.dir, '.hidden'));
    const refs = [];
    for await (const r of store.list()) refs.push(r);
    expect(refs).toEqual([{ workspaceId: 'w1', sessionId: 's1' }]);
    expect(await store.read({ workspaceId: 'w1', sessionId: 's2' })).toBeNull();
  });

  it('keeps the previous envelope when a write fails', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const store = new FsStateStore(t.dir);
    const ref = { workspaceId: 'w1', sessionId: 's1' };
    await store.write(ref, Buffer.from('old'));
    // the temp file write fails (not bytes): the old file stays, the temp file goes
    await expect(store.write(ref, 42 as unknown as Buffer)).rejects.toThrow();
    expect(await store.read(ref)).toEqual(Buffer.from('old'));
    expect(fs.readdirSync(path.join(t.dir, 'w1'))).toEqual(['s1.kst']);
    // the rename fails (a directory is in the way): the temp file goes too
    fs.mkdirSync(path.join(t.dir, 'w2', 's2.kst'), { recursive: true });
    await expect(store.write({ workspaceId: 'w2', sessionId: 's2' }, Buffer.from('new'))).rejects.toThrow();
    expect(fs.readdirSync(path.join(t.dir, 'w2'))).toEqual(['s2.kst']);
  });
});
