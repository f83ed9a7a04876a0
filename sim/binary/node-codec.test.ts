import { describe, expect, it } from 'vitest';
import { formatJid, isServerJid, parseUserJid } from './jid.js';
import { decodeNode, encodeNode, type BinaryNode } from './node-codec.js';
import { childUint, contentBytes, uintBytes } from './node-content.js';

const roundTrip = async (node: BinaryNode): Promise<BinaryNode> => decodeNode(encodeNode(node));

describe('binary nodes as the simulator sends them', () => {
  it('round-trips a login success with a LID device jid', async () => {
    const node: BinaryNode = { tag: 'success', attrs: { t: '1700000000', lid: '123456789012345:3@lid', location: 'sim' } };
    expect(await roundTrip(node)).toEqual(node);
  });

  it('round-trips a usync device list with device jids and key indexes', async () => {
    const node: BinaryNode = {
      tag: 'iq',
      attrs: { id: 'abc.1-2', type: 'result', from: 's.whatsapp.net' },
      content: [
        {
          tag: 'usync',
          attrs: { sid: 's1', index: '0', last: 'true' },
          content: [
            {
              tag: 'list',
              attrs: {},
              content: [
                {
                  tag: 'user',
                  attrs: { jid: '15550001111@s.whatsapp.net' },
                  content: [
                    { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: [{ tag: 'device', attrs: { id: '0' } }, { tag: 'device', attrs: { id: '2', 'key-index': '2' } }] }] },
                    { tag: 'lid', attrs: { val: '98765432109876@lid' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(await roundTrip(node)).toEqual(node);
  });

  it('keeps binary content (encrypted payloads, refs) intact', async () => {
    const payload = Buffer.from([0x33, 0, 1, 2, 255, 254]);
    const decoded = await roundTrip({
      tag: 'message',
      attrs: { from: '98765:4@lid', sender_pn: '15550001111@s.whatsapp.net', id: '3EB0ABC', t: '1' },
      content: [{ tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: payload }],
    });
    expect(decoded.attrs.from).toBe('98765:4@lid');
    expect(contentBytes((decoded.content as BinaryNode[])[0])).toEqual(payload);
  });

  it('decodes the server address Baileys sends as "@s.whatsapp.net"', async () => {
    const decoded = await roundTrip({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p', id: '1' } });
    expect(isServerJid(decoded.attrs.to)).toBe(true);
  });

  it('rejects malformed bytes', async () => {
    await expect(decodeNode(Buffer.from([0, 248, 200]))).rejects.toThrow();
  });
});

describe('jids and integers', () => {
  it('parses phone-number and LID jids with devices', () => {
    expect(parseUserJid('15550001111:2@s.whatsapp.net')).toEqual({ user: '15550001111', device: 2, server: 's.whatsapp.net' });
    expect(parseUserJid('98765@lid')).toEqual({ user: '98765', device: 0, server: 'lid' });
    expect(parseUserJid('123@g.us')).toBeUndefined();
    expect(formatJid('98765', 'lid', 3)).toBe('98765:3@lid');
  });

  it('reads big-endian integers from content', () => {
    expect(childUint({ tag: 'x', attrs: {}, content: [{ tag: 'id', attrs: {}, content: uintBytes(0x0a0b0c, 3) }] }, 'id', 3)).toBe(0x0a0b0c);
  });
});
