/**
 * The histogram-building kernel of the histogram GBDT, in WebAssembly: for each of a node's rows, its
 * (gradient, hessian) pair is added as one f64x2 lane pair into the row's bin of every feature. Rows are
 * taken in order, so each bin sums the same numbers in the same order as the JS loop (identical results);
 * what is saved is V8's bounds check per typed-array load and half the additions (two lanes at once).
 *
 * The bins, gradients and row list live in one shared WebAssembly memory (a `HistSpace`), followed by one
 * histogram region per thread, so worker threads run the same kernel on the same data. The kernel's source,
 * with its memory layout: ./wat/hist-build.wat.
 */
import { HIST_STRIDE, reachableSpans } from "../models/hist/histogram.js";
import { kernelModule, wasm } from "./load.js";
import { HIST_BUILD_WASM } from "./wasm/hist-build.js";

const PAGE = 65536;
/** Largest memory a space may take (wasm32 addresses; more rows fall back to the JS loop). */
const MAX_BYTES = 2 ** 31;
/**
 * Bytes of one feature in a kernel region: 256 bins × 2 f64 and 16 bytes of padding, so that bin b of
 * neighbouring features is not at the same address modulo 4096 (the kernel's source says why).
 */
const FEATURE_BYTES = HIST_STRIDE * 8 + 16;
/** The same in f64s. */
const REGION_STRIDE = FEATURE_BYTES / 8;
/**
 * Cells of a span, at most, zeroed and copied by a loop: longer spans go to the builtins (memset, memcpy),
 * 6–7× faster than a loop over a 255-bin feature, whose call costs more than a loop over a few cells.
 */
const BULK_CELLS = 64;

/** Where the parts of a space start, in bytes. */
export interface HistLayout {
  rows: number;
  stride: number;
  binsAt: number;
  ghAt: number;
  rowsAt: number;
  /** The column-major copy of the bins (stride × rows), or −1 when there is none. */
  columnsAt: number;
  scratchAt: number;
  /** 256 bytes: 1 for each bin a split sends left. */
  sidesAt: number;
  histAt: number;
  /** Histogram regions (one per thread). */
  regions: number;
}

/** Signature of `build`: (bins, stride, gh, rowsFrom, count, hist) byte offsets and counts. */
type Build = (
  bins: number,
  stride: number,
  gh: number,
  rowsFrom: number,
  count: number,
  hist: number,
) => void;
/**
 * Signature of `partition`: (feature's first bin, step between rows, rowsFrom, count, scratch, sides) →
 * rows sent left. Moves them to the front of rows[from..), in order; the rest go to scratch, in order.
 */
type Partition = (
  bins: number,
  step: number,
  rowsFrom: number,
  count: number,
  scratch: number,
  sides: number,
) => number;
interface Kernels {
  build: Build;
  partition: Partition;
}

/** The memory a `HistSpace` is built on, shared so workers can instantiate the kernel over it too. */
export interface HistMemory {
  buffer: SharedArrayBuffer;
}

/**
 * Bins (n × stride bytes), interleaved gradients and hessians (2n f64) and the row list (n i32) of one fit,
 * in WebAssembly memory, and the kernel that builds a node's histogram from them.
 */
export class HistSpace {
  readonly bins: Uint8Array;
  readonly gh: Float64Array;
  readonly rows: Int32Array;
  /** The column-major copy of the bins (faster partitions), when the layout has one. */
  readonly columns: Uint8Array | null;
  private readonly scratch: Int32Array;
  private readonly sides: Uint8Array;
  private readonly f64: Float64Array;
  private readonly kernels: Kernels;
  /** Reachable cells, as [from, to) pairs: in a region, and in the plain layout. */
  private regionSpans: Int32Array;
  private plainSpans: Int32Array;

  constructor(
    readonly memory: HistMemory,
    readonly layout: HistLayout,
  ) {
    const { rows: n, stride } = layout;
    const buffer = memory.buffer;
    this.bins = new Uint8Array(buffer, layout.binsAt, n * stride);
    this.gh = new Float64Array(buffer, layout.ghAt, 2 * n);
    this.rows = new Int32Array(buffer, layout.rowsAt, n);
    this.columns = layout.columnsAt >= 0 ? new Uint8Array(buffer, layout.columnsAt, n * stride) : null;
    this.scratch = new Int32Array(buffer, layout.scratchAt, n);
    this.sides = new Uint8Array(buffer, layout.sidesAt, 256);
    this.f64 = new Float64Array(buffer);
    this.kernels = instantiate(memory);
    this.regionSpans = reachableSpans(null, stride, REGION_STRIDE);
    this.plainSpans = reachableSpans(null, stride, HIST_STRIDE);
  }

  /**
   * The histogram region of thread `region` (0 = this one), as the kernel leaves it: feature f's bins at
   * f · REGION_STRIDE (padded; `readRegion` gives the plain layout).
   */
  region(region: number): Float64Array {
    const size = this.layout.stride * REGION_STRIDE;
    const at = (this.layout.histAt >>> 3) + region * size;
    return this.f64.subarray(at, at + size);
  }

  /**
   * Only these cells of each histogram are zeroed, copied and added from now on (reachableBins; all of them
   * until this is called). The other cells of the histograms given to buildInto and readRegion stay as
   * they are: zero when every writer keeps to the same cells.
   */
  useReachable(reach: Int32Array): void {
    this.regionSpans = reachableSpans(reach, this.layout.stride, REGION_STRIDE);
    this.plainSpans = reachableSpans(reach, this.layout.stride, HIST_STRIDE);
  }

  /** hist (the plain layout, f · HIST_STRIDE) = region `region`, or += it when `add`. */
  readRegion(region: number, hist: Float64Array, add = false): void {
    const from = this.region(region);
    const { regionSpans, plainSpans } = this;
    for (let s = 0; s < regionSpans.length; s += 2) {
      const start = regionSpans[s];
      const end = regionSpans[s + 1];
      const shift = plainSpans[s] - start;
      if (add) addSpan(hist, from, start, end, shift);
      else if (end - start > BULK_CELLS) hist.set(from.subarray(start, end), plainSpans[s]);
      else for (let k = start; k < end; k++) hist[k + shift] = from[k];
    }
  }

  /** Builds rows rows[start..end) into the region of thread `region` (zeroed first). */
  buildRegion(region: number, start: number, end: number): void {
    const hist = this.region(region);
    const spans = this.regionSpans;
    for (let s = 0; s < spans.length; s += 2) {
      if (spans[s + 1] - spans[s] > BULK_CELLS) hist.fill(0, spans[s], spans[s + 1]);
      else for (let k = spans[s]; k < spans[s + 1]; k++) hist[k] = 0;
    }
    const { layout } = this;
    const at = layout.histAt + region * layout.stride * FEATURE_BYTES;
    this.kernels.build(layout.binsAt, layout.stride, layout.ghAt, layout.rowsAt + 4 * start, end - start, at);
  }

  /**
   * Stable partition of rows[start..end) by feature f: rows whose bin has sides[bin] = 1 first. Returns
   * how many went left.
   */
  partition(start: number, end: number, f: number, sides: Uint8Array): number {
    this.setSides(sides);
    const nLeft = this.partitionPart(start, end, f);
    this.rows.set(this.scratch.subarray(start, end - nLeft), start + nLeft);
    return nLeft;
  }

  /** The bins the next partitions send left (1 each). */
  setSides(sides: Uint8Array): void {
    this.sides.set(sides);
  }

  /**
   * One part of a partition (workers run others at once): rows[from..to) whose bin has sides[bin] = 1 go
   * to the front, in order, the others to scratch[from..), in order. Returns how many went left.
   */
  partitionPart(from: number, to: number, f: number): number {
    const l = this.layout;
    const first = l.columnsAt >= 0 ? l.columnsAt + f * l.rows : l.binsAt + f;
    const step = l.columnsAt >= 0 ? 1 : l.stride;
    return this.kernels.partition(
      first,
      step,
      l.rowsAt + 4 * from,
      to - from,
      l.scratchAt + 4 * from,
      l.sidesAt,
    );
  }

  /** rows[from..to) of the partition scratch. */
  scratchRows(from: number, to: number): Int32Array {
    return this.scratch.subarray(from, to);
  }

  /** Builds rows rows[start..end) into hist (as buildHistogram does). */
  buildInto(start: number, end: number, hist: Float64Array): void {
    this.buildRegion(0, start, end);
    this.readRegion(0, hist);
  }
}

/** hist[k + shift] += from[k] for k in [start, end), two cells a step (about 1.5× faster in V8 than one). */
function addSpan(hist: Float64Array, from: Float64Array, start: number, end: number, shift: number): void {
  let k = start;
  for (; k + 1 < end; k += 2) {
    const g = hist[k + shift] + from[k];
    const h = hist[k + shift + 1] + from[k + 1];
    hist[k + shift] = g;
    hist[k + shift + 1] = h;
  }
  if (k < end) hist[k + shift] += from[k];
}

/**
 * A space for n rows of `stride` bytes (a multiple of 4) with `regions` histogram regions, or null where
 * WebAssembly's shared memory is missing or the data would not fit in it.
 */
export function createHistSpace(n: number, stride: number, regions = 1, columns = false): HistSpace | null {
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const binsAt = 0;
  const ghAt = align(n * stride);
  const rowsAt = align(ghAt + 16 * n);
  const scratchAt = align(rowsAt + 4 * n);
  const sidesAt = align(scratchAt + 4 * n);
  const columnsAt = columns ? sidesAt + 256 : -1;
  const histAt = align(sidesAt + 256 + (columns ? n * stride : 0));
  const bytes = histAt + regions * stride * FEATURE_BYTES;
  if (bytes > MAX_BYTES || stride % 4 !== 0 || typeof SharedArrayBuffer === "undefined") return null;
  const pages = Math.ceil(bytes / PAGE);
  let memory: HistMemory;
  try {
    memory = new (wasm.Memory as unknown as new (d: object) => HistMemory)({
      initial: pages,
      maximum: pages,
      shared: true,
    });
  } catch {
    return null;
  }
  const layout = { rows: n, stride, binsAt, ghAt, rowsAt, columnsAt, scratchAt, sidesAt, histAt, regions };
  return new HistSpace(memory, layout);
}

/** The compiled kernel module (./wat/hist-build.wat; compiled once, workers receive it with the memory). */
export const histModule = kernelModule(HIST_BUILD_WASM);

function instantiate(memory: HistMemory): Kernels {
  return new wasm.Instance(histModule(), { env: { memory } }).exports as Kernels;
}
