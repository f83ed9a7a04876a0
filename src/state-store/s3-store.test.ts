import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { S3StateStore } from './s3-store.js';

/**
 * s3rver in a child process with OpenSSL's legacy provider: its ListObjectsV2 continuation tokens
 * are DES-encrypted, which OpenSSL 3 (Node ≥ 17) only offers there — in this process any truncated
 * listing fails with InternalError, so test/support/s3-server.ts cannot show pagination.
 */
async function startPagingS3(bucket: string) {
  const t = tempDir('kirim-s3-');
  const script = `const S3rver = require('s3rver');
new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(t.dir)}, configureBuckets: [{ name: ${JSON.stringify(bucket)} }] })
  .run().then((a) => console.log(JSON.stringify({ port: a.port })));`;
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async destroy() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      t.cleanup();
    },
  };
}

describe('S3StateStore against s3rver', () => {
  const bucket = 'kirim-list';
  let s3: Awaited<ReturnType<typeof startPagingS3>>;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startPagingS3(bucket);
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.destroy();
  });
  const put = (Key: string) => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from('x') }));

  it('lists every session past the 1000 objects of one ListObjectsV2 page, and only session objects under its prefix', async () => {
    const store = new S3StateStore({ bucket, prefix: 'big/state', endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
    const expected: string[] = [];
    for (let w = 0; w < 3; w++) for (let i = 0; i < 340; i++) expected.push(`ws${w}/ses_${String(i).padStart(4, '0')}`);
    for (let i = 0; i < expected.length; i += 100) {
      await Promise.all(expected.slice(i, i + 100).map((k) => put(`big/state/${k}.kst`)));
    }
    // not sessions: other files, deeper keys, bad ids, and another prefix that merely starts alike
    await Promise.all(['big/state/README.txt', 'big/state/ws0/nested/ses_x.kst', 'big/state/ws0/.hidden.kst', 'big/state-old/ws0/ses_y.kst'].map(put));

    const first = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'big/state/', MaxKeys: 1000 }));
    expect(first.IsTruncated).toBe(true); // more than one page to walk
    expect(first.Contents).toHaveLength(1000);

    const listed: string[] = [];
    for await (const ref of store.list()) listed.push(`${ref.workspaceId}/${ref.sessionId}`);
    expect(listed).toHaveLength(expected.length);
    expect(new Set(listed).size).toBe(expected.length);
    expect(listed.sort()).toEqual(expected.sort());
    await store.close();
  });
});

describe('S3StateStore close()', () => {
  it('aborts a request in flight, and nothing of the closed store is retried behind its back', async () => {
    const requests: string[] = [];
    const sockets: net.Socket[] = [];
    // a store that takes the request and never answers (the write is in flight when the store closes)
    let received!: () => void;
    const requestIn = new Promise<void>((r) => (received = r));
    const server = net.createServer((s) => {
      sockets.push(s);
      s.once('data', (d) => {
        requests.push(d.toString().split('\r\n')[0]);
        received();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const store = new S3StateStore({ bucket: 'b', prefix: 'p', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true, requestTimeoutMs: 60_000 });
    try {
      const write = store.write({ workspaceId: 'w', sessionId: 's1' }, Buffer.from('x'));
      const settled = write.then(() => 'written', (err: Error) => err.name);
      await requestIn;
      await store.close();
      // without the abort this waits for the 60 s request timeout (and then a retry): the test times out
      expect(await settled).toBe('AbortError');
      expect(requests).toEqual(['PUT /b/p/w/s1.kst?x-id=PutObject HTTP/1.1']);
      await expect(store.read({ workspaceId: 'w', sessionId: 's1' })).rejects.toThrow(/abort/i); // closed for good
      expect(requests).toHaveLength(1);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 10_000);
});
