import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Keyring } from './keyring.js';
import { KeyringError, loadKeyring, stateKeyFile } from './load-keyring.js';

const hex = (b: number) => Buffer.alloc(32, b).toString('hex');
const b64 = (b: number) => Buffer.alloc(32, b).toString('base64');

describe('keyring', () => {
  let cleanup: (() => void) | undefined;
  const dir = () => {
    const t = tempDir();
    cleanup = t.cleanup;
    return t.dir;
  };
  afterEach(() => cleanup?.());

  it('uses KIRIM_STATE_KEY (hex or base64) and accepts previous keys for reading', () => {
    const dataDir = dir();
    const k = loadKeyring({ stateKey: hex(1), previous: [b64(2), hex(3)], dataDir });
    expect(k.current.key).toEqual(Buffer.alloc(32, 1));
    expect(k.size).toBe(3);
    expect(k.find(new Keyring(Buffer.alloc(32, 2)).current.id)).toHaveLength(1);
    expect(fs.existsSync(stateKeyFile(dataDir))).toBe(false);
  });

  it('generates a key on first use, saves it 0600, and reuses it on later starts', () => {
    const dataDir = dir();
    const first = loadKeyring({ dataDir });
    const file = stateKeyFile(dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(['state.key']);
    const second = loadKeyring({ dataDir });
    expect(second.current.key).toEqual(first.current.key);
  });

  it('keeps a saved generated key as a previous key once KIRIM_STATE_KEY is set', () => {
    const dataDir = dir();
    const generated = loadKeyring({ dataDir });
    const k = loadKeyring({ stateKey: hex(7), dataDir });
    expect(k.current.key).toEqual(Buffer.alloc(32, 7));
    expect(k.find(generated.current.id)).toHaveLength(1);
  });

  it('fails clearly on bad keys, a bad key file, or no key when it may not create one', () => {
    const dataDir = dir();
    expect(() => loadKeyring({ stateKey: 'short', dataDir })).toThrow(/invalid KIRIM_STATE_KEY/);
    expect(() => loadKeyring({ stateKey: hex(1), previous: ['zz'], dataDir })).toThrow(/KIRIM_STATE_KEY_PREVIOUS\[0\]/);
    expect(() => loadKeyring({ dataDir, createIfMissing: false })).toThrow(KeyringError);
    fs.writeFileSync(stateKeyFile(dataDir), 'not a key');
    expect(() => loadKeyring({ dataDir })).toThrow(/does not hold a 32-byte key/);
  });

  it('names keys by a hash, never by the key bytes', () => {
    const k = new Keyring(Buffer.alloc(32, 9));
    expect(k.current.id).toHaveLength(4);
    expect(k.current.id.equals(Buffer.alloc(4, 9))).toBe(false);
    expect(() => new Keyring(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
