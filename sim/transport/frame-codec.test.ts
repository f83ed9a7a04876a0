import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, NOISE_WA_HEADER } from './frame-codec.js';

const frames = [Buffer.from('first'), Buffer.alloc(70_000, 7), Buffer.alloc(0), Buffer.from('last')];
const stream = Buffer.concat([NOISE_WA_HEADER, ...frames.map(encodeFrame)]);

describe('FrameDecoder', () => {
  it('re-frames a stream split at every byte', () => {
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)).map((f) => Buffer.from(f)));
    expect(out).toEqual(frames);
  });

  it('splits frames coalesced into one message', () => {
    expect(new FrameDecoder().push(stream)).toEqual(frames);
  });

  it('reads the ED routing intro before the WA header', () => {
    const routing = Buffer.from([1, 2, 3, 4, 5]);
    const intro = Buffer.concat([Buffer.from('ED'), Buffer.from([0, 1, 0, 0, routing.length]), routing]);
    const decoder = new FrameDecoder();
    const all = Buffer.concat([intro, stream]);
    expect([...decoder.push(all.subarray(0, 9)), ...decoder.push(all.subarray(9))]).toEqual(frames);
    expect(decoder.routingInfo).toEqual(routing);
  });

  it('rejects a client that does not start with the WA intro', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0x57, 0x41, 0x05, 0x02, 0, 0, 0]))).toThrow(FrameError);
  });

  it('rejects a client that buffers too much without completing a frame', () => {
    const decoder = new FrameDecoder(1000);
    decoder.push(Buffer.concat([NOISE_WA_HEADER, Buffer.from([0xff, 0xff, 0xff])]));
    expect(() => decoder.push(Buffer.alloc(2000))).toThrow(FrameError);
  });

  it('encodes the 3-byte big-endian length', () => {
    expect(encodeFrame(Buffer.alloc(0x010203)).subarray(0, 3)).toEqual(Buffer.from([1, 2, 3]));
  });
});
