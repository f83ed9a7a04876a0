/** Redis on this machine (CI starts it). Tests that need it fail loudly when it is down. */
export const REDIS_URL = process.env.KIRIM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
