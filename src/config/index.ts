import { z } from 'zod';
import path from 'node:path';

export type StateStoreConfig =
  | { kind: 'fs' }
  | { kind: 'db' }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint?: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      forcePathStyle: boolean;
    };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  apiKey?: string;
  databaseUrl?: string;
  stateStore: StateStoreConfig;
  stateKey?: string;
  /** Earlier state keys, still accepted for reading while `state rotate-key` re-encrypts. */
  stateKeyPrevious: string[];
  sandbox: boolean;
  sandboxPort: number;
  sandboxUrl?: string;
  nodeId?: string;
  nodeUrl?: string;
  region?: string;
  nodeCapacity: number;
  /** Labels of this node (egress/proxy groups) that sessions may require. */
  nodeLabels: Record<string, string>;
  /** Cluster: lease time to live (renewed at half of it); failover takes about this long. */
  leaseTtlMs: number;
  /** Cluster: how often assignments are reconciled and the leader coordinates. */
  clusterTickMs: number;
  /** Cluster: sessions moved at most per tick when draining or rebalancing. */
  movesPerTick: number;
  redisUrl?: string;
  /** Names this cluster's Redis channels, so several clusters can share one Redis. */
  clusterName: string;
  allowPrivateUrls: boolean;
  logLevel: string;
  /** Sessions restored concurrently at start-up, and the pace (sessions per second) at most. */
  restoreConcurrency: number;
  restoreRate: number;
  /** Bound of each session's outgoing send queue. */
  sendQueueLimit: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Finished webhook deliveries are deleted after this many days; 0 keeps them. */
  webhookRetentionDays: number;
  /** How long each QR code lives before the next one is shown; unset = Baileys' 60 s, then 20 s. */
  qrTimeoutMs?: number;
}

export class ConfigError extends Error {}

const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const port = z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535');
const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be greater than 0');
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  KIRIM_DATA_DIR: z.string().min(1).default('./data'),
  KIRIM_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (unset it for the embedded SQLite)')
    .optional(),
  KIRIM_STATE_STORE: z
    .string()
    .regex(/^(fs|db|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, 'must be fs, db or s3://bucket/prefix')
    .default('fs'),
  S3_ENDPOINT: httpUrl.optional(),
  S3_REGION: z.string().min(1).default('auto'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),
  KIRIM_STATE_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
  KIRIM_STATE_KEY_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => decodeKey(k) !== null), 'must be a comma-separated list of 32-byte keys (hex or base64)')
    .optional(),
  KIRIM_SANDBOX: bool.default(false),
  KIRIM_SANDBOX_PORT: port.default(7070),
  KIRIM_SANDBOX_URL: httpUrl.optional(),
  KIRIM_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . -').optional(),
  KIRIM_NODE_URL: httpUrl.optional(),
  KIRIM_REGION: z.string().min(1).max(64).optional(),
  KIRIM_NODE_CAPACITY: positiveInt.default(5000),
  KIRIM_NODE_LABELS: z
    .string()
    .regex(/^([A-Za-z0-9_.-]+=[A-Za-z0-9_.:/-]*)(,[A-Za-z0-9_.-]+=[A-Za-z0-9_.:/-]*)*$/, 'must be key=value pairs separated by commas, e.g. egress=proxy-a,tier=gold')
    .optional(),
  KIRIM_LEASE_TTL_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  KIRIM_CLUSTER_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  KIRIM_CLUSTER_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . -').default('kirim'),
  KIRIM_REBALANCE_MOVES: z.coerce.number().int().min(0).max(1000).default(5),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  KIRIM_ALLOW_PRIVATE_URLS: bool.default(false),
  KIRIM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KIRIM_RESTORE_CONCURRENCY: positiveInt.default(16),
  KIRIM_RESTORE_RATE: positiveInt.default(200),
  KIRIM_SEND_QUEUE_LIMIT: positiveInt.default(1000),
  KIRIM_WEBHOOK_RETENTION_DAYS: z.coerce.number({ error: 'must be a number of days' }).min(0, 'must be 0 (keep forever) or more').default(7),
  KIRIM_MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  KIRIM_QR_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(1000, 'must be at least 1000 (1 s)')
    .max(300_000, 'must be at most 300000 (5 min)')
    .optional(),
});

/** Accepts a 32-byte key as hex (64 chars) or base64; null when it is neither. */
export function decodeKey(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
    const buf = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === 32) return buf;
  }
  return null;
}

/**
 * Parses the environment once. A bad value throws ConfigError with one line naming the variable;
 * main.ts prints it and exits non-zero.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`invalid ${name}: ${issue.message} (got ${JSON.stringify(cleaned[name] ?? '')})`);
  }
  const e = parsed.data;
  let stateStore: StateStoreConfig;
  if (e.KIRIM_STATE_STORE === 'fs' || e.KIRIM_STATE_STORE === 'db') stateStore = { kind: e.KIRIM_STATE_STORE };
  else {
    const rest = e.KIRIM_STATE_STORE.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    stateStore = {
      kind: 's3',
      bucket,
      prefix,
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    };
  }
  if (e.KIRIM_SANDBOX && e.KIRIM_SANDBOX_URL) {
    throw new ConfigError('invalid KIRIM_SANDBOX_URL: set either KIRIM_SANDBOX=1 (in-process simulator) or KIRIM_SANDBOX_URL, not both');
  }
  if (!e.DATABASE_URL && e.REDIS_URL) {
    throw new ConfigError('invalid REDIS_URL: cluster mode needs DATABASE_URL (postgres://…) as well');
  }
  const config: Config = {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.KIRIM_DATA_DIR),
    apiKey: e.KIRIM_API_KEY,
    databaseUrl: e.DATABASE_URL,
    stateStore,
    stateKey: e.KIRIM_STATE_KEY,
    stateKeyPrevious: e.KIRIM_STATE_KEY_PREVIOUS ? e.KIRIM_STATE_KEY_PREVIOUS.split(',').map((k) => k.trim()) : [],
    sandbox: e.KIRIM_SANDBOX,
    sandboxPort: e.KIRIM_SANDBOX_PORT,
    sandboxUrl: e.KIRIM_SANDBOX_URL?.replace(/\/+$/, ''),
    nodeId: e.KIRIM_NODE_ID,
    nodeUrl: e.KIRIM_NODE_URL?.replace(/\/+$/, ''),
    region: e.KIRIM_REGION,
    nodeCapacity: e.KIRIM_NODE_CAPACITY,
    nodeLabels: Object.fromEntries((e.KIRIM_NODE_LABELS ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string])),
    leaseTtlMs: e.KIRIM_LEASE_TTL_MS,
    clusterTickMs: e.KIRIM_CLUSTER_TICK_MS,
    movesPerTick: e.KIRIM_REBALANCE_MOVES,
    redisUrl: e.REDIS_URL,
    clusterName: e.KIRIM_CLUSTER_NAME,
    allowPrivateUrls: e.KIRIM_ALLOW_PRIVATE_URLS,
    logLevel: e.KIRIM_LOG_LEVEL,
    restoreConcurrency: e.KIRIM_RESTORE_CONCURRENCY,
    restoreRate: e.KIRIM_RESTORE_RATE,
    sendQueueLimit: e.KIRIM_SEND_QUEUE_LIMIT,
    webhookRetentionDays: e.KIRIM_WEBHOOK_RETENTION_DAYS,
    maxBodyBytes: e.KIRIM_MAX_BODY_BYTES,
    qrTimeoutMs: e.KIRIM_QR_TIMEOUT_MS,
  };
  return Object.freeze(config);
}
