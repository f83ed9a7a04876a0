import { calculateSignature, verifySignature } from 'libsignal/src/curve.js';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../world/key-pair.js';
import { xeddsaSign, xeddsaVerify } from './xeddsa.js';

describe('XEdDSA', () => {
  const pair = generateKeyPair();
  const message = Buffer.from('device details');

  it('makes signatures libsignal verifies, and verifies libsignal signatures', () => {
    expect(verifySignature(Buffer.concat([Buffer.from([5]), pair.public]), message, xeddsaSign(pair.private, message))).toBe(true);
    expect(xeddsaVerify(pair.public, message, Buffer.from(calculateSignature(pair.private, message)))).toBe(true);
  });

  it('rejects another key, another message and malformed input', () => {
    const signature = xeddsaSign(pair.private, message);
    expect(xeddsaVerify(generateKeyPair().public, message, signature)).toBe(false);
    expect(xeddsaVerify(pair.public, Buffer.from('other details'), signature)).toBe(false);
    expect(xeddsaVerify(pair.public, message, signature.subarray(1))).toBe(false);
  });
});
