/**
 * WhatsApp's socket framing: every frame is a 3-byte big-endian length followed by the payload.
 * The client's first bytes carry an intro — `WA 06 03`, or `ED 00 01 <len:3> <routing info> WA 06 03`
 * when it was given routing info — before the first frame. The server sends no intro.
 */

export const NOISE_WA_HEADER = Buffer.from([0x57, 0x41, 0x06, 0x03]);
export const MAX_FRAME_SIZE = 0xffffff;

const ROUTING_PREFIX = Buffer.from('ED', 'latin1');
const ROUTING_HEADER_SIZE = 7;

export class FrameError extends Error {}

export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private introDone = false;
  /** routing info the client echoed in the `ED` intro, if any */
  routingInfo: Buffer | undefined;

  constructor(private readonly maxBuffered = 2 * (MAX_FRAME_SIZE + 3)) {}

  /** Feeds bytes from one WS message; returns every frame completed by them, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.buffered.length > this.maxBuffered) {
      throw new FrameError(`client buffered more than ${this.maxBuffered} bytes without completing a frame`);
    }
    if (!this.introDone && !this.consumeIntro()) return [];
    const frames: Buffer[] = [];
    while (this.buffered.length >= 3) {
      const size = (this.buffered[0] << 16) | (this.buffered[1] << 8) | this.buffered[2];
      if (this.buffered.length < size + 3) break;
      frames.push(this.buffered.subarray(3, size + 3));
      this.buffered = this.buffered.subarray(size + 3);
    }
    return frames;
  }

  /** Returns false while more bytes are needed to read the whole intro. */
  private consumeIntro(): boolean {
    let offset = 0;
    if (this.buffered.length < 2) return false;
    if (this.buffered.subarray(0, 2).equals(ROUTING_PREFIX)) {
      if (this.buffered.length < ROUTING_HEADER_SIZE) return false;
      if (this.buffered[2] !== 0 || this.buffered[3] !== 1) {
        throw new FrameError('unsupported ED routing intro version');
      }
      const size = (this.buffered[4] << 16) | (this.buffered[5] << 8) | this.buffered[6];
      if (this.buffered.length < ROUTING_HEADER_SIZE + size) return false;
      this.routingInfo = Buffer.from(this.buffered.subarray(ROUTING_HEADER_SIZE, ROUTING_HEADER_SIZE + size));
      offset = ROUTING_HEADER_SIZE + size;
    }
    if (this.buffered.length < offset + NOISE_WA_HEADER.length) return false;
    if (!this.buffered.subarray(offset, offset + NOISE_WA_HEADER.length).equals(NOISE_WA_HEADER)) {
      throw new FrameError('client intro is not "WA 06 03"');
    }
    this.buffered = this.buffered.subarray(offset + NOISE_WA_HEADER.length);
    this.introDone = true;
    return true;
  }
}

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_SIZE) throw new FrameError(`frame of ${payload.length} bytes is too large`);
  const frame = Buffer.allocUnsafe(3 + payload.length);
  frame[0] = (payload.length >>> 16) & 0xff;
  frame[1] = (payload.length >>> 8) & 0xff;
  frame[2] = payload.length & 0xff;
  frame.set(payload, 3);
  return frame;
}
