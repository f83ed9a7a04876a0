import type { BinaryNode } from './node-codec.js';

/** Readers for a node's children and content that never throw on unexpected shapes. */

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return childNodes(node).find((c) => c.tag === tag);
}

export function children(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return childNodes(node).filter((c) => c.tag === tag);
}

/** Binary content of a node (strings are UTF-8 encoded); undefined when it has child nodes or nothing. */
export function contentBytes(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return undefined;
}

export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | undefined {
  return contentBytes(child(node, tag));
}

/** Big-endian unsigned integer stored as binary content (e.g. `<registration>` or `<id>`). */
export function childUint(node: BinaryNode | undefined, tag: string, length: number): number | undefined {
  const bytes = childBytes(node, tag);
  if (!bytes || bytes.length !== length) return undefined;
  return bytes.readUIntBE(0, length);
}

export function uintBytes(value: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(value, 0, length);
  return bytes;
}
