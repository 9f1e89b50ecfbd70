/**
 * The histogram-building kernel of the histogram GBDT, in WebAssembly: for each of a node's rows, its
 * (gradient, hessian) pair is added as one f64x2 lane pair into the row's bin of every feature. Rows are
 * taken in order, so each bin sums the same numbers in the same order as the JS loop (identical results);
 * what is saved is V8's bounds check per typed-array load and half the additions (two lanes at once).
 *
 * The bins, gradients and row list live in one shared WebAssembly memory (a `HistSpace`), followed by one
 * histogram region per thread, so worker threads run the same kernel on the same data.
 */
import { HIST_STRIDE } from "../models/hist/histogram.js";
import {
  code,
  get,
  I32,
  i32Const,
  moduleBinary,
  OP,
  set,
  tee,
  uleb,
  V128,
  v128Load,
  v128Store,
  wasm,
} from "./wasm.js";

const PAGE = 65536;
/** Largest memory a space may take (wasm32 addresses; more rows fall back to the JS loop). */
const MAX_BYTES = 2 ** 31;
/** Bytes of one feature's bins in a histogram (256 bins × 2 f64). */
const FEATURE_BYTES = HIST_STRIDE * 8;

/** Instruction bytes not named in wasm.ts. */
const I32_EQZ = [0x45];
const I32_LT_U = [0x49];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_SHR_U = [0x76];
const i32Store = (offset: number) => [0x36, 2, ...uleb(offset)];
const i32Load = (offset: number) => [0x28, 2, ...uleb(offset)];
const i32Load8u = (offset: number) => [0x2d, 0, ...uleb(offset)];
const F64X2_ADD = OP.add;

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
  }

  /** The histogram region of thread `region` (0 = this one), as the kernel leaves it. */
  region(region: number): Float64Array {
    const size = this.layout.stride * HIST_STRIDE;
    const at = (this.layout.histAt >>> 3) + region * size;
    return this.f64.subarray(at, at + size);
  }

  /** Builds rows rows[start..end) into the region of thread `region` (zeroed first), and returns it. */
  buildRegion(region: number, start: number, end: number): Float64Array {
    const hist = this.region(region);
    hist.fill(0);
    const { layout } = this;
    const at = layout.histAt + region * layout.stride * FEATURE_BYTES;
    this.kernels.build(layout.binsAt, layout.stride, layout.ghAt, layout.rowsAt + 4 * start, end - start, at);
    return hist;
  }

  /**
   * Stable partition of rows[start..end) by feature f: rows whose bin has sides[bin] = 1 first. Returns
   * how many went left.
   */
  partition(start: number, end: number, f: number, sides: Uint8Array): number {
    const { layout } = this;
    const n = layout.rows;
    this.sides.set(sides);
    const first = layout.columnsAt >= 0 ? layout.columnsAt + f * n : layout.binsAt + f;
    const step = layout.columnsAt >= 0 ? 1 : layout.stride;
    const from = layout.rowsAt + 4 * start;
    const nLeft = this.kernels.partition(first, step, from, end - start, layout.scratchAt, layout.sidesAt);
    this.rows.set(this.scratch.subarray(0, end - start - nLeft), start + nLeft);
    return nLeft;
  }

  /** Builds rows rows[start..end) into hist (as buildHistogram does). */
  buildInto(start: number, end: number, hist: Float64Array): void {
    hist.set(this.buildRegion(0, start, end));
  }
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

let compiled: object | undefined;

/** The compiled kernel module (compiled once; workers receive it with the memory). */
export function histModule(): object {
  compiled ??= new wasm.Module(kernelBinary());
  return compiled;
}

function instantiate(memory: HistMemory): Kernels {
  return new wasm.Instance(histModule(), { env: { memory } }).exports as Kernels;
}

/** Parameters and locals of `build`, by index. */
const BINS = 0;
const STRIDE = 1;
const GH = 2;
const ROWS = 3;
const COUNT = 4;
const HIST = 5;
const ROW_BINS = 6;
const ROW_END = 7;
const HP = 8;
const AT = 9;
const GV = 10;

/** Feature j of a group of four: hist[bin] += (g, h), the bin's pair read and written as one v128. */
function addFeature(j: number): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    get(HP), get(ROW_BINS), i32Load8u(j), i32Const(4), I32_SHL, OP.i32Add, tee(AT),
    get(AT), v128Load(j * FEATURE_BYTES), get(GV), F64X2_ADD, v128Store(j * FEATURE_BYTES),
  );
}

/** The row loop: for each row, its (g, h) pair into every feature's bin, four features per step. */
function buildBody(): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    OP.block, OP.loop,
    get(COUNT), I32_EQZ, OP.brIf, [1],
    get(GH), get(ROWS), i32Load(0), i32Const(4), I32_SHL, OP.i32Add, v128Load(0), set(GV),
    get(ROWS), i32Load(0), get(STRIDE), I32_MUL, get(BINS), OP.i32Add, tee(ROW_BINS),
    get(STRIDE), OP.i32Add, set(ROW_END),
    get(HIST), set(HP),
    OP.loop,
    addFeature(0), addFeature(1), addFeature(2), addFeature(3),
    get(HP), i32Const(4 * FEATURE_BYTES), OP.i32Add, set(HP),
    get(ROW_BINS), i32Const(4), OP.i32Add, tee(ROW_BINS), get(ROW_END), I32_LT_U, OP.brIf, [0],
    OP.end,
    get(ROWS), i32Const(4), OP.i32Add, set(ROWS),
    get(COUNT), i32Const(1), OP.i32Sub, set(COUNT),
    OP.br, [0],
    OP.end, OP.end,
  );
}

/** Parameters and locals of `partition`, by index. */
const P_BINS = 0;
const P_STEP = 1;
const P_ROWS = 2;
const P_COUNT = 3;
const P_SCRATCH = 4;
const P_SIDES = 5;
const P_WRITE = 6;
const P_END = 7;
const P_ROW = 8;
const P_LEFT = 9;

/** Each row to rows[write] and scratch[right]; the side (0 or 1) advances one of them, without a branch. */
function partitionBody(): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    get(P_ROWS), set(P_WRITE),
    get(P_ROWS), get(P_COUNT), i32Const(2), I32_SHL, OP.i32Add, set(P_END),
    OP.block, OP.loop,
    get(P_ROWS), get(P_END), OP.i32GeU, OP.brIf, [1],
    get(P_ROWS), i32Load(0), set(P_ROW),
    get(P_SIDES), get(P_BINS), get(P_ROW), get(P_STEP), I32_MUL, OP.i32Add, i32Load8u(0), OP.i32Add,
    i32Load8u(0), i32Const(2), I32_SHL, set(P_LEFT),
    get(P_WRITE), get(P_ROW), i32Store(0),
    get(P_SCRATCH), get(P_ROW), i32Store(0),
    get(P_WRITE), get(P_LEFT), OP.i32Add, set(P_WRITE),
    get(P_SCRATCH), i32Const(4), OP.i32Add, get(P_LEFT), OP.i32Sub, set(P_SCRATCH),
    get(P_ROWS), i32Const(4), OP.i32Add, set(P_ROWS),
    OP.br, [0],
    OP.end, OP.end,
    get(P_WRITE), get(P_END), get(P_COUNT), i32Const(2), I32_SHL, OP.i32Sub, OP.i32Sub, i32Const(2), I32_SHR_U,
  );
}

/** A module over a shared env.memory, exporting `build` and `partition`. */
function kernelBinary(): Uint8Array {
  return moduleBinary({
    params: [I32, I32, I32, I32, I32, I32],
    shared: true,
    functions: [
      {
        name: "build",
        result: null,
        locals: [
          [4, I32],
          [1, V128],
        ],
        code: buildBody(),
      },
      { name: "partition", result: I32, locals: [[4, I32]], code: partitionBody() },
    ],
  });
}
