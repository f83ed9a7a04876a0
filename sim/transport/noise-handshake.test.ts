import { Curve, decodeBinaryNode, encodeBinaryNode, makeNoiseHandler, proto, WA_CERT_DETAILS, type BinaryNode } from 'baileys';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { xeddsaVerify } from '../signal/xeddsa.js';
import { generateKeyPair } from '../world/key-pair.js';
import { buildCertChain } from './cert-chain.js';
import { encodeFrame, FrameDecoder, NOISE_WA_HEADER } from './frame-codec.js';
import { NoiseHandshake } from './noise-handshake.js';
import { X25519Key } from './x25519.js';

const logger = pino({ level: 'silent' });
const originalRootKey = WA_CERT_DETAILS.PUBLIC_KEY;

/** Runs Baileys' own client-side Noise handler against the simulator's responder, in memory. */
async function handshake(options: { routingInfo?: Buffer; serial?: number } = {}) {
  const root = generateKeyPair();
  const serverStatic = generateKeyPair();
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root.public);
  WA_CERT_DETAILS.SERIAL = options.serial ?? 0;
  const responder = new NoiseHandshake(X25519Key.from(serverStatic), buildCertChain(root, serverStatic.public));
  const decoder = new FrameDecoder();
  const ephemeral = Curve.generateKeyPair();
  const noiseKey = Curve.generateKeyPair();
  const client = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger, routingInfo: options.routingInfo });

  const hello = client.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish());
  const serverHello = responder.respondToHello(decoder.push(hello)[0]);
  const keyEnc = client.processHandshake(proto.HandshakeMessage.decode(serverHello), noiseKey);
  const payload = proto.ClientPayload.encode({ username: 15550001111, device: 3, passive: true }).finish();
  const finish = client.encodeFrame(
    proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: client.encrypt(payload) } }).finish(),
  );
  await client.finishInit();
  const result = responder.readFinish(decoder.push(finish)[0]);
  return { client, decoder, result, noiseKey, transport: responder.split(), serverStatic, decoderRouting: decoder.routingInfo };
}

afterEach(() => {
  WA_CERT_DETAILS.PUBLIC_KEY = originalRootKey;
  WA_CERT_DETAILS.SERIAL = 0;
});

describe('Noise XX responder against Baileys makeNoiseHandler', () => {
  it('completes the handshake and reads the client static key and payload', async () => {
    const { result, noiseKey } = await handshake();
    expect(Buffer.from(result.clientStatic).equals(Buffer.from(noiseKey.public))).toBe(true);
    expect(String(result.payload.username)).toBe('15550001111');
    expect(result.payload.device).toBe(3);
  });

  it('carries stanzas both ways afterwards, with per-direction counters', async () => {
    const { client, decoder, transport } = await handshake();
    const node: BinaryNode = { tag: 'iq', attrs: { id: '1', type: 'result', from: 's.whatsapp.net' }, content: [{ tag: 'count', attrs: { value: '5' } }] };
    const received: BinaryNode[] = [];
    for (let i = 0; i < 3; i++) {
      await client.decodeFrame(encodeFrame(transport.encrypt(encodeBinaryNode(node))), (frame) => received.push(frame as BinaryNode));
    }
    expect(received).toHaveLength(3);
    expect(received[2]).toEqual(node);
    const fromClient = client.encodeFrame(encodeBinaryNode({ tag: 'iq', attrs: { id: 'x', xmlns: 'w:p', type: 'get' } }));
    const decoded = await decodeBinaryNode(transport.decrypt(decoder.push(fromClient)[0]));
    expect(decoded.attrs.xmlns).toBe('w:p');
  });

  it('accepts the ED routing intro', async () => {
    const routingInfo = Buffer.from('0801120408021001', 'hex');
    const { result, decoderRouting } = await handshake({ routingInfo });
    expect(result.clientStatic).toHaveLength(32);
    expect(decoderRouting?.equals(routingInfo)).toBe(true);
  });

  it('is refused by a client that expects another issuer serial', async () => {
    await expect(handshake({ serial: 7 })).rejects.toThrow(/certification match failed/);
  });

  it('signs a chain Baileys verifies: leaf key = server static key, intermediate issuerSerial = 0', async () => {
    const root = generateKeyPair();
    const serverStatic = generateKeyPair();
    const chain = proto.CertChain.decode(buildCertChain(root, serverStatic.public));
    const intermediate = proto.CertChain.NoiseCertificate.Details.decode(chain.intermediate!.details!);
    const leaf = proto.CertChain.NoiseCertificate.Details.decode(chain.leaf!.details!);
    expect(intermediate.issuerSerial).toBe(0);
    expect(Buffer.from(leaf.key!).equals(serverStatic.public)).toBe(true);
    // strict checks (Baileys' own Curve.verify accepts any well-formed signature)
    expect(xeddsaVerify(root.public, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(true);
    expect(xeddsaVerify(intermediate.key!, chain.leaf!.details!, chain.leaf!.signature!)).toBe(true);
    expect(xeddsaVerify(generateKeyPair().public, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(false);
  });
});
