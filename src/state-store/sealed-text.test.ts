import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring } from './keyring.js';
import { keyringSealer, SealedTextError } from './sealed-text.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('sealed text', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const sealer = keyringSealer(new Keyring(oldKey), 'webhook secret');

  it('round-trips, never shows the plaintext, and differs each time', () => {
    const a = sealer.seal(secret, 'whk_1');
    const b = sealer.seal(secret, 'whk_1');
    expect(a).toMatch(/^ksec1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6, 30));
    expect(sealer.open(a, 'whk_1')).toBe(secret);
    expect(sealer.stale(a)).toBe(false);
  });

  it('refuses a value moved to another row, tampered, or cut short', () => {
    const sealed = sealer.seal(secret, 'whk_1');
    expect(() => sealer.open(sealed, 'whk_2')).toThrow(/failed authentication/);
    const body = Buffer.from(sealed.split('.')[2], 'base64url');
    body[14] ^= 1;
    expect(() => sealer.open(`${sealed.split('.').slice(0, 2).join('.')}.${body.toString('base64url')}`, 'whk_1')).toThrow(SealedTextError);
    expect(() => sealer.open(sealed.slice(0, 20), 'whk_1')).toThrow(/malformed/);
    // another purpose is another context too
    expect(() => keyringSealer(new Keyring(oldKey), 'something else').open(sealed, 'whk_1')).toThrow(/failed authentication/);
  });

  it('opens under a previous key (and calls it stale); names the setting when the key is missing', () => {
    const sealed = sealer.seal(secret, 'whk_1');
    const rotated = keyringSealer(new Keyring(newKey, [oldKey]), 'webhook secret');
    expect(rotated.open(sealed, 'whk_1')).toBe(secret);
    expect(rotated.stale(sealed)).toBe(true);
    expect(rotated.stale(rotated.seal(secret, 'whk_1'))).toBe(false);
    const without = keyringSealer(new Keyring(newKey), 'webhook secret');
    expect(() => without.open(sealed, 'whk_1')).toThrow(/sealed with key [0-9a-f]{8}, which is not configured \(KIRIM_STATE_KEY \/ KIRIM_STATE_KEY_PREVIOUS\)/);
  });

  it('passes a value stored before sealing existed through, and calls it stale', () => {
    expect(sealer.open(secret, 'whk_1')).toBe(secret);
    expect(sealer.stale(secret)).toBe(true);
  });
});
