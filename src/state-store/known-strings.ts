/**
 * Strings the value codec writes as a one-byte reference (tag 13): the property names of
 * libsignal session records and Baileys' creds, which otherwise repeat in every entry — in memory
 * (entries stay encoded) as much as on disk. Part of the v1 format: append only, never reorder.
 */
export const KNOWN_STRINGS: readonly string[] = Object.freeze([
  // libsignal-node SessionRecord.serialize()
  '_sessions', 'version', 'v1', 'registrationId', 'currentRatchet', 'ephemeralKeyPair', 'pubKey', 'privKey',
  'lastRemoteEphemeralKey', 'previousCounter', 'rootKey', 'indexInfo', 'baseKey', 'baseKeyType', 'closed', 'used',
  'created', 'remoteIdentityKey', '_chains', 'chainKey', 'counter', 'key', 'chainType', 'messageKeys',
  'pendingPreKey', 'signedKeyId', 'preKeyId',
  // Baileys AuthenticationCreds
  'noiseKey', 'pairingEphemeralKeyPair', 'signedIdentityKey', 'signedPreKey', 'keyPair', 'public', 'private',
  'signature', 'keyId', 'timestampS', 'advSecretKey', 'me', 'id', 'name', 'lid', 'account', 'details',
  'accountSignatureKey', 'accountSignature', 'deviceSignature', 'signalIdentities', 'identifier', 'deviceId',
  'identifierKey', 'myAppStateKeyId', 'firstUnuploadedPreKeyId', 'nextPreKeyId', 'lastAccountSyncTimestamp',
  'platform', 'processedHistoryMessages', 'accountSyncCounter', 'accountSettings', 'unarchiveChats', 'registered',
  'pairingCode', 'lastPropHash', 'routingInfo', 'additionalData', 'messageTimestamp', 'remoteJid', 'fromMe',
  // app state and tokens
  'keyData', 'fingerprint', 'rawId', 'currentIndex', 'deviceIndexes', 'timestamp', 'hash', 'indexValueMap',
  'valueMac', 'token', 'senderTimestamp',
]);

export const KNOWN_STRING_INDEX: ReadonlyMap<string, number> = new Map(KNOWN_STRINGS.map((s, i) => [s, i]));
