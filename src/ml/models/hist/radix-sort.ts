/**
 * Ascending sort of doubles without NaN, the same order as Float64Array.prototype.sort (−0 before +0), for
 * the bin mapper's samples: an LSD radix sort on the IEEE-754 bits mapped to unsigned order (sign bit
 * flipped for positives, every bit for negatives), in six stable passes of 11, 11 and 10 bits per 32-bit
 * word; a pass whose digit is the same for every value is skipped. On 30,000 values about 2.5× faster than
 * the builtin sort (28 features: 75 → 27 ms; one-hot columns 31 → 12 ms).
 */

/** Below this many values the builtin sort is as fast. */
const RADIX_MIN = 1024;
const DIGIT_BITS = [11, 11, 10];
const counts = new Int32Array(1 << 11);
/** The other buffer of the ping-pong passes, grown as needed (kept: binning sorts every feature). */
let spare = new Uint32Array(0);

/** Sorts `values` in place (no NaN). */
export function sortValues(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  if (spare.length < 2 * n) spare = new Uint32Array(2 * n);
  const home = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let src: Uint32Array = home;
  let dst: Uint32Array = spare;
  toKeys(home, n);
  // Word 0 is the low word (little-endian): it is the less significant, so its digits go first.
  for (let word = 0; word < 2; word++) {
    let shift = 0;
    for (const bits of DIGIT_BITS) {
      if (radixPass(src, dst, n, word, shift, bits)) [src, dst] = [dst, src];
      shift += bits;
    }
  }
  if (src !== home) home.set(src.subarray(0, 2 * n));
  fromKeys(home, n);
  return values;
}

/** A double's bits (low, high word pairs) → keys whose unsigned order is the doubles' order. */
function toKeys(w: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const hi = w[2 * i + 1];
    if (hi >>> 31) {
      w[2 * i] = ~w[2 * i];
      w[2 * i + 1] = ~hi;
    } else w[2 * i + 1] = hi ^ 0x80000000;
  }
}

/** toKeys' inverse. */
function fromKeys(w: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const hi = w[2 * i + 1];
    if (hi >>> 31) w[2 * i + 1] = hi ^ 0x80000000;
    else {
      w[2 * i] = ~w[2 * i];
      w[2 * i + 1] = ~hi;
    }
  }
}

/**
 * One stable counting pass on the digit (word >>> shift) & (2^bits − 1) of each key, src → dst; false (and
 * nothing moved) when every key has the same digit.
 */
function radixPass(
  src: Uint32Array,
  dst: Uint32Array,
  n: number,
  word: number,
  shift: number,
  bits: number,
): boolean {
  const mask = (1 << bits) - 1;
  counts.fill(0, 0, mask + 1);
  for (let i = 0; i < n; i++) counts[(src[2 * i + word] >>> shift) & mask]++;
  if (counts[(src[word] >>> shift) & mask] === n) return false;
  let sum = 0;
  for (let d = 0; d <= mask; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i];
    const hi = src[2 * i + 1];
    const at = 2 * counts[((word === 0 ? lo : hi) >>> shift) & mask]++;
    dst[at] = lo;
    dst[at + 1] = hi;
  }
  return true;
}

/** A double's two 32-bit words, for hashing it. */
const bitsOf = new Float64Array(1);
const wordsOf = new Uint32Array(bitsOf.buffer);
/** The open-addressing table of sortedDistinct (NaN = empty slot), grown as needed. */
let slots = new Float64Array(0);

/**
 * The distinct values of `values` (no NaN; −0 counted as +0), ascending, when there are at most `limit`;
 * else null, found as soon as one more turns up. One pass through a hash table of the values seen: the bin
 * mapper's columns of few values (one-hot, counts, dates' parts) need no sort of their sample.
 */
export function sortedDistinct(values: Float64Array, limit: number): Float64Array | null {
  const bits = Math.max(4, 32 - Math.clz32(4 * limit - 1));
  const mask = (1 << bits) - 1;
  if (slots.length <= mask) slots = new Float64Array(mask + 1);
  slots.fill(Number.NaN, 0, mask + 1);
  const found = new Float64Array(limit);
  let count = 0;
  let last = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] === 0 ? 0 : values[i];
    if (v === last) continue;
    last = v;
    bitsOf[0] = v;
    let h = Math.imul(wordsOf[0] ^ wordsOf[1], 0x9e3779b1) >>> (32 - bits);
    for (;;) {
      const s = slots[h];
      if (s === v) break;
      if (Number.isNaN(s)) {
        if (count === limit) return null;
        slots[h] = v;
        found[count++] = v;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return found.subarray(0, count).sort();
}
