/**
 * Histogram building on several threads (the `threads` option of the histogram models): the bin matrix,
 * the gradients and the row list live in SharedArrayBuffers; for a large node, each worker sums its share
 * of the rows into its own histogram while this thread sums the first share, then the shares are added in
 * thread order (the same sums for the same thread count). The workers are a leased Crew
 * (src/ml/threads/pool.ts): no message passing per node, and a stuck worker fails the fit instead of
 * hanging it.
 */
import { type HistSpace, histModule } from "../../kernels/hist-build.js";
import { type Crew, leaseCrew, type PoolOptions } from "../../threads/pool.js";
import { buildHistogram, HIST_STRIDE } from "./histogram.js";

/**
 * The crossover: a node is shared between the threads when its build is at least this many bin updates
 * (rows × stride). Waking a worker costs about as much as 10⁴–10⁵ updates, so smaller nodes stay here.
 */
export const PARALLEL_MIN_WORK = 1 << 17;
/** Rows per helper below which merging the helpers' histograms (stride × 512 additions each) costs more. */
const MERGE_ROWS_PER_HELPER = 2048;

/** Rows from which a node of rows of `stride` bytes is built on `threads` threads. */
export function parallelMinRows(stride: number, threads = 2): number {
  return Math.max(Math.ceil(PARALLEL_MIN_WORK / stride), MERGE_ROWS_PER_HELPER * (threads - 1));
}

/** The task of worker k: rows [args[0], args[1]) of the shared row list into its own histogram. */
const BUILD_TASK = `(data, args) => {
  const { bins, gh, rows, hist, stride, kernel } = data;
  if (data.wasmBuild === undefined) {
    // With the WebAssembly kernel: the same module over the same shared memory, into this worker's region.
    data.wasmBuild = kernel
      ? new WebAssembly.Instance(kernel.module, { env: { memory: kernel.memory } }).exports.build
      : null;
    data.bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.byteLength >>> 2);
  }
  const start = args[0];
  const end = args[1];
  hist.fill(0);
  if (data.wasmBuild) {
    const l = kernel.layout;
    data.wasmBuild(l.binsAt, stride, l.ghAt, l.rowsAt + 4 * start, end - start, kernel.histAt);
    return;
  }
  const words = stride >>> 2;
  const bins32 = data.bins32;
  for (let k = start; k < end; k++) {
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
}`;

/** Typed arrays over shared memory. */
export function shared<T extends Uint8Array | Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(8, length * Kind.BYTES_PER_ELEMENT)));
}

export class HistogramThreads {
  private readonly pool: Crew;
  private readonly hists: Float64Array[];

  /**
   * @param threads - total threads, this one included
   * @param bins, gh, rows - backed by SharedArrayBuffers (see `shared`)
   */
  constructor(
    threads: number,
    private readonly bins: Uint8Array,
    private readonly stride: number,
    private readonly gh: Float64Array,
    private readonly rows: Int32Array,
    /** When given (with a region per thread), every thread builds with its WebAssembly kernel. */
    private readonly space: HistSpace | null = null,
    /** Rows below which a node is built here alone. */
    private readonly minRows = parallelMinRows(stride, threads),
    options: PoolOptions = {},
  ) {
    const helpers = Math.max(0, threads - 1);
    this.hists = Array.from({ length: helpers }, (_, k) =>
      space ? space.region(k + 1) : shared(Float64Array, stride * HIST_STRIDE),
    );
    const dataOf = (k: number) => {
      const hist = this.hists[k];
      const kernel = space && {
        module: histModule(),
        memory: space.memory,
        layout: space.layout,
        histAt: hist.byteOffset,
      };
      return { bins, gh, rows, hist, stride, kernel };
    };
    this.pool = leaseCrew(helpers, BUILD_TASK, dataOf, options);
  }

  /** Builds the histogram of rows rows[start..end) (of the shared row list) into hist. */
  build(start: number, end: number, hist: Float64Array): void {
    const n = end - start;
    const parts = this.pool.size + 1;
    if (parts === 1 || n < this.minRows) {
      this.buildHere(start, end, hist);
      return;
    }
    const share = Math.ceil(n / parts);
    this.pool.runAll(
      (k) => {
        const from = Math.min(end, start + share * (k + 1));
        return [from, Math.min(end, from + share)];
      },
      () => this.buildHere(start, Math.min(end, start + share), hist),
    );
    const { space } = this;
    const size = this.stride * HIST_STRIDE;
    this.hists.forEach((h, k) => {
      if (space) space.readRegion(k + 1, hist, true);
      else for (let i = 0; i < size; i++) hist[i] += h[i];
    });
  }

  /** This thread's part. */
  private buildHere(start: number, end: number, hist: Float64Array): void {
    if (this.space) this.space.buildInto(start, end, hist);
    else buildHistogram(this.bins, this.stride, this.gh, this.rows, start, end, hist);
  }

  /** Stops the workers. */
  close(): void {
    this.pool.close();
  }
}
