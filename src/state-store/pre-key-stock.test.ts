import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAuthSnapshot, encodeAuthSnapshot } from './auth-snapshot.js';
import { MAX_PRE_KEY_SLOTS, PreKeyStock } from './pre-key-stock.js';
import { x25519PublicKey } from './x25519.js';

const key = () => randomBytes(32);

describe('pre-key stock', () => {
  it('stores, reads, deletes and round-trips through the snapshot encoding as private keys only', () => {
    const stock = new PreKeyStock();
    const keys = new Map(Array.from({ length: 812 }, (_, i) => [i + 1, key()] as const));
    stock.setMany([...keys]);
    expect(stock.size).toBe(812);
    expect(stock.get(1)).toEqual(keys.get(1));
    expect(stock.get(0)).toBeUndefined();
    expect(stock.get(813)).toBeUndefined();
    expect(stock.get(Number('x'))).toBeUndefined();
    expect(stock.delete(400)).toBe(true);
    expect(stock.delete(400)).toBe(false);
    const payload = encodeAuthSnapshot({ creds: {}, preKeys: stock.block(), keys: new Map() });
    expect(payload.length).toBeLessThan(811 * 32 + 120);
    const back = new PreKeyStock(decodeAuthSnapshot(payload).preKeys);
    expect(back.size).toBe(811);
    expect(back.get(400)).toBeUndefined();
    expect(back.get(812)).toEqual(keys.get(812));
  });

  it('prunes below an id and keeps its range tight', () => {
    const stock = new PreKeyStock();
    stock.setMany(Array.from({ length: 100 }, (_, i) => [i + 1, key()] as const));
    for (let id = 51; id <= 60; id++) stock.delete(id);
    expect(stock.pruneBelow(61)).toBe(50);
    expect(stock.size).toBe(40);
    expect(stock.block().firstId).toBe(61);
    expect(stock.block().privateKeys.length).toBe(40 * 32);
    expect(stock.pruneBelow(10)).toBe(0);
  });

  it('stays bounded when ids jump far ahead', () => {
    const stock = new PreKeyStock();
    stock.setMany([[1, key()]]);
    stock.setMany([[1_000_000, key()]]);
    expect(stock.block().privateKeys.length).toBeLessThanOrEqual(MAX_PRE_KEY_SLOTS * 32);
    expect(stock.get(1)).toBeUndefined();
    expect(stock.get(1_000_000)).toBeDefined();
  });

  it('refuses absent-looking or malformed keys', () => {
    const stock = new PreKeyStock();
    expect(() => stock.setMany([[1, Buffer.alloc(32)]])).toThrow(/bad pre-key/);
    expect(() => stock.setMany([[1, Buffer.alloc(31, 1)]])).toThrow(/bad pre-key/);
    expect(() => stock.setMany([[-1, key()]])).toThrow(/bad pre-key id/);
  });

  it('derives the same X25519 public key as node generated', () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey, privateKey } = generateKeyPairSync('x25519');
      const priv = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
      const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
      expect(x25519PublicKey(priv)).toEqual(pub);
    }
  });
});
