/**
 * The MLP's forward pass as a WebAssembly SIMD kernel: each dense layer is computed in tiles of 4 rows ×
 * 4 units (two f64x2 lanes per row). Every output keeps the scalar loop's arithmetic exactly: the network's
 * dot product sums k ≡ 0, 1, 2, 3 (mod 4) in four accumulators (the tail into the first) and returns
 * b + (((s0 + s1) + s2) + s3). Here the kernel runs one pass per accumulator over its k's, adding each
 * pass into the output tile in the same order, so predictions equal the training-time forward bit for bit.
 */
import { instantiate, kernelModule, wasm } from "./load.js";
import { MLP_FORWARD_WASM } from "./wasm/mlp-forward.js";

/** Rows per kernel tile, and units per tile (two f64x2 lanes). */
const TILE_ROWS = 4;
const TILE_UNITS = 4;
/** Rows per chunk pushed through all layers (a multiple of TILE_ROWS). */
const CHUNK = 256;

/** The kernel (source: ./wat/mlp-forward.wat), compiled on first use. */
const mlpKernelModule = kernelModule(MLP_FORWARD_WASM);

/**
 * layer(a, aStride, aEnd, w, b, z, zStride, unitBytes, n4Bytes, nBytes, relu): one dense layer over the
 * input rows [a, aEnd) (byte addresses in the kernel's memory; see the .wat for the layout).
 */
type LayerKernel = (...args: number[]) => void;

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
  private readonly layer: LayerKernel;

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
    this.layer = instantiate<{ layer: LayerKernel }>(mlpKernelModule(), memory).layer;
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
    this.layer(
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
      relu ? 1 : 0,
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
