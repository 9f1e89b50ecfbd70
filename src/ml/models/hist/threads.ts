/**
 * Histogram building on several threads (the `threads` option of the histogram models): the bin matrix,
 * the gradients and the row list live in SharedArrayBuffers. A large node's rows are cut into shares, each
 * built from zero into its own histogram (by this thread or a worker), and the shares are added in share
 * order. How many shares depends on the node's rows and the row stride only, never on the thread count, so
 * every thread count adds the same numbers in the same order: the model is bit-identical whatever the
 * cores. The workers are a leased Crew (src/ml/threads/pool.ts): no message passing per node, and a stuck
 * worker fails the fit instead of hanging it.
 */
import type { HistSpace } from "../../kernels/hist-build.js";
import { type Crew, leaseCrew, type PoolOptions } from "../../threads/pool.js";
import type { BinArray } from "./binning.js";
import { buildHistogram, HIST_STRIDE } from "./histogram.js";

/** Most shares of a node: a power of two, so 1, 2, 4 or 8 threads take equal parts. */
export const MAX_SHARES = 8;
/**
 * Bin updates (rows × stride) a share is worth at least: waking a worker costs about as much as 10⁴–10⁵
 * updates.
 */
const SHARE_MIN_WORK = 1 << 16;
/** Rows a share has at least: each share costs zeroing and adding its histogram (512 cells a feature). */
const SHARE_MIN_ROWS = 4096;

/** Rows of each share, at least, for rows of `stride` bytes (a node of twice as many is shared). */
export function parallelMinRows(stride: number): number {
  return Math.max(SHARE_MIN_ROWS, Math.ceil(SHARE_MIN_WORK / stride));
}

/** Shares of a node of n rows: the largest power of two ≤ MAX_SHARES leaving each ≥ minRows rows. */
export function sharesOf(n: number, minRows: number): number {
  let shares = 1;
  while (shares < MAX_SHARES && n >= 2 * shares * minRows) shares *= 2;
  return shares;
}

/**
 * The task of a worker. args = (BUILD, start, end, shares, step, first): shares first, first + step, … of
 * rows[start..end), each into its own histogram (the WebAssembly kernel's region of that share, or
 * hists[s]). args = (PARTITION, from, to, f, slot): the kernel's partitionPart of rows[from..to), its count
 * of left rows into counts[slot].
 */
const BUILD = 0;
const PARTITION = 1;
const TASK = `(data, args) => {
  const { bins, gh, rows, hists, stride, kernel } = data;
  if (data.wasm === undefined) {
    // With the WebAssembly kernel: the same module over the same shared memory, into the share's region.
    data.wasm = kernel
      ? new WebAssembly.Instance(kernel.module, { env: { memory: kernel.memory } }).exports
      : null;
    data.bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.byteLength >>> 2);
  }
  if (args[0] === ${PARTITION}) {
    const [, from, to, f, slot] = args;
    const l = kernel.layout;
    const first = l.columnsAt >= 0 ? l.columnsAt + f * l.rows * l.binBytes : l.binsAt + f * l.binBytes;
    const step = l.columnsAt >= 0 ? 1 : l.stride;
    const at = 4 * from;
    data.counts[slot] = data.wasm.partition(first, step, l.rowsAt + at, to - from, l.scratchAt + at, l.sidesAt);
    return;
  }
  const [, start, end, shares, step, first] = args;
  const size = Math.ceil((end - start) / shares);
  for (let s = first; s < shares; s += step) {
    const from = Math.min(end, start + s * size);
    buildShare(s, from, Math.min(end, from + size));
  }
  function buildShare(s, from, to) {
    if (data.wasm) {
      const l = kernel.layout;
      const at = kernel.histAt + s * kernel.regionBytes;
      new Float64Array(kernel.memory.buffer, at, kernel.regionBytes >>> 3).fill(0);
      data.wasm.build(l.binsAt, stride, l.ghAt, l.rowsAt + 4 * from, to - from, at, l.featureBytes);
      return;
    }
    const hist = hists[s];
    hist.fill(0);
    const words = stride >>> 2;
    const bins32 = data.bins32;
    for (let k = from; k < to; k++) {
      const i = rows[k];
      const g = gh[2 * i];
      const h = gh[2 * i + 1];
      const w0 = i * words;
      for (let w = 0; w < words; w++) {
        const x = bins32[w0 + w];
        const fb = w << 11;
        let a = fb + ((x & 255) << 1);
        hist[a] += g; hist[a + 1] += h;
        a = fb + 512 + (((x >>> 8) & 255) << 1);
        hist[a] += g; hist[a + 1] += h;
        a = fb + 1024 + (((x >>> 16) & 255) << 1);
        hist[a] += g; hist[a + 1] += h;
        a = fb + 1536 + ((x >>> 24) << 1);
        hist[a] += g; hist[a + 1] += h;
      }
    }
  }
}`;

/** Typed arrays over shared memory. */
export function shared<T extends Uint8Array | Uint16Array | Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(8, length * Kind.BYTES_PER_ELEMENT)));
}

export class HistogramThreads {
  private readonly pool: Crew | null;
  /** Without the kernel: the histogram of each share s ≥ 1 (plain layout, shared memory). */
  private readonly hists: Array<Float64Array | null>;
  /** Left rows of each part of a parallel partition. */
  private readonly counts = shared(Int32Array, MAX_SHARES);

  /**
   * @param threads - total threads, this one included (1: the same shares, all built here)
   * @param bins, gh, rows - backed by SharedArrayBuffers (see `shared`) when threads > 1
   * @param space - when given (with MAX_SHARES regions), every thread builds with its WebAssembly kernel;
   *   required for uint16 bins (the plain loops here read uint8 bins)
   * @param minRows - rows of a share, at least (0: every node is cut into MAX_SHARES)
   */
  constructor(
    threads: number,
    private readonly bins: BinArray,
    private readonly stride: number,
    private readonly gh: Float64Array,
    private readonly rows: Int32Array,
    private readonly space: HistSpace | null = null,
    private readonly minRows = parallelMinRows(stride),
    options: PoolOptions = {},
  ) {
    const size = stride * HIST_STRIDE;
    this.hists = Array.from({ length: MAX_SHARES }, (_, s) =>
      space || s === 0 ? null : threads > 1 ? shared(Float64Array, size) : new Float64Array(size),
    );
    const kernel = space && {
      module: space.module,
      memory: space.memory,
      layout: space.layout,
      histAt: space.layout.histAt,
      regionBytes: space.region(0).byteLength,
    };
    const data = { bins, gh, rows, hists: this.hists, stride, kernel, counts: this.counts };
    this.pool = threads > 1 ? leaseCrew(threads - 1, TASK, () => data, options) : null;
  }

  /** Builds the histogram of rows rows[start..end) (of the shared row list) into hist. */
  build(start: number, end: number, hist: Float64Array): void {
    const shares = sharesOf(end - start, this.minRows);
    if (shares === 1) {
      this.buildShare(0, start, end, hist);
      return;
    }
    const step = Math.min(shares, (this.pool?.size ?? 0) + 1);
    const size = Math.ceil((end - start) / shares);
    const here = () => {
      for (let s = 0; s < shares; s += step) {
        const from = Math.min(end, start + s * size);
        this.buildShare(s, from, Math.min(end, from + size), hist);
      }
    };
    if (this.pool)
      this.pool.runAll((k) => (k + 1 < step ? [BUILD, start, end, shares, step, k + 1] : null), here);
    else here();
    this.addShares(shares, hist);
  }

  /** Share s of a node into its histogram: share 0 into hist, the others into their own. */
  private buildShare(s: number, from: number, to: number, hist: Float64Array): void {
    const { space } = this;
    if (space) space.buildRegion(s, from, to);
    else buildHistogram(this.bins, this.stride, this.gh, this.rows, from, to, this.hists[s] ?? hist);
    if (space && s === 0) space.readRegion(0, hist);
  }

  /** hist (share 0) += shares 1, 2, … in that order. */
  private addShares(shares: number, hist: Float64Array): void {
    const { space } = this;
    const size = this.stride * HIST_STRIDE;
    for (let s = 1; s < shares; s++) {
      if (space) space.readRegion(s, hist, true);
      else {
        const h = this.hists[s] as Float64Array;
        for (let i = 0; i < size; i++) hist[i] += h[i];
      }
    }
  }

  /**
   * Stable partition of rows[start..end) by feature f (sides[bin] = 1: left), with the kernel; a large node
   * in parts on all threads, then the parts' left rows and right rows put together in order (the same rows
   * as one pass). Returns how many went left.
   */
  partition(start: number, end: number, f: number, sides: Uint8Array): number {
    const space = this.space as HistSpace;
    const parts = Math.min(MAX_SHARES, (this.pool?.size ?? 0) + 1);
    // Nodes that are cut into shares are also partitioned in parts (the result is the same on any count).
    if (!this.pool || parts === 1 || sharesOf(end - start, this.minRows) === 1)
      return space.partition(start, end, f, sides);
    space.setSides(sides);
    const size = Math.ceil((end - start) / parts);
    const from = (c: number) => Math.min(end, start + c * size);
    const { counts } = this;
    this.pool.runAll(
      (k) => (k + 1 < parts ? [PARTITION, from(k + 1), from(k + 2), f, k + 1] : null),
      () => {
        counts[0] = space.partitionPart(start, from(1), f);
      },
    );
    const { rows } = space;
    let write = start;
    for (let c = 0; c < parts; c++) {
      rows.copyWithin(write, from(c), from(c) + counts[c]);
      write += counts[c];
    }
    const nLeft = write - start;
    for (let c = 0; c < parts; c++) {
      const right = space.scratchRows(from(c), from(c + 1) - counts[c]);
      rows.set(right, write);
      write += right.length;
    }
    return nLeft;
  }

  /** Stops the workers. */
  close(): void {
    this.pool?.close();
  }
}
