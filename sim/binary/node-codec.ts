import { decodeBinaryNode, encodeBinaryNode, type BinaryNode } from 'baileys';

export type { BinaryNode };

/** WABinary encoding of a node (flag byte 0, never compressed). */
export function encodeNode(node: BinaryNode): Buffer {
  return encodeBinaryNode(node);
}

/** Decodes (and inflates when flagged) one WABinary node; throws on malformed input. */
export function decodeNode(bytes: Buffer): Promise<BinaryNode> {
  return decodeBinaryNode(bytes);
}
