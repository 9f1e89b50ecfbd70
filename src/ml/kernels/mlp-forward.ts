/**
 * The MLP's forward pass as a WebAssembly SIMD kernel: each dense layer is computed in tiles of 4 rows ×
 * 4 units (two f64x2 lanes per row). Every output keeps the scalar loop's arithmetic exactly: the network's
 * dot product sums k ≡ 0, 1, 2, 3 (mod 4) in four accumulators (the tail into the first) and returns
 * b + (((s0 + s1) + s2) + s3). Here the kernel runs one pass per accumulator over its k's, adding each
 * pass into the output tile in the same order, so predictions equal the training-time forward bit for bit.
 */
import {
  code,
  f64Splat,
  get,
  I32,
  i32Const,
  moduleBinary,
  OP,
  set,
  tee,
  V128,
  v128Load,
  v128Store,
  wasm,
} from "./wasm.js";

/** Rows per kernel tile, and units per tile (two f64x2 lanes). */
const TILE_ROWS = 4;
const TILE_UNITS = 4;
/** Rows per chunk pushed through all layers (a multiple of TILE_ROWS). */
const CHUNK = 256;

// Instruction bytes not in wasm.ts (WebAssembly core spec and SIMD proposal).
const I32_LT_U = [0x49];
const F64X2_MAX = [0xfd, 0xf5, 0x01];

// Parameters of the layer kernel, by index.
const A = 0; // first input row (byte address); rows are ASTRIDE bytes apart
const ASTRIDE = 1;
const AEND = 2; // address past the last (padded) input row
const W = 3; // transposed weights: row k holds the padded units' weights for input k
const B = 4; // padded biases
const Z = 5; // first output row; rows are ZSTRIDE bytes apart
const ZSTRIDE = 6;
const UNIT_BYTES = 7; // padded units × 8
const N4_BYTES = 8; // inputs in the four-way part of the dot product (nIn rounded down to 4) × 8
const N_BYTES = 9; // inputs × 8
const PARAMS = 10;
// Locals.
const ROW = 10; // 10..13: the tile's four input rows
const OUT = 14; // 14..17: the tile's four output rows
const U = 18;
const AOFF = 19; // input k × 8
const WAT = 20; // address of weight row k at the tile's units
const acc = (i: number, h: number) => 21 + 2 * i + h;
const W0 = 29;
const W1 = 30;
const Q = 31;
const PAIRS: Array<[number, number]> = [0, 1, 2, 3].flatMap((i) => [[i, 0] as [number, number], [i, 1]]);

/**
 * One accumulator pass m over k = m, m + 4, … below N4 (pass 0 then on through the tail, as the scalar
 * dot product does), then its sums added into the output tile.
 */
function pass(m: number, relu: boolean): number[] {
  const step = (i: number) =>
    // biome-ignore format: one line per instruction group
    code(
      get(ROW + i), get(AOFF), OP.i32Add, f64Splat(0), set(Q),
      get(acc(i, 0)), get(Q), get(W0), OP.mul, OP.add, set(acc(i, 0)),
      get(acc(i, 1)), get(Q), get(W1), OP.mul, OP.add, set(acc(i, 1)),
    );
  const outAddr = (i: number) => code(get(OUT + i), get(U), OP.i32Add);
  const combine = ([i, h]: [number, number]) => {
    if (m === 0) return code(outAddr(i), get(acc(i, h)), v128Store(16 * h));
    const sum = code(outAddr(i), outAddr(i), v128Load(16 * h), get(acc(i, h)), OP.add);
    if (m < 3) return code(sum, v128Store(16 * h));
    const bias = code(get(B), get(U), OP.i32Add, v128Load(16 * h), OP.add);
    return code(sum, bias, relu ? code(OP.zero, F64X2_MAX) : [], v128Store(16 * h));
  };
  // k runs while AOFF < end, AOFF stepping by kStep × 8 and WAT by kStep weight rows.
  const run = (end: number, kStep: number) =>
    // biome-ignore format: one line per instruction group
    code(
      OP.block,
      get(AOFF), get(end), OP.i32GeU, OP.brIf, [0],
      OP.loop,
      get(WAT), v128Load(0), set(W0), get(WAT), v128Load(16), set(W1),
      ...[0, 1, 2, 3].map(step),
      ...new Array(kStep).fill(code(get(WAT), get(UNIT_BYTES), OP.i32Add, set(WAT))),
      get(AOFF), i32Const(8 * kStep), OP.i32Add, tee(AOFF), get(end), I32_LT_U, OP.brIf, [0],
      OP.end,
      OP.end,
    );
  // biome-ignore format: one line per instruction group
  return code(
    ...PAIRS.map(([i, h]) => code(OP.zero, set(acc(i, h)))),
    i32Const(8 * m), set(AOFF),
    get(W), get(U), OP.i32Add, ...new Array(m).fill(code(get(UNIT_BYTES), OP.i32Add)), set(WAT),
    run(N4_BYTES, 4),
    m === 0 ? run(N_BYTES, 1) : [],
    ...PAIRS.map(combine),
  );
}

function layerBody(relu: boolean): number[] {
  const rowPointers = (first: number, base: number, stride: number) =>
    code(
      get(base),
      set(first),
      ...[1, 2, 3].map((i) => code(get(first + i - 1), get(stride), OP.i32Add, set(first + i))),
    );
  // biome-ignore format: one line per instruction group
  return code(
    OP.block, OP.loop,
    get(A), get(AEND), OP.i32GeU, OP.brIf, [1],
    rowPointers(ROW, A, ASTRIDE), rowPointers(OUT, Z, ZSTRIDE),
    i32Const(0), set(U),
    OP.block, OP.loop,
    get(U), get(UNIT_BYTES), OP.i32GeU, OP.brIf, [1],
    pass(0, relu), pass(1, relu), pass(2, relu), pass(3, relu),
    get(U), i32Const(8 * TILE_UNITS), OP.i32Add, set(U),
    OP.br, [0],
    OP.end, OP.end,
    get(ROW + 3), get(ASTRIDE), OP.i32Add, set(A),
    get(OUT + 3), get(ZSTRIDE), OP.i32Add, set(Z),
    OP.br, [0],
    OP.end, OP.end,
  );
}

let compiled: object | undefined;

function kernelModule(): object {
  compiled ??= new wasm.Module(
    moduleBinary({
      params: new Array(PARAMS).fill(I32),
      functions: [
        { name: "linear", locals: kernelLocals(), code: layerBody(false) },
        { name: "relu", locals: kernelLocals(), code: layerBody(true) },
      ],
    }),
  );
  return compiled;
}

function kernelLocals(): Array<[number, number]> {
  return [
    [11, I32],
    [11, V128],
  ];
}

type LayerKernel = (...args: number[]) => void;
interface Kernels {
  linear: LayerKernel;
  relu: LayerKernel;
}

/** Where one layer's data lives in the kernel's memory (byte addresses). */
interface LayerLayout {
  nIn: number;
  nOut: number;
  padded: number;
  weightsAt: number;
  biasAt: number;
  inAt: number;
  inStride: number;
  outAt: number;
}

const pad = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * Forward passes of one network shape: weights are (re)loaded with `load` before each use, since training
 * updates them in place between calls.
 */
export class MlpForwardKernel {
  private readonly layers: LayerLayout[] = [];
  private readonly f64: Float64Array;
  private readonly kernels: Kernels;

  constructor(readonly sizes: number[]) {
    let at = 0;
    const take = (bytes: number) => {
      const start = at;
      at += pad(bytes, 16);
      return start;
    };
    let inAt = take(CHUNK * sizes[0] * 8);
    let inStride = sizes[0] * 8;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const padded = pad(nOut, TILE_UNITS);
      const weightsAt = take(nIn * padded * 8);
      const biasAt = take(padded * 8);
      const outAt = take(CHUNK * padded * 8);
      this.layers.push({ nIn, nOut, padded, weightsAt, biasAt, inAt, inStride, outAt });
      inAt = outAt;
      inStride = padded * 8;
    }
    const memory = new wasm.Memory({ initial: Math.ceil(at / 65536) + 1 });
    this.f64 = new Float64Array(memory.buffer);
    this.kernels = new wasm.Instance(kernelModule(), { env: { memory } }).exports as unknown as Kernels;
  }

  /** Copies weights (W[l] unit-major, nOut × nIn) transposed and padded, and biases. */
  load(W: Float64Array[], b: Float64Array[]): void {
    const f64 = this.f64;
    this.layers.forEach((layer, l) => {
      const { nIn, nOut, padded } = layer;
      const wt = layer.weightsAt / 8;
      for (let k = 0; k < nIn; k++)
        for (let j = 0; j < nOut; j++) f64[wt + k * padded + j] = W[l][j * nIn + k];
      f64.set(b[l], layer.biasAt / 8);
    });
  }

  /**
   * Pre-activation outputs of the last layer for rows of X (row-major, sizes[0] columns) into out
   * (rows × last size); hidden layers apply ReLU in the kernel or `hidden` between layers.
   */
  run(
    X: Float64Array,
    rows: number,
    out: Float64Array,
    relu: boolean,
    hidden: (z: Float64Array) => void,
  ): void {
    const last = this.layers[this.layers.length - 1];
    const nIn = this.sizes[0];
    for (let start = 0; start < rows; start += CHUNK) {
      const n = Math.min(CHUNK, rows - start);
      const tiled = pad(n, TILE_ROWS);
      this.f64.set(X.subarray(start * nIn, (start + n) * nIn), this.layers[0].inAt / 8);
      this.layers.forEach((layer, l) => {
        const hiddenLayer = l < this.layers.length - 1;
        this.runLayer(layer, tiled, hiddenLayer && relu);
        if (hiddenLayer && !relu)
          hidden(this.f64.subarray(layer.outAt / 8, layer.outAt / 8 + tiled * layer.padded));
      });
      this.copyOut(last, n, out, start);
    }
  }

  private runLayer(layer: LayerLayout, rows: number, relu: boolean): void {
    const { nIn, inAt, inStride, weightsAt, biasAt, outAt, padded } = layer;
    const kernel = relu ? this.kernels.relu : this.kernels.linear;
    kernel(
      inAt,
      inStride,
      inAt + rows * inStride,
      weightsAt,
      biasAt,
      outAt,
      padded * 8,
      padded * 8,
      (nIn - (nIn % 4)) * 8,
      nIn * 8,
    );
  }

  private copyOut(layer: LayerLayout, n: number, out: Float64Array, start: number): void {
    const { nOut, padded, outAt } = layer;
    const from = outAt / 8;
    for (let r = 0; r < n; r++)
      for (let j = 0; j < nOut; j++) out[(start + r) * nOut + j] = this.f64[from + r * padded + j];
  }
}

/** Tile and chunk sizes, for tests that cover shapes not multiple of them. */
export const MLP_TILE = { rows: TILE_ROWS, units: TILE_UNITS, chunk: CHUNK };
