import { createHash } from 'node:crypto';
import type { Config } from './config/index.js';
import { ensureSecretFile, generateApiKey } from './config/secrets.js';
import type { Db } from './db/index.js';
import { type ApiKeyResolver, hashedKeyResolver } from './api/auth.js';

const DEFAULT_WORKSPACE = 'default';
const META_KEY = 'api_key_sha256';

/**
 * The admin API key: KIRIM_API_KEY when set; otherwise generated on first start and shown once —
 * saved in the data dir on the embedded default, and (as a hash) in the shared database in
 * cluster mode, so every node accepts the same key.
 */
export async function resolveApiKey(
  config: Readonly<Config>,
  db: Db,
  onCreated?: (key: string) => void,
): Promise<{ resolver: ApiKeyResolver; key?: string }> {
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');
  if (config.apiKey) return { resolver: hashedKeyResolver(sha(config.apiKey), DEFAULT_WORKSPACE), key: config.apiKey };
  if (!config.databaseUrl) {
    const secret = ensureSecretFile(config.dataDir, 'api-key', generateApiKey);
    if (secret.created) onCreated?.(secret.value);
    return { resolver: hashedKeyResolver(sha(secret.value), DEFAULT_WORKSPACE), key: secret.value };
  }
  const candidate = generateApiKey();
  await db.db
    .insertInto('kirim_meta')
    .values({ key: META_KEY, value: sha(candidate) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await db.db.selectFrom('kirim_meta').select('value').where('key', '=', META_KEY).executeTakeFirstOrThrow();
  if (stored.value === sha(candidate)) {
    onCreated?.(candidate);
    return { resolver: hashedKeyResolver(stored.value, DEFAULT_WORKSPACE), key: candidate };
  }
  return { resolver: hashedKeyResolver(stored.value, DEFAULT_WORKSPACE) };
}
