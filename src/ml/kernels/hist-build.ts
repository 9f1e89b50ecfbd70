/**
 * The histogram-building kernel of the histogram GBDT, in WebAssembly: for each of a node's rows, its
 * (gradient, hessian) pair is added as one f64x2 lane pair into the row's bin of every feature. Rows are
 * taken in order, so each bin sums the same numbers in the same order as the JS loop (identical results);
 * what is saved is V8's bounds check per typed-array load and half the additions (two lanes at once).
 *
 * The bins, gradients and row list live in one shared WebAssembly memory (a `HistSpace`), followed by one
 * histogram region per thread, so worker threads run the same kernel on the same data. The kernel's source,
 * with its memory layout: ./wat/hist-build.wat (uint16 bins: ./wat/hist-build-wide.wat). With exclusive
 * feature bundling (models/hist/bundles.ts), the space also holds the compact bin matrix: the kernel builds
 * from it, readRegion expands its histograms to the features', and partitions read it (bundledCut).
 */
import { type BinArray, MISSING_BIN } from "../models/hist/binning.js";
import { type Bundling, bundledCut, copySpans, expandBundles } from "../models/hist/bundles.js";
import { histStrideOf, reachableBins, reachableSpans } from "../models/hist/histogram.js";
import { instantiate, kernelModule, wasm } from "./load.js";
import { HIST_BUILD_WASM } from "./wasm/hist-build.js";
import { HIST_BUILD_WIDE_WASM } from "./wasm/hist-build-wide.js";

const PAGE = 65536;
/** Largest memory a space may take (wasm32 addresses; more rows fall back to the JS loop). */
const MAX_BYTES = 2 ** 31;
/**
 * Bytes of one feature in a kernel region: its bins (256 for uint8 bins) × 2 f64 and 16 bytes of padding,
 * so that bin b of neighbouring features is not at the same address modulo 4096 (the kernel's source says
 * why).
 */
function featureBytes(missing: number): number {
  return histStrideOf(missing) * 8 + 16;
}
/**
 * Cells of a span, at most, zeroed and copied by a loop: longer spans go to the builtins (memset, memcpy),
 * 6–7× faster than a loop over a 255-bin feature, whose call costs more than a loop over a few cells.
 */
const BULK_CELLS = 64;

/** Where the parts of a space start, in bytes. */
export interface HistLayout {
  rows: number;
  stride: number;
  /** The missing bin: MISSING_BIN for uint8 bins, above it for uint16 bins (the wide kernel). */
  missing: number;
  /** Bytes per bin: 1 or 2. */
  binBytes: number;
  /** Bytes per feature in a histogram region (featureBytes). */
  featureBytes: number;
  binsAt: number;
  ghAt: number;
  rowsAt: number;
  /**
   * The column-major copy of the bins (stride × rows; of the compact matrix, bundledStride × rows, when
   * there is one), or −1 when there is none.
   */
  columnsAt: number;
  /**
   * The compact bin matrix of a bundling (rows × bundledStride, uint8; models/hist/bundles.ts), which the
   * histograms are built from, or −1 when there is none.
   */
  bundledAt: number;
  bundledStride: number;
  scratchAt: number;
  /** sideBytes per side slot (one slot per node partitioned at once): 1 for each bin a split sends left. */
  sidesAt: number;
  sideSlots: number;
  /** Bytes of a side slot: missing + 1, rounded up to 16. */
  sideBytes: number;
  /** A u16 per row (HistSpace.marks: the leaf node a row ends in) and a u16 per bin (mark's node of a bin). */
  marksAt: number;
  markNodesAt: number;
  histAt: number;
  /** Histogram regions (one per thread). */
  regions: number;
}

/**
 * Signature of `build`: (bins, stride, gh, rowsFrom, count, hist, featureBytes, features) byte offsets and
 * counts; the uint8 kernel's regions have a fixed feature size and it ignores featureBytes; it builds the
 * first `features` features of each row (0: all of the stride; the wide kernel builds all).
 */
type Build = (
  bins: number,
  stride: number,
  gh: number,
  rowsFrom: number,
  count: number,
  hist: number,
  featureBytes: number,
  features: number,
) => void;
/**
 * Signature of `partition`: (feature's first bin, step between rows, rowsFrom, count, scratch, sides, back) →
 * rows sent left. Moves them to the front of rows[from..), in order; the rest go to scratch, in order, and
 * when back is 1 are copied from there after the left rows (a wasm memory.copy: a TypedArray set on the
 * shared memory copies an element at a time).
 */
type Partition = (
  bins: number,
  step: number,
  rowsFrom: number,
  count: number,
  scratch: number,
  sides: number,
  back: number,
) => number;
/**
 * Signature of `mark` (the uint8 kernel only): (feature's first bin, step between rows, rowsFrom, count,
 * marks, nodes): marks[row] = nodes[bin] (u16s) for each listed row.
 */
type Mark = (
  bins: number,
  step: number,
  rowsFrom: number,
  count: number,
  marks: number,
  nodes: number,
) => void;
interface Kernels {
  build: Build;
  partition: Partition;
  mark?: Mark;
  /** list(rowsFrom, count): the row list 0..count − 1 written at rowsFrom. */
  list: (rowsFrom: number, count: number) => void;
  /** transpose(bins, stride, count, columns) (the uint8 kernel only): the column-major copy of a matrix. */
  transpose?: (bins: number, stride: number, count: number, columns: number) => void;
}

/** The memory a `HistSpace` is built on, shared so workers can instantiate the kernel over it too. */
export interface HistMemory {
  buffer: SharedArrayBuffer;
}

/**
 * Bins (n × stride, uint8 or uint16), interleaved gradients and hessians (2n f64) and the row list (n i32)
 * of one fit, in WebAssembly memory, and the kernel that builds a node's histogram from them.
 */
export class HistSpace {
  readonly bins: BinArray;
  readonly gh: Float64Array;
  readonly rows: Int32Array;
  /** The column-major copy of the bins (faster partitions), when the layout has one. */
  readonly columns: BinArray | null;
  /** Per row, a u16 mark (markRows: the leaf node a row ends in, for the booster). */
  readonly marks: Uint16Array;
  /** The compact bin matrix of a bundling, when the layout has one (filled by the caller, see useBundles). */
  readonly bundled: Uint8Array | null;
  /** The bundling the histograms are built with (useBundles), or null. */
  bundling: Bundling | null = null;
  /** The compiled kernel this space runs (workers instantiate it over the same memory). */
  readonly module: object;
  private readonly sides: Uint8Array;
  private readonly markNodes: Uint16Array;
  private readonly f64: Float64Array;
  private readonly kernels: Kernels;
  /** Reachable cells, as [from, to) pairs: in a region, and in the plain layout. */
  private regionSpans: Int32Array;
  private plainSpans: Int32Array;
  /** With a bundling: the cells builds zero (its columns' reachable cells), in a region. */
  private zeroSpans: Int32Array | null = null;
  /** The real features of a row of the bins, the stride's padding after them (useFeatures; 0: unknown). */
  private features = 0;

  constructor(
    readonly memory: HistMemory,
    readonly layout: HistLayout,
  ) {
    const { rows: n, stride, missing } = layout;
    const buffer = memory.buffer;
    const Bins: new (b: ArrayBufferLike, at: number, length: number) => BinArray =
      layout.binBytes === 2 ? Uint16Array : Uint8Array;
    this.bins = new Bins(buffer, layout.binsAt, n * stride);
    this.gh = new Float64Array(buffer, layout.ghAt, 2 * n);
    this.rows = new Int32Array(buffer, layout.rowsAt, n);
    // With a compact matrix, the copy is of its columns (uint8).
    this.columns =
      layout.columnsAt < 0
        ? null
        : layout.bundledAt >= 0
          ? new Uint8Array(buffer, layout.columnsAt, n * layout.bundledStride)
          : new Bins(buffer, layout.columnsAt, n * stride);
    this.bundled =
      layout.bundledAt >= 0 ? new Uint8Array(buffer, layout.bundledAt, n * layout.bundledStride) : null;
    this.marks = new Uint16Array(buffer, layout.marksAt, n);
    this.markNodes = new Uint16Array(buffer, layout.markNodesAt, missing + 1);
    this.sides = new Uint8Array(buffer, layout.sidesAt, layout.sideBytes * layout.sideSlots);
    this.f64 = new Float64Array(buffer);
    this.module = (missing > MISSING_BIN ? histWideModule : histModule)();
    this.kernels = instantiate<Kernels>(this.module, memory);
    this.regionSpans = reachableSpans(null, stride, layout.featureBytes / 8, missing);
    this.plainSpans = reachableSpans(null, stride, histStrideOf(missing), missing);
  }

  /**
   * The histogram region of thread `region` (0 = this one), as the kernel leaves it: feature f's bins at
   * f · featureBytes / 8 (padded; `readRegion` gives the plain layout).
   */
  region(region: number): Float64Array {
    const size = (this.layout.stride * this.layout.featureBytes) / 8;
    const at = (this.layout.histAt >>> 3) + region * size;
    return this.f64.subarray(at, at + size);
  }

  /**
   * Only these cells of each histogram are zeroed, copied and added from now on (reachableBins; all of them
   * until this is called). The other cells of the histograms given to buildInto and readRegion stay as
   * they are: zero when every writer keeps to the same cells.
   */
  useReachable(reach: Int32Array): void {
    const { stride, missing, featureBytes } = this.layout;
    this.regionSpans = reachableSpans(reach, stride, featureBytes / 8, missing);
    this.plainSpans = reachableSpans(reach, stride, histStrideOf(missing), missing);
  }

  /**
   * From now on, histograms are built from the compact matrix (`bundled`, which must hold bundleBins of the
   * bins) and expanded into the plain layout by readRegion. Call after useReachable.
   */
  useBundles(b: Bundling, reach: Int32Array): void {
    const { missing, featureBytes, bundledStride, stride } = this.layout;
    if (this.bundled === null || b.stride !== bundledStride || missing !== MISSING_BIN)
      throw new Error("useBundles: the space has no compact matrix of this stride");
    this.bundling = b;
    this.zeroSpans = reachableSpans(reachableBins(b.columnBins, b.stride), b.stride, featureBytes / 8);
    const copy = copySpans(b, reach, stride, featureBytes / 8, histStrideOf(missing), missing);
    this.regionSpans = copy.region;
    this.plainSpans = copy.plain;
  }

  /**
   * Rows of the bins have p real features, the rest of the stride is padding (bin 0 in every row): builds
   * leave the padding features' histograms at zero from now on (nothing reads them; see the kernel's build).
   */
  useFeatures(p: number): void {
    this.features = p;
  }

  /** The leading features of each row of buildSource that builds add up (0: all of its stride). */
  get buildFeatures(): number {
    return this.bundling ? 0 : this.features;
  }

  /** The cells of a region that builds reach and zero, as [from, to) pairs (the region layout). */
  get buildSpans(): Int32Array {
    return this.zeroSpans ?? this.regionSpans;
  }

  /**
   * The cells readRegion copies as they are, index for index: in a region and in the plain layout (with a
   * bundling, the unbundled features'; the members are expanded).
   */
  get copyRegionSpans(): { region: Int32Array; plain: Int32Array } {
    return { region: this.regionSpans, plain: this.plainSpans };
  }

  /** Byte address and stride of the matrix histograms are built from (the compact one with a bundling). */
  get buildSource(): { at: number; stride: number } {
    const l = this.layout;
    return this.bundling ? { at: l.bundledAt, stride: l.bundledStride } : { at: l.binsAt, stride: l.stride };
  }

  /** hist (the plain layout, f · histStrideOf(missing)) = region `region`, or += it when `add`. */
  readRegion(region: number, hist: Float64Array, add = false): void {
    const from = this.region(region);
    if (this.bundling) {
      const { missing, featureBytes, stride } = this.layout;
      const cells = histStrideOf(missing);
      expandBundles(hist, 0, cells, from, 0, featureBytes / 8, this.bundling.plan, 0, stride, missing, add);
    }
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
    const spans = this.buildSpans;
    for (let s = 0; s < spans.length; s += 2) {
      if (spans[s + 1] - spans[s] > BULK_CELLS) hist.fill(0, spans[s], spans[s + 1]);
      else for (let k = spans[s]; k < spans[s + 1]; k++) hist[k] = 0;
    }
    const { layout } = this;
    const at = layout.histAt + region * layout.stride * layout.featureBytes;
    const { ghAt, rowsAt } = layout;
    const { at: binsAt, stride } = this.buildSource;
    const from = rowsAt + 4 * start;
    this.kernels.build(binsAt, stride, ghAt, from, end - start, at, layout.featureBytes, this.buildFeatures);
  }

  /**
   * Stable partition of rows[start..end) by feature f on this thread (side slot 0): rows whose bin has
   * sides[bin] = 1 first. Returns how many went left. The fit's partitions run the same kernel call in
   * NodeThreads' task (models/hist/threads.ts), in parts on every thread; this is the one-call form.
   */
  partition(start: number, end: number, f: number, sides: Uint8Array): number {
    const cut = this.bundling ? bundledCut(this.bundling, f, sides) : { column: f, sides };
    this.setSides(cut.sides);
    const l = this.layout;
    const { first, step } = partitionSource(l, cut.column, this.bundling !== null);
    const nLeft = this.kernels.partition(
      first,
      step,
      l.rowsAt + 4 * start,
      end - start,
      l.scratchAt + 4 * start,
      l.sidesAt,
      1,
    );
    return nLeft;
  }

  /**
   * marks[i] = left or right (sides[bin] = 1: left) for the rows i of rows[start..end), by feature f's bin
   * (the kernel's mark; uint8 bins only: canMark), as a partition by f with these sides would send them.
   */
  markRows(start: number, end: number, f: number, sides: Uint8Array, left: number, right: number): void {
    const cut = this.bundling ? bundledCut(this.bundling, f, sides) : { column: f, sides };
    const nodes = this.markNodes;
    for (let b = 0; b < nodes.length; b++) nodes[b] = cut.sides[b] === 1 ? left : right;
    const l = this.layout;
    const { first, step } = partitionSource(l, cut.column, this.bundling !== null);
    (this.kernels.mark as Mark)(first, step, l.rowsAt + 4 * start, end - start, l.marksAt, l.markNodesAt);
  }

  /**
   * Fills `columns` (when the layout has them) from the matrix they copy, the compact one when there is one
   * (after bundleBins), in the kernel; returns them, or null where the kernel has no transpose (uint16 bins).
   */
  fillColumns(): BinArray | null {
    const { columns, layout: l } = this;
    const transpose = this.kernels.transpose;
    if (columns === null || transpose === undefined) return null;
    const [at, stride] = l.bundledAt >= 0 ? [l.bundledAt, l.bundledStride] : [l.binsAt, l.stride];
    transpose(at, stride, l.rows, l.columnsAt);
    return columns;
  }

  /** rows[0..n) = 0..n − 1 (in the kernel: a loop here over the shared memory was 5–10× slower). */
  listRows(n: number): void {
    this.kernels.list(this.layout.rowsAt, n);
  }

  /** Whether markRows is there (uint8 bins). */
  get canMark(): boolean {
    return this.kernels.mark !== undefined;
  }

  /** The bins the next partitions with this side slot send left (1 each). */
  setSides(sides: Uint8Array, slot = 0): void {
    this.sides.set(sides, this.layout.sideBytes * slot);
  }

  /** Builds rows rows[start..end) into hist (as buildHistogram does). */
  buildInto(start: number, end: number, hist: Float64Array): void {
    this.buildRegion(0, start, end);
    this.readRegion(0, hist);
  }
}

/**
 * Where a partition by column f reads its bins: the first one's byte address and the step between rows. From
 * the column-major copy when there is one, else the row-major bins; with a bundling (`bundled`), f is a
 * column of the compact matrix (bundledCut), read there.
 */
export function partitionSource(l: HistLayout, f: number, bundled: boolean): { first: number; step: number } {
  const bytes = bundled ? 1 : l.binBytes;
  if (l.columnsAt >= 0) return { first: l.columnsAt + f * l.rows * bytes, step: 1 };
  return bundled
    ? { first: l.bundledAt + f, step: l.bundledStride }
    : { first: l.binsAt + f * bytes, step: l.stride };
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
 * A space for n rows of `stride` bins (a multiple of 4) with `regions` histogram regions and `sideSlots`
 * side tables, or null where WebAssembly's shared memory is missing or the data would not fit in it.
 * @param missing - the bin mapper's missing bin (missingBin): above MISSING_BIN, bins are uint16
 * @param bundledStride - row stride of a compact matrix of bundled bins (uint8 only; 0: none)
 */
export function createHistSpace(
  n: number,
  stride: number,
  regions = 1,
  columns = false,
  sideSlots = 1,
  missing = MISSING_BIN,
  bundledStride = 0,
): HistSpace | null {
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const binBytes = missing > MISSING_BIN ? 2 : 1;
  const binsBytes = n * stride * binBytes;
  const binsAt = 0;
  const ghAt = align(binsBytes);
  const rowsAt = align(ghAt + 16 * n);
  const scratchAt = align(rowsAt + 4 * n);
  const sidesAt = align(scratchAt + 4 * n);
  const sideBytes = align(missing + 1);
  const marksAt = align(sidesAt + sideBytes * sideSlots);
  const markNodesAt = align(marksAt + 2 * n);
  const afterMarks = align(markNodesAt + 2 * (missing + 1));
  const columnsAt = columns ? afterMarks : -1;
  const columnsBytes = bundledStride > 0 ? n * bundledStride : binsBytes;
  const afterColumns = align(columns ? columnsAt + columnsBytes : afterMarks);
  const bundledAt = bundledStride > 0 ? afterColumns : -1;
  const histAt = align(bundledStride > 0 ? bundledAt + n * bundledStride : afterColumns);
  const bytes = histAt + regions * stride * featureBytes(missing);
  if (
    bytes > MAX_BYTES ||
    stride % 4 !== 0 ||
    bundledStride % 4 !== 0 ||
    typeof SharedArrayBuffer === "undefined"
  )
    return null;
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
  const layout = {
    rows: n,
    stride,
    missing,
    binBytes,
    featureBytes: featureBytes(missing),
    binsAt,
    ghAt,
    rowsAt,
    columnsAt,
    bundledAt,
    bundledStride,
    scratchAt,
    sidesAt,
    sideSlots,
    sideBytes,
    marksAt,
    markNodesAt,
    histAt,
    regions,
  };
  return new HistSpace(memory, layout);
}

/** The compiled kernel modules (./wat/hist-build*.wat; compiled once, workers receive one with the memory). */
export const histModule = kernelModule(HIST_BUILD_WASM);
const histWideModule = kernelModule(HIST_BUILD_WIDE_WASM);
