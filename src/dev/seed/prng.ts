/**
 * Deterministic randomness for the fixtures: the same seed gives the same database, byte for
 * byte, so dumps can be compared across runs. Ids are a pure function of (seed, kind, index),
 * which lets one table reference another's rows without keeping millions of ids in memory.
 */

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash step. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32((h ^ (p >>> 0)) + 0x7f4a7c15 + (Math.floor(p / 0x100000000) >>> 0));
  return h;
}

/** FNV-1a, to turn a label (table or kind name) into a number. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/** A version-4-shaped UUID derived from (seed, kind, index). */
export function makeUuid(seed: number, kind: string, index: number): string {
  const k = hashString(kind);
  const a = hash32(seed, k, index, 1);
  const b = hash32(seed, k, index, 2);
  const c = hash32(seed, k, index, 3);
  const d = hash32(seed, k, index, 4);
  const bx = ((b & 0xffff0fff) | 0x00004000) >>> 0; // version 4
  const cx = ((c & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant
  const h = hex32(a) + hex32(bx) + hex32(cx) + hex32(d);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A 64-hex-character token derived from (seed, kind, index), unique in practice. */
export function makeToken(seed: number, kind: string, index: number): string {
  const k = hashString(kind);
  let s = '';
  for (let i = 0; i < 8; i++) s += hex32(hash32(seed, k, index, 10 + i));
  return s;
}

/** sfc32: a small fast generator with a 128-bit state. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, label = '') {
    const k = hashString(label);
    this.#a = hash32(seed, k, 1);
    this.#b = hash32(seed, k, 2);
    this.#c = hash32(seed, k, 3);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 0x100000000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.uint32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 255;
    }
    return out;
  }
}
