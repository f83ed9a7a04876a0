import { proto, unixTimestampSeconds } from 'baileys';
import { xeddsaSign } from '../signal/xeddsa.js';
import { generateKeyPair, type KeyPair } from '../world/key-pair.js';

/** Baileys checks `intermediate.issuerSerial === WA_CERT_DETAILS.SERIAL` (0 by default). */
export const ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;
const VALIDITY_SECONDS = 10 * 365 * 24 * 3600;

/**
 * The certificate chain sent (encrypted) in the server hello: an intermediate certificate signed by the
 * root key, and a leaf certificate for the server's static Noise key signed by the intermediate.
 */
export function buildCertChain(root: KeyPair, serverStaticPublic: Buffer, now = unixTimestampSeconds()): Buffer {
  const intermediateKey = generateKeyPair();
  const intermediate = signedCertificate(root, {
    serial: INTERMEDIATE_SERIAL,
    // protobufjs writes an explicit 0 here; leaving it out would decode as null and fail the client's check
    issuerSerial: ROOT_SERIAL,
    key: intermediateKey.public,
    notBefore: now - 3600,
    notAfter: now + VALIDITY_SECONDS,
  });
  const leaf = signedCertificate(intermediateKey, {
    serial: LEAF_SERIAL,
    issuerSerial: INTERMEDIATE_SERIAL,
    key: serverStaticPublic,
    notBefore: now - 3600,
    notAfter: now + VALIDITY_SECONDS,
  });
  return Buffer.from(proto.CertChain.encode({ leaf, intermediate }).finish());
}

function signedCertificate(signer: KeyPair, details: proto.CertChain.NoiseCertificate.IDetails): proto.CertChain.INoiseCertificate {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  return { details: encoded, signature: xeddsaSign(signer.private, encoded) };
}
