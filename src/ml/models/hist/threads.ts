/**
 * Histogram building on several threads (the `threads` option of the histogram models): the bin matrix,
 * the gradients and the row list live in SharedArrayBuffers; for a large node, each worker sums its share
 * of the rows into its own histogram while this thread sums the first share, then the shares are added.
 * Workers wait on Atomics (no message passing per node), so a node costs a wake-up and a merge of
 * stride × 512 numbers. Fitting stays synchronous: this thread blocks with Atomics.wait, which Node allows.
 */
import { Worker } from "node:worker_threads";
import { type HistSpace, histModule } from "../../kernels/hist-build.js";
import { buildHistogram, HIST_STRIDE } from "./histogram.js";

/** Below this many rows a node is built on this thread alone (waking workers costs more). */
export const PARALLEL_MIN_ROWS = 32_768;

/** Control words per worker: generation, start, end, done generation, stop flag. */
const GEN = 0;
const START = 1;
const END = 2;
const DONE = 3;
const STOP = 4;

// A self-contained CommonJS script (eval: true), so it runs the same from source, tsx or a bundle.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { control, bins, gh, rows, hist, stride, kernel } = workerData;
// With the WebAssembly kernel: the same module over the same shared memory, into this worker's region.
const wasmBuild = kernel
  ? new WebAssembly.Instance(kernel.module, { env: { memory: kernel.memory } }).exports.build
  : null;
const words = stride >>> 2;
const bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.byteLength >>> 2);
let seen = 0;
for (;;) {
  Atomics.wait(control, ${GEN}, seen);
  seen = Atomics.load(control, ${GEN});
  if (Atomics.load(control, ${STOP}) === 1) break;
  const start = control[${START}];
  const end = control[${END}];
  hist.fill(0, 0, stride * ${HIST_STRIDE});
  if (wasmBuild) {
    const l = kernel.layout;
    wasmBuild(l.binsAt, stride, l.ghAt, l.rowsAt + 4 * start, end - start, kernel.histAt);
  } else for (let k = start; k < end; k++) {
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
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

/** Typed arrays over shared memory. */
export function shared<T extends Uint8Array | Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(8, length * Kind.BYTES_PER_ELEMENT)));
}

interface Helper {
  worker: Worker;
  control: Int32Array;
  hist: Float64Array;
}

export class HistogramThreads {
  private readonly helpers: Helper[];

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
  ) {
    this.helpers = Array.from({ length: Math.max(0, threads - 1) }, (_, k) => {
      const control = shared(Int32Array, 8);
      const hist = space ? space.region(k + 1) : shared(Float64Array, stride * HIST_STRIDE);
      const kernel = space && {
        module: histModule(),
        memory: space.memory,
        layout: space.layout,
        histAt: hist.byteOffset,
      };
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control, bins, gh, rows, hist, stride, kernel },
      });
      worker.unref();
      return { worker, control, hist };
    });
  }

  /** Builds the histogram of rows rows[start..end) (of the shared row list) into hist. */
  build(start: number, end: number, hist: Float64Array): void {
    const n = end - start;
    const parts = this.helpers.length + 1;
    if (parts === 1 || n < PARALLEL_MIN_ROWS) {
      this.buildHere(start, end, hist);
      return;
    }
    const share = Math.ceil(n / parts);
    const gens = this.helpers.map((h, k) => {
      const from = start + share * (k + 1);
      h.control[START] = from;
      h.control[END] = Math.min(end, from + share);
      const gen = Atomics.add(h.control, GEN, 1) + 1;
      Atomics.notify(h.control, GEN);
      return gen;
    });
    this.buildHere(start, Math.min(end, start + share), hist);
    const size = this.stride * HIST_STRIDE;
    this.helpers.forEach((h, k) => {
      while (Atomics.load(h.control, DONE) !== gens[k])
        Atomics.wait(h.control, DONE, Atomics.load(h.control, DONE));
      for (let i = 0; i < size; i++) hist[i] += h.hist[i];
    });
  }

  /** This thread's part. */
  private buildHere(start: number, end: number, hist: Float64Array): void {
    if (this.space) this.space.buildInto(start, end, hist);
    else buildHistogram(this.bins, this.stride, this.gh, this.rows, start, end, hist);
  }

  /** Stops the workers (they exit after their current node). */
  close(): void {
    for (const h of this.helpers) {
      Atomics.store(h.control, STOP, 1);
      Atomics.add(h.control, GEN, 1);
      Atomics.notify(h.control, GEN);
      void h.worker.terminate();
    }
  }
}
