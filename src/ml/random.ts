/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so every split, bootstrap and weight
 * initialisation is reproducible for a seed and identical on every machine.
 * Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018).
 */
export class Random {
  /**
   * The four state words, as int32 (the generator only needs their bits). In an Int32Array, not four fields:
   * a word at 2^30 or above is no small integer for V8, so each field held a boxed double and every draw
   * converted it back and forth: int() took 34–36 ns against 16 here (the fastest of 40 runs of 400k draws,
   * loaded 2-core VM, 2026-12-07), and an exact forest tree draws two features a split (weak-2: about 5000
   * splits a tree).
   */
  private readonly s = new Int32Array(4);
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let k = 0; k < 4; k++) this.s[k] = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /**
   * Shuffles in place (Fisher–Yates): from the end, a[i] swaps with a[int(i + 1)]. The draws come in blocks
   * (nextBlock): a shuffle of a large array is often the first run of this loop in a process, which V8
   * interprets until the loop is compiled, and with eight calls a step that cost 30–50 ms for 160k values
   * (the GBDT's binning sample), 6–10 ms with the draws inlined.
   */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    const block = this.block(a.length - 1);
    for (let i = a.length - 1; i > 0; ) {
      const drawn = this.nextBlock(block, i);
      for (let d = 0; d < drawn; d++, i--) {
        const j = Math.floor(block[d] * (i + 1));
        const swap = a[i];
        a[i] = a[j];
        a[j] = swap;
      }
    }
    return a;
  }

  /**
   * A bootstrap draw: adds 1 to `counts[int(n)]`, n times, for n = counts.length (the draws in blocks, as in
   * shuffle: with a call per draw, a forest's bootstrap was 5–6% of a small fit).
   */
  addBootstrapCounts(counts: Float64Array): void {
    const n = counts.length;
    const block = this.block(n);
    for (let left = n; left > 0; ) {
      const drawn = this.nextBlock(block, left);
      for (let d = 0; d < drawn; d++) counts[Math.floor(block[d] * n)]++;
      left -= drawn;
    }
  }

  /** A buffer for up to `draws` values of next(), at most BLOCK. */
  private block(draws: number): Float64Array {
    return new Float64Array(Math.max(0, Math.min(draws, BLOCK)));
  }

  /**
   * The next min(wanted, block.length) values of next() into block, on local state (the same draws, the same
   * state after); returns how many.
   */
  private nextBlock(block: Float64Array, wanted: number): number {
    const count = Math.min(wanted, block.length);
    const s = this.s;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let d = 0; d < count; d++) {
      // next(): two 32-bit draws, the first one's top 27 bits and the second one's top 26.
      let hi = 0;
      let lo = 0;
      for (let draw = 0; draw < 2; draw++) {
        const x = Math.imul(s1, 5);
        const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ((s3 << 11) | (s3 >>> 21)) >>> 0;
        if (draw === 0) hi = r >>> 5;
        else lo = r >>> 6;
      }
      block[d] = (hi * 67108864 + lo) / 9007199254740992;
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return count;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A fresh generator derived from this one, for independent streams (one per tree). */
  fork(): Random {
    return new Random(this.nextUint32());
  }

  // nextBlock runs a few times on a generator of its own when the class loads, so that its state's write-back
  // after the loop has type feedback: a first large call (a big shuffle or bootstrap) compiled the loop on the
  // stack before that code had ever run, and the compiled code gave up there ("insufficient type feedback for
  // generic keyed access") at later calls, 12 times in a cold forest fit at load 3 (none after this). Several
  // hundred draws a call, as V8 gives a function its feedback vector only after it has run a while.
  static {
    const warm = new Random(1);
    const block = new Float64Array(256);
    for (let pass = 0; pass < 3; pass++) warm.nextBlock(block, block.length);
  }
}

/** Draws a block of shuffle and addBootstrapCounts holds (32 KB). */
const BLOCK = 4096;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
