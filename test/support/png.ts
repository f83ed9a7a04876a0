import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';

/** A decoded 8-bit PNG (grey, grey+alpha, RGB or RGBA, not interlaced): enough to read a QR code image. */
export interface Png {
  width: number;
  height: number;
  /** true when the pixel is dark (luminance below half; transparent counts as light) */
  dark(x: number, y: number): boolean;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(file: Buffer): Png {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [bitDepth, colorType, , , interlace] = data.subarray(8, 13);
      channels = CHANNELS[colorType] ?? 0;
      if (bitDepth !== 8 || !channels || interlace !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    dark(x, y) {
      const px = pixels.subarray((y * width + x) * channels, (y * width + x + 1) * channels);
      const alpha = channels === 2 || channels === 4 ? px[channels - 1] : 255;
      const luminance = channels >= 3 ? (px[0] + px[1] + px[2]) / 3 : px[0];
      return alpha >= 128 && luminance < 128;
    },
  };
}

/**
 * Reads the module grid of a QR code image (quiet zone and scale found from the top-left finder
 * pattern) and tells whether it is the QR code of `text` at some error-correction level.
 */
export function pngShowsQr(file: Buffer, text: string): boolean {
  const png = decodePng(file);
  let top = -1;
  let left = -1;
  for (let y = 0; y < png.height && top < 0; y++) {
    for (let x = 0; x < png.width; x++) {
      if (png.dark(x, y)) {
        top = y;
        left = x;
        break;
      }
    }
  }
  if (top < 0) return false;
  let run = 0;
  while (left + run < png.width && png.dark(left + run, top)) run++;
  const scale = run / 7; // the finder pattern's outer ring is 7 modules wide
  const size = (png.width - 2 * left) / scale;
  if (!Number.isInteger(scale) || !Number.isInteger(size) || png.height !== png.width) return false;
  const grid = (row: number, col: number) => png.dark(left + col * scale + Math.floor(scale / 2), top + row * scale + Math.floor(scale / 2));
  return (['L', 'M', 'Q', 'H'] as const).some((level) => {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: level });
    if (modules.size !== size) return false;
    for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) if (!!modules.get(row, col) !== grid(row, col)) return false;
    return true;
  });
}
