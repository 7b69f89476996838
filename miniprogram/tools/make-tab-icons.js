// Draws the tab bar icons (81×81 PNG, anti-aliased) with plain Node: no assets to download.
// Run: node miniprogram/tools/make-tab-icons.js  (writes miniprogram/assets/tab/*.png)
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const SIZE = 81
const SAMPLES = 4
const COLORS = { normal: [0x4a, 0x4a, 0x4a], active: [0xc8, 0x16, 0x1d] }

const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const ellipse = (cx, cy, rx, ry) => (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (!rect(x0, y0, x1, y1)(x, y)) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy)
  const d1 = s(ax, ay, bx, by)
  const d2 = s(bx, by, cx, cy)
  const d3 = s(cx, cy, ax, ay)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}
const union = (...shapes) => (x, y) => shapes.some(f => f(x, y))
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y)

const ICONS = {
  home: minus(
    union(triangle(0.1, 0.5, 0.5, 0.12, 0.9, 0.5), rect(0.22, 0.46, 0.78, 0.88)),
    rect(0.42, 0.62, 0.58, 0.88),
  ),
  orders: union(
    minus(roundRect(0.2, 0.1, 0.8, 0.9, 0.08), roundRect(0.27, 0.17, 0.73, 0.83, 0.04)),
    rect(0.34, 0.3, 0.66, 0.36),
    rect(0.34, 0.46, 0.66, 0.52),
    rect(0.34, 0.62, 0.56, 0.68),
  ),
  work: union(
    roundRect(0.14, 0.14, 0.45, 0.45, 0.06),
    roundRect(0.55, 0.14, 0.86, 0.45, 0.06),
    roundRect(0.14, 0.55, 0.45, 0.86, 0.06),
    roundRect(0.55, 0.55, 0.86, 0.86, 0.06),
  ),
  messages: union(roundRect(0.1, 0.16, 0.9, 0.68, 0.12), triangle(0.28, 0.62, 0.5, 0.62, 0.26, 0.88)),
  me: union(circle(0.5, 0.3, 0.18), minus(ellipse(0.5, 0.92, 0.34, 0.4), rect(0, 0.9, 1, 1))),
}

function crcTable() {
  const table = []
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table.push(c >>> 0)
  }
  return table
}
const CRC = crcTable()
function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(shape, [r, g, b]) {
  const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE)
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0
    for (let x = 0; x < SIZE; x++) {
      let hits = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (shape((x + (sx + 0.5) / SAMPLES) / SIZE, (y + (sy + 0.5) / SAMPLES) / SIZE)) hits++
        }
      }
      const o = y * (SIZE * 4 + 1) + 1 + x * 4
      raw[o] = r
      raw[o + 1] = g
      raw[o + 2] = b
      raw[o + 3] = Math.round((255 * hits) / (SAMPLES * SAMPLES))
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const outDir = path.join(__dirname, '..', 'assets', 'tab')
fs.mkdirSync(outDir, { recursive: true })
Object.keys(ICONS).forEach(name => {
  fs.writeFileSync(path.join(outDir, name + '.png'), png(ICONS[name], COLORS.normal))
  fs.writeFileSync(path.join(outDir, name + '-active.png'), png(ICONS[name], COLORS.active))
})
console.log('tab icons written to', outDir)
