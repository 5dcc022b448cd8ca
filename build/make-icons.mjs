#!/usr/bin/env node
// Draws Constellation's icons (a small constellation: five stars joined by lines) and writes them as PNG with
// zlib only, so they can be regenerated anywhere: `node build/make-icons.mjs`.
//   build/icons/<N>x<N>.png  app icon for packaging (electron-builder's Linux icon set), N = 16..512
//   build/icon.png           512 px
//   resources/icon.png       256 px, the window and notification icon
//   resources/tray-{idle,live,syncing,error}.png  32 px tray states (+ @2x)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- PNG encoding
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- drawing (unit square, supersampled)
const STARS = [
  [0.2, 0.3, 0.075],
  [0.45, 0.22, 0.055],
  [0.72, 0.36, 0.085],
  [0.58, 0.7, 0.065],
  [0.28, 0.74, 0.06],
];
const LINKS = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [1, 3]];

function segDist(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** layers: [{ inside(x, y) → boolean, color: [r,g,b,a] }], painted in order. */
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const u = (x + (sx + 0.5) / ss) / size;
          const v = (y + (sy + 0.5) / ss) / size;
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const layer of layers) {
            if (!layer.inside(u, v)) continue;
            const [lr, lg, lb, la] = layer.color;
            const al = la / 255;
            cr = lr * al + cr * (1 - al);
            cg = lg * al + cg * (1 - al);
            cb = lb * al + cb * (1 - al);
            ca = al + ca * (1 - al);
          }
          r += cr; g += cg; b += cb; a += ca;
        }
      }
      const n = ss * ss;
      const i = (y * size + x) * 4;
      const alpha = a / n;
      // premultiplied sums → straight alpha
      out[i] = alpha > 0 ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha > 0 ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha > 0 ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const roundedSquare = (pad, radius) => (u, v) => {
  const cx = Math.max(pad + radius, Math.min(1 - pad - radius, u));
  const cy = Math.max(pad + radius, Math.min(1 - pad - radius, v));
  return Math.hypot(u - cx, v - cy) <= radius && u >= pad && u <= 1 - pad && v >= pad && v <= 1 - pad;
};
const links = (width) => (u, v) => LINKS.some(([a, b]) => segDist(u, v, STARS[a], STARS[b]) <= width);
const stars = (scale) => (u, v) => STARS.some(([x, y, r]) => Math.hypot(u - x, v - y) <= r * scale);
const disc = (x, y, r) => (u, v) => Math.hypot(u - x, v - y) <= r;
const ring = (x, y, r, w, from, to) => (u, v) => {
  const d = Math.hypot(u - x, v - y);
  let ang = Math.atan2(v - y, u - x);
  if (ang < 0) ang += 2 * Math.PI;
  return Math.abs(d - r) <= w && ang >= from && ang <= to;
};

function appIcon(size) {
  // Small sizes get thicker lines so the motif stays readable.
  const w = size <= 32 ? 0.035 : 0.02;
  return render(size, [
    { inside: roundedSquare(0.04, 0.2), color: [16, 24, 56, 255] },
    { inside: links(w), color: [120, 160, 255, 200] },
    { inside: stars(size <= 32 ? 1.25 : 1), color: [255, 236, 170, 255] },
  ]);
}

function trayIcon(size, state) {
  const w = 0.045;
  const layers = [
    { inside: links(w), color: state === 'error' ? [200, 200, 200, 230] : [220, 230, 255, 235] },
    { inside: stars(1.35), color: [255, 255, 255, 255] },
  ];
  // live sync streaming with every peer: a green dot
  if (state === 'live') layers.push({ inside: disc(0.8, 0.8, 0.16), color: [60, 200, 110, 255] });
  if (state === 'syncing') layers.push({ inside: ring(0.78, 0.78, 0.17, 0.05, 0, 1.5 * Math.PI), color: [80, 200, 255, 255] });
  if (state === 'error') layers.push({ inside: disc(0.78, 0.78, 0.2), color: [230, 50, 50, 255] }, { inside: (u, v) => Math.abs(u - 0.78) <= 0.035 && v >= 0.66 && v <= 0.84, color: [255, 255, 255, 255] }, { inside: disc(0.78, 0.9, 0.035), color: [255, 255, 255, 255] });
  return render(size, layers);
}

function write(rel, size, rgba) {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, rgba));
  console.log(`${rel} (${size}x${size})`);
}

for (const size of [16, 32, 48, 64, 128, 256, 512]) write(`build/icons/${size}x${size}.png`, size, appIcon(size));
write('build/icon.png', 512, appIcon(512));
write('resources/icon.png', 256, appIcon(256));
for (const state of ['idle', 'live', 'syncing', 'error']) {
  write(`resources/tray-${state}.png`, 32, trayIcon(32, state));
  write(`resources/tray-${state}@2x.png`, 64, trayIcon(64, state));
}
