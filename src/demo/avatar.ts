/**
 * Small identicon avatars as PNG data URIs (`data:image/png;base64,…`), so the demo's profiles show faces
 * without any web server and without anything leaving the machine. A 5×5 mirrored pattern drawn at 8 px per
 * cell (40×40 RGB), deflated with node:zlib: a few hundred bytes each.
 */
import { crc32, deflateSync } from 'node:zlib';

const CELL = 8;
const GRID = 5;
const SIZE = CELL * GRID;

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** HSL (h in 0..360, s and l in 0..1) to RGB bytes. */
function hsl(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The identicon of a 64-hex key: its bits pick the cells, its first bytes the colour. */
export function identiconPng(hex: string): Buffer {
  const bytes = Buffer.from(hex.padEnd(64, '0').slice(0, 64), 'hex');
  const fg = hsl(((bytes[0] ?? 0) / 255) * 360, 0.55, 0.5);
  const bg: [number, number, number] = [240, 240, 236];
  const on = (x: number, y: number): boolean => {
    const col = x < 3 ? x : GRID - 1 - x; // mirrored left-right
    const bit = y * 3 + col;
    return (((bytes[1 + (bit >> 3)] ?? 0) >> (bit & 7)) & 1) === 1;
  };
  const row = 1 + SIZE * 3;
  const raw = Buffer.alloc(row * SIZE);
  for (let y = 0; y < SIZE; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      const [r, g, b] = on(Math.floor(x / CELL), Math.floor(y / CELL)) ? fg : bg;
      const o = y * row + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export function avatarDataUri(hex: string): string {
  return `data:image/png;base64,${identiconPng(hex).toString('base64')}`;
}
