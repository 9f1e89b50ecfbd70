/**
 * Decimal numbers straight from bytes, no string per cell. Up to 15 significant digits and |exponent| ≤ 22
 * the result is exact: an integer mantissa below 2^53 times or divided by an exact power of ten is one
 * correctly rounded operation (Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990).
 * Longer mantissas go through Number() on a Latin-1 slice, so every value equals Number(text).
 */

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const latin1 = new TextDecoder("latin1");

/** NaN when the bytes are not a plain decimal number (sign, digits, point, exponent); spaces around are ok. */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === 32 || b[start] === 9)) start++;
  while (end > start && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
  if (start === end) return Number.NaN;
  let i = start;
  let negative = false;
  if (b[i] === 45 || b[i] === 43) {
    negative = b[i] === 45;
    i++;
  }
  // The first 15 significant digits in `high`, the rest in `low` (k of them): mantissa = high · 10^k + low.
  let high = 0;
  let low = 0;
  let k = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  // Leading zeros carry no significance.
  while (i < end && b[i] === 48) {
    i++;
    digits++;
  }
  for (; i < end; i++) {
    const d = (b[i] - 48) >>> 0;
    if (d > 9) break;
    if (significant < 15) high = high * 10 + d;
    else {
      low = low * 10 + d;
      k++;
    }
    significant++;
    digits++;
  }
  if (i < end && b[i] === 46) {
    i++;
    if (significant === 0) {
      while (i < end && b[i] === 48) {
        i++;
        digits++;
        scale--;
      }
    }
    for (; i < end; i++) {
      const d = (b[i] - 48) >>> 0;
      if (d > 9) break;
      if (significant < 15) high = high * 10 + d;
      else {
        low = low * 10 + d;
        k++;
      }
      significant++;
      scale--;
      digits++;
    }
  }
  if (digits === 0) return Number.NaN;
  let exponent = 0;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < end && (b[i] === 45 || b[i] === 43)) {
      expNegative = b[i] === 45;
      i++;
    }
    let expDigits = 0;
    for (; i < end && expDigits < 6; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
      expDigits++;
    }
    if (expDigits === 0) return Number.NaN;
    if (expNegative) exponent = -exponent;
  }
  if (i !== end) {
    // Over-long exponents and other rare shapes: let Number decide (it also rejects junk).
    return /^[0-9eE+-]+$/.test(latin1.decode(b.subarray(i, end))) ? slow(b, start, end) : Number.NaN;
  }
  const e = scale + exponent;
  let v = Number.NaN;
  if (e >= -22 && e <= 22) {
    if (significant <= 15) v = e < 0 ? high / POW10[-e] : high * POW10[e];
    else if (significant <= 19) v = doubleDouble(high, low, k, e);
  }
  if (Number.isNaN(v)) return slow(b, start, end);
  return negative ? -v : v;
}

/** Where the field read by parseNumberField ended, or −1 when it was not taken (see there). */
export let fieldEnd = -1;

/**
 * The fast CSV path's numeric cell in one pass: a plain decimal number (sign, digits, point, exponent of at
 * most three digits) starting at `start` and ending at the end of the bytes, the delimiter, LF or CR. Sets
 * fieldEnd to where it stopped; an empty cell is NaN (missing). Anything else (spaces, quotes, missing-value words, over 19 significant
 * digits, a value too close to a rounding midpoint) sets fieldEnd = −1 and leaves the cell to
 * parseNumberBytes, so the result is always the same as Number(text) — the arithmetic below is the same.
 */
export function parseNumberField(b: Uint8Array, start: number, len: number, delimiter: number): number {
  fieldEnd = -1;
  let i = start;
  let negative = false;
  if (i < len && (b[i] === 45 || b[i] === 43)) {
    negative = b[i] === 45;
    i++;
  }
  if (i === len || b[i] === delimiter || b[i] === 10 || b[i] === 13) {
    // An empty cell is missing (NaN), as isMissingBytes would say; a lone sign is declined.
    if (i === start) fieldEnd = i;
    return Number.NaN;
  }
  let high = 0;
  let low = 0;
  let k = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  while (i < len && b[i] === 48) {
    i++;
    digits++;
  }
  for (; i < len; i++) {
    const d = (b[i] - 48) >>> 0;
    if (d > 9) break;
    if (significant < 15) high = high * 10 + d;
    else {
      low = low * 10 + d;
      k++;
    }
    significant++;
    digits++;
  }
  if (i < len && b[i] === 46) {
    i++;
    if (significant === 0) {
      while (i < len && b[i] === 48) {
        i++;
        digits++;
        scale--;
      }
    }
    for (; i < len; i++) {
      const d = (b[i] - 48) >>> 0;
      if (d > 9) break;
      if (significant < 15) high = high * 10 + d;
      else {
        low = low * 10 + d;
        k++;
      }
      significant++;
      scale--;
      digits++;
    }
  }
  if (digits === 0 || significant > 19) return Number.NaN;
  let exponent = 0;
  if (i < len && (b[i] === 101 || b[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < len && (b[i] === 45 || b[i] === 43)) {
      expNegative = b[i] === 45;
      i++;
    }
    const from = i;
    for (; i < len && i - from < 3; i++) {
      const d = (b[i] - 48) >>> 0;
      if (d > 9) break;
      exponent = exponent * 10 + d;
    }
    if (i === from) return Number.NaN;
    if (expNegative) exponent = -exponent;
  }
  if (i < len && b[i] !== delimiter && b[i] !== 10 && b[i] !== 13) return Number.NaN;
  const e = scale + exponent;
  if (e < -22 || e > 22) return Number.NaN;
  const v = significant <= 15 ? (e < 0 ? high / POW10[-e] : high * POW10[e]) : doubleDouble(high, low, k, e);
  if (Number.isNaN(v)) return v;
  fieldEnd = i;
  return negative ? -v : v;
}

function slow(b: Uint8Array, start: number, end: number): number {
  return Number(latin1.decode(b.subarray(start, end)));
}

const SPLITTER = 134217729; // 2^27 + 1
let productError = 0;

/** a · b = p + productError exactly (Dekker's product; JavaScript has no fused multiply-add). */
function twoProduct(a: number, b: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  productError = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

/**
 * The nearest double to (high · 10^k + low) · 10^e, or NaN when the double-double result is too close to a
 * rounding midpoint to be sure.
 */
function doubleDouble(high: number, low: number, k: number, e: number): number {
  const p = twoProduct(high, POW10[k]);
  const pe = productError;
  // (p + pe) + low, renormalised: m = mh + ml exactly.
  const s = p + low;
  const bb = s - p;
  const sumError = p - (s - bb) + (low - bb);
  let ml = pe + sumError;
  const mh = s + ml;
  ml -= mh - s;
  const P = POW10[e < 0 ? -e : e];
  let h: number;
  let l: number;
  if (e >= 0) {
    h = twoProduct(mh, P);
    l = productError + ml * P;
  } else {
    h = mh / P;
    const r = twoProduct(h, P);
    l = (mh - r - productError + ml) / P;
  }
  const x = h + l;
  const rest = l - (x - h);
  // x is the nearest double to h + l; the true value is within about 2^−104·|x| of h + l.
  if (Math.abs(Math.abs(rest) - halfUlp(x)) <= Math.abs(x) * 2 ** -100) return Number.NaN;
  return x;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HIGH = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Half the gap from |x| to the next larger double (from the exponent bits; normal numbers only). */
function halfUlp(x: number): number {
  f64[0] = x;
  const biased = (u32[HIGH] >>> 20) & 0x7ff;
  if (biased <= 54) return 2 ** -1075;
  u32[HIGH] = (biased - 53) << 20;
  u32[1 - HIGH] = 0;
  return f64[0];
}
