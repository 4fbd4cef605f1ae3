// Image decoding is attack surface: only PNG, JPEG, GIF and WebP recognised from their magic
// bytes reach sharp (never SVG, TIFF or anything libvips would load through another loader),
// with a pixel limit checked on the header before any pixel is decoded, first frame only.
import sharp from 'sharp';
import { detectFormat } from '../../formats/detect.ts';
import type { FormatId } from '../../formats/catalogue.ts';
import { BufferSource } from '../../io/byte-source.ts';

export const DECODABLE: ReadonlySet<FormatId> = new Set<FormatId>(['png', 'jpeg', 'gif', 'webp']);
export const IMAGE_FORMATS: ReadonlySet<FormatId> = new Set<FormatId>(['png', 'jpeg', 'gif', 'webp', 'bmp']);
export const GRID = 32;

export interface DecodedImage {
  width: number;
  height: number;
  /** GRID × GRID RGB samples (nearest neighbour, so stamped pixels keep their exact values). */
  rgb: Uint8Array;
  /** 32 × 32 grey thumbnail (area-averaged) for the perceptual hash. */
  grey: Uint8Array;
}

export class ImageRejected extends Error {
  constructor(readonly reason: 'pixel-limit' | 'unsupported' | 'corrupt', message: string) {
    super(message);
    this.name = 'ImageRejected';
  }
}

export async function sniffImage(bytes: Uint8Array): Promise<FormatId> {
  return (await detectFormat(new BufferSource(bytes))).format;
}

export async function decodeImage(bytes: Uint8Array, format: FormatId, maxPixels: number): Promise<DecodedImage> {
  if (!DECODABLE.has(format)) throw new ImageRejected('unsupported', `${format} images are not decoded`);
  const options = { limitInputPixels: maxPixels, failOn: 'error' as const, sequentialRead: true, animated: false };
  let meta;
  try {
    meta = await sharp(bytes, options).metadata();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(msg)) throw new ImageRejected('pixel-limit', `the header declares more pixels than the limit of ${maxPixels} (a decompression bomb, or an unusually large image)`);
    throw new ImageRejected('corrupt', `header unreadable: ${msg}`);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w <= 0 || h <= 0) throw new ImageRejected('corrupt', 'no dimensions in the header');
  if (w * h > maxPixels) throw new ImageRejected('pixel-limit', `${w} × ${h} pixels exceeds the limit of ${maxPixels} (a decompression bomb, or an unusually large image)`);
  try {
    const rgb = await sharp(bytes, options).toColourspace('srgb').removeAlpha()
      .resize(GRID, GRID, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
    const grey = await sharp(bytes, options).greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    return { width: w, height: h, rgb: toRgb(rgb.data, rgb.info.channels), grey: firstChannel(grey.data, grey.info.channels) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ImageRejected(/pixel limit/i.test(msg) ? 'pixel-limit' : 'corrupt', `decoding failed: ${msg}`);
  }
}

function toRgb(data: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) return data;
  const n = GRID * GRID;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = data[i * channels]!;
    out[i * 3] = r;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : r;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : r;
  }
  return out;
}

function firstChannel(data: Uint8Array, channels: number): Uint8Array {
  if (channels === 1) return data;
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
  return out;
}
