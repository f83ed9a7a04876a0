import S3rver from 's3rver';
import { tempDir } from './temp-dir.js';

/** A real S3-compatible server (s3rver) on 127.0.0.1, for the state-store and CLI tests. */
export interface TestS3 {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Cuts the server (open connections too), keeping its data: an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

export async function startTestS3(bucket = 'kirim-test'): Promise<TestS3> {
  const { dir, cleanup } = tempDir('kirim-s3-');
  let server: S3rver | undefined;
  let port = 0;
  const start = async () => {
    server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    port = (await server.run()).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.httpServer?.closeAllConnections();
    await s.close();
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop,
    start,
    destroy: async () => {
      await stop();
      cleanup();
    },
  };
}
