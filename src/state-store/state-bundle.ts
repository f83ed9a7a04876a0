import { ByteReader, ByteWriter } from './bytes.js';
import { decodeAuthState, reencryptEnvelope } from './codec.js';
import { StateDecodeError } from './decode-error.js';
import type { Keyring } from './keyring.js';
import type { StateRef, StateStore } from './port.js';
import { assertStateRef } from './state-ref.js';

/**
 * A portable bundle of one session's state: `"KSTB" · u8 version (1) · string workspaceId ·
 * string sessionId · length-prefixed envelope`. The envelope stays encrypted with the state key
 * (the current one at export), bound to the same workspace/session: import it into a gateway that
 * has that key (as KIRIM_STATE_KEY or in KIRIM_STATE_KEY_PREVIOUS).
 */
const MAGIC = Buffer.from('KSTB', 'ascii');
const BUNDLE_V1 = 1;

export function encodeBundle(ref: StateRef, envelope: Buffer): Buffer {
  const w = new ByteWriter(envelope.length + 64);
  w.bytes(MAGIC);
  w.u8(BUNDLE_V1);
  w.string(ref.workspaceId);
  w.string(ref.sessionId);
  w.lenBytes(envelope);
  return w.finish();
}

export function decodeBundle(bundle: Buffer): { ref: StateRef; envelope: Buffer } {
  if (bundle.length < 5 || !bundle.subarray(0, 4).equals(MAGIC)) throw new StateDecodeError('not a kirim state bundle');
  const r = new ByteReader(bundle.subarray(4), 'state bundle');
  const version = r.u8();
  if (version !== BUNDLE_V1) throw new StateDecodeError(`state bundle version ${version} is not supported by this kirim`);
  const ref = { workspaceId: r.string(), sessionId: r.string() };
  const envelope = Buffer.from(r.lenBytes());
  r.end();
  try {
    assertStateRef(ref);
  } catch (err) {
    throw new StateDecodeError(`state bundle names ${(err as Error).message}`);
  }
  return { ref, envelope };
}

export async function exportBundle(store: StateStore, ref: StateRef, keyring: Keyring): Promise<Buffer> {
  const envelope = await store.read(ref);
  if (!envelope) throw new Error(`session ${ref.sessionId} has no stored state in ${store.location}`);
  return encodeBundle(ref, await reencryptEnvelope(envelope, ref, keyring));
}

/** Verifies the bundle decrypts and decodes with this keyring, then stores it (never over existing state unless `overwrite`). */
export async function importBundle(store: StateStore, bundle: Buffer, keyring: Keyring, opts: { overwrite?: boolean } = {}): Promise<StateRef> {
  const { ref, envelope } = decodeBundle(bundle);
  await decodeAuthState(envelope, ref, keyring);
  if (!opts.overwrite && (await store.read(ref))) {
    throw new Error(`session ${ref.sessionId} already has state in ${store.location} (use --force to replace it)`);
  }
  await store.write(ref, await reencryptEnvelope(envelope, ref, keyring));
  return ref;
}
