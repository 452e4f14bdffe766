// Draws SPOT's icons with Debian's Chromium and writes them to assets/ (run once after a
// change of design; the PNGs and favicon.ico are committed, compiled into the binary):
//   cd tests/browser && npm ci && node make-icons.mjs
// The design is assets/favicon.svg's: a white spot on NHS blue; the larger icons add the
// wordmark. The maskable icon keeps everything inside the middle 80% (the safe zone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, repo } from './harness.mjs';

const BLUE = '#005eb8';
const svg = ({ size, rounded, words }) => {
  const r = rounded ? size * 0.1875 : 0;
  const spot = size * (words ? 0.36 : 0.22);
  const text = words
    ? `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-family="Arial, Helvetica, sans-serif"
         font-weight="700" font-size="${size * 0.2}" letter-spacing="${size * 0.008}" fill="${BLUE}">SPOT</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
    <rect width="${size}" height="${size}" rx="${r}" fill="${BLUE}"/>
    <circle cx="${size / 2}" cy="${size / 2}" r="${spot}" fill="#fff"/>${text}</svg>`;
};

const icons = [
  { file: 'favicon-16.png', size: 16, rounded: true, words: false, icoOnly: true },
  { file: 'icon-32.png', size: 32, rounded: true, words: false },
  { file: 'favicon-48.png', size: 48, rounded: true, words: false, icoOnly: true },
  { file: 'apple-touch-icon.png', size: 180, rounded: false, words: true },
  { file: 'icon-192.png', size: 192, rounded: true, words: true },
  { file: 'icon-512.png', size: 512, rounded: true, words: true },
  { file: 'icon-maskable-512.png', size: 512, rounded: false, words: true },
];

const browser = await launchBrowser();
const page = await browser.newPage();
const drawn = {};
for (const icon of icons) {
  await page.setViewportSize({ width: icon.size, height: icon.size });
  await page.setContent(`<html><body style="margin:0">${svg(icon)}</body></html>`);
  drawn[icon.file] = await page.locator('svg').screenshot({ omitBackground: true });
  if (!icon.icoOnly) writeFileSync(join(repo, 'assets', icon.file), drawn[icon.file]);
}
await browser.close();

// favicon.ico: 16, 32 and 48 pixel PNGs in one ICO file (PNG entries, as Windows Vista on read).
const entries = ['favicon-16.png', 'icon-32.png', 'favicon-48.png'].map((f) => drawn[f]);
const header = Buffer.alloc(6 + 16 * entries.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(entries.length, 4);
let offset = header.length;
entries.forEach((png, i) => {
  const size = png.readUInt32BE(16);
  const at = 6 + 16 * i;
  header.writeUInt8(size, at);
  header.writeUInt8(size, at + 1);
  header.writeUInt8(0, at + 2);
  header.writeUInt8(0, at + 3);
  header.writeUInt16LE(1, at + 4);
  header.writeUInt16LE(32, at + 6);
  header.writeUInt32LE(png.length, at + 8);
  header.writeUInt32LE(offset, at + 12);
  offset += png.length;
});
writeFileSync(join(repo, 'assets', 'favicon.ico'), Buffer.concat([header, ...entries]));
console.log('icons written to assets/');
