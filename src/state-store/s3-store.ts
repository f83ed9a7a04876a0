import { setMaxListeners } from 'node:events';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StateStoreConfig } from '../config/index.js';
import { KeyedLock } from './keyed-lock.js';
import type { StateRef, StateStore } from './port.js';
import { assertStateRef, isValidStateId, refKey } from './state-ref.js';

/** The `s3` StateStoreConfig, plus a per-request timeout (an unreachable endpoint fails the write, the vault retries) [15 s]. */
export type S3StoreOptions = Omit<Extract<StateStoreConfig, { kind: 's3' }>, 'kind'> & { requestTimeoutMs?: number };

const EXT = '.kst';

/**
 * One object per session: `<prefix>/<workspaceId>/<sessionId>.kst`. Uses only PutObject,
 * GetObject, DeleteObject and ListObjectsV2, with checksums only where required, so it works with
 * AWS S3, Cloudflare R2, MinIO and Backblaze B2. A PUT replaces an object atomically. No fencing:
 * conditional writes are not available everywhere (see port.ts).
 */
export class S3StateStore implements StateStore {
  readonly kind = 's3' as const;
  readonly enforcesFence = false;
  readonly location: string;
  private readonly client: S3Client;
  private readonly lock = new KeyedLock();
  private readonly base: string;
  /** Aborted by close(): no request of a closed store goes on (or is retried) behind its back. */
  private readonly closing = new AbortController();

  constructor(private readonly opts: S3StoreOptions) {
    setMaxListeners(0, this.closing.signal); // one listener per request in flight: a restore has many
    this.base = opts.prefix ? `${opts.prefix}/` : '';
    this.location = `s3://${opts.bucket}/${opts.prefix}`;
    const timeout = opts.requestTimeoutMs ?? 15_000;
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials:
        opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { connectionTimeout: Math.min(timeout, 5_000), requestTimeout: timeout },
    });
  }

  private key(ref: StateRef): string {
    assertStateRef(ref);
    return `${this.base}${ref.workspaceId}/${ref.sessionId}${EXT}`;
  }

  async read(ref: StateRef): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(ref) }), this.requestOptions());
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async write(ref: StateRef, data: Buffer): Promise<void> {
    const Key = this.key(ref);
    return this.lock.run(refKey(ref), async () => {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.opts.bucket, Key, Body: data, ContentLength: data.length, ContentType: 'application/octet-stream' }),
        this.requestOptions(),
      );
    });
  }

  async delete(ref: StateRef): Promise<void> {
    const Key = this.key(ref);
    return this.lock.run(refKey(ref), async () => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key }), this.requestOptions());
    });
  }

  async *list(): AsyncIterable<StateRef> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.base, ContinuationToken: token, MaxKeys: 1000 }),
        this.requestOptions(),
      );
      for (const obj of page.Contents ?? []) {
        const ref = obj.Key ? this.parse(obj.Key) : null;
        if (ref) yield ref;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private parse(key: string): StateRef | null {
    const parts = key.slice(this.base.length).split('/');
    if (parts.length !== 2 || !parts[1].endsWith(EXT)) return null;
    const [workspaceId, file] = parts;
    const sessionId = file.slice(0, -EXT.length);
    return isValidStateId(workspaceId) && isValidStateId(sessionId) ? { workspaceId, sessionId } : null;
  }

  private requestOptions(): { abortSignal: AbortSignal } {
    return { abortSignal: this.closing.signal };
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
