/**
 * The dense network behind the MLP models: flat row-major weight matrices, forward and backward passes on
 * mini-batches with preallocated buffers, and Adam updates (Kingma & Ba, "Adam: A Method for Stochastic
 * Optimization", ICLR 2015, in scikit-learn's form with the bias correction folded into the step size).
 */

import { dot } from "../../kernels/dot.js";
import { MlpForwardKernel } from "../../kernels/mlp-forward.js";
import type { Matrix } from "../../matrix.js";
import type { Random } from "../../random.js";

export type Activation = "relu" | "tanh" | "logistic";
export type OutputActivation = "identity" | "logistic" | "softmax";

/** JSON-able weights: W[l] is sizes[l+1] × sizes[l] (one row of input weights per unit), row-major. */
export interface NetworkWeights {
  sizes: number[];
  activation: Activation;
  output: OutputActivation;
  W: Float64Array[];
  b: Float64Array[];
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPS = 1e-8;
const PREDICT_CHUNK = 4096;

export class Network {
  private mW: Float64Array[] = [];
  private vW: Float64Array[] = [];
  private mB: Float64Array[] = [];
  private vB: Float64Array[] = [];
  private gW: Float64Array[] = [];
  private gB: Float64Array[] = [];
  private step = 0;
  private acts: Float64Array[] = [];
  private deltas: Float64Array[] = [];
  /** Transposed activations and deltas (units × rows), so weight gradients are contiguous dot products. */
  private actsT: Float64Array[] = [];
  private deltasT: Float64Array[] = [];
  private bufferRows = 0;
  private kernel: MlpForwardKernel | undefined;

  private constructor(private readonly w: NetworkWeights) {}

  /** Glorot-uniform initialisation: bound √(6 / (fan_in + fan_out)), √(2 / …) for logistic units. */
  static create(sizes: number[], activation: Activation, output: OutputActivation, rng: Random): Network {
    const factor = activation === "logistic" ? 2 : 6;
    const W: Float64Array[] = [];
    const b: Float64Array[] = [];
    for (let l = 0; l < sizes.length - 1; l++) {
      const bound = Math.sqrt(factor / (sizes[l] + sizes[l + 1]));
      W.push(Float64Array.from({ length: sizes[l] * sizes[l + 1] }, () => (2 * rng.next() - 1) * bound));
      b.push(Float64Array.from({ length: sizes[l + 1] }, () => (2 * rng.next() - 1) * bound));
    }
    return new Network({ sizes, activation, output, W, b });
  }

  static from(weights: NetworkWeights): Network {
    return new Network(weights);
  }

  snapshot(): NetworkWeights {
    return {
      ...this.w,
      sizes: [...this.w.sizes],
      W: this.w.W.map((a) => a.slice()),
      b: this.w.b.map((a) => a.slice()),
    };
  }

  /**
   * Outputs for every row of X (n × last layer), through the SIMD kernel (the same arithmetic as
   * propagate, bit for bit); weights are reloaded each call since training updates them in place.
   */
  forward(X: Matrix): Float64Array {
    const sizes = this.w.sizes;
    const outWidth = sizes[sizes.length - 1];
    const out = new Float64Array(X.rows * outWidth);
    if (X.rows === 0) return out;
    this.kernel ??= new MlpForwardKernel(sizes);
    this.kernel.load(this.w.W, this.w.b);
    const activation = this.w.activation;
    this.kernel.run(X.data, X.rows, out, activation === "relu", (z) => activate(z, z.length, activation));
    finishOutput(out, X.rows, outWidth, this.w.output);
    return out;
  }

  /** The scalar forward pass (kept as the reference the kernel is tested against). */
  forwardScalar(X: Matrix): Float64Array {
    const sizes = this.w.sizes;
    const outWidth = sizes[sizes.length - 1];
    const out = new Float64Array(X.rows * outWidth);
    for (let start = 0; start < X.rows; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, X.rows - start);
      this.ensureBuffers(rows);
      this.acts[0].set(X.data.subarray(start * X.cols, (start + rows) * X.cols));
      this.propagate(rows);
      out.set(this.acts[sizes.length - 1].subarray(0, rows * outWidth), start * outWidth);
    }
    return out;
  }

  /** Mean data loss (no L2 term) of the network on X against targets (n × output width). */
  meanLoss(X: Matrix, targets: Float64Array): number {
    const out = this.forward(X);
    let loss = 0;
    for (let i = 0; i < out.length; i++) loss += this.pointLoss(out[i], targets[i]);
    return loss / X.rows;
  }

  /** One pass over `order` in mini-batches; returns the mean loss (with the L2 term) over the epoch. */
  epoch(
    X: Matrix,
    targets: Float64Array,
    order: Int32Array,
    batch: number,
    alpha: number,
    lr: number,
  ): number {
    const sizes = this.w.sizes;
    const L = sizes.length - 1;
    const outWidth = sizes[L];
    this.ensureBuffers(batch);
    this.ensureOptimizer();
    let total = 0;
    for (let start = 0; start < order.length; start += batch) {
      const rows = Math.min(batch, order.length - start);
      const input = this.acts[0];
      for (let r = 0; r < rows; r++)
        input.set(X.data.subarray(order[start + r] * X.cols, (order[start + r] + 1) * X.cols), r * X.cols);
      this.propagate(rows);
      const out = this.acts[L];
      const delta = this.deltas[L];
      let loss = 0;
      for (let r = 0; r < rows; r++) {
        const ti = order[start + r] * outWidth;
        for (let c = 0; c < outWidth; c++) {
          const p = out[r * outWidth + c];
          const t = targets[ti + c];
          delta[r * outWidth + c] = p - t;
          loss += this.pointLoss(p, t);
        }
      }
      loss /= rows;
      let sq = 0;
      for (const W of this.w.W) for (let i = 0; i < W.length; i++) sq += W[i] * W[i];
      loss += (0.5 * alpha * sq) / rows;
      this.backward(rows, alpha);
      this.adam(lr);
      total += loss * rows;
    }
    return total / order.length;
  }

  private pointLoss(p: number, t: number): number {
    if (this.w.output === "identity") return 0.5 * (p - t) * (p - t);
    const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    if (this.w.output === "softmax") return t > 0 ? -t * Math.log(q) : 0;
    return -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
  }

  private ensureBuffers(rows: number): void {
    if (rows <= this.bufferRows) return;
    this.acts = this.w.sizes.map((s) => new Float64Array(rows * s));
    this.deltas = this.w.sizes.map((s) => new Float64Array(rows * s));
    this.actsT = this.w.sizes.map((s) => new Float64Array(rows * s));
    this.deltasT = this.w.sizes.map((s) => new Float64Array(rows * s));
    this.bufferRows = rows;
  }

  private ensureOptimizer(): void {
    if (this.mW.length > 0) return;
    const zeros = (a: Float64Array[]) => a.map((x) => new Float64Array(x.length));
    this.mW = zeros(this.w.W);
    this.vW = zeros(this.w.W);
    this.gW = zeros(this.w.W);
    this.mB = zeros(this.w.b);
    this.vB = zeros(this.w.b);
    this.gB = zeros(this.w.b);
  }

  private propagate(rows: number): void {
    const { sizes, W, b } = this.w;
    const L = sizes.length - 1;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const A = this.acts[l];
      const Z = this.acts[l + 1];
      const Wl = W[l];
      const bl = b[l];
      for (let r = 0; r < rows; r++) {
        const ar = r * nIn;
        const zr = r * nOut;
        for (let j = 0; j < nOut; j++) Z[zr + j] = bl[j] + dot(A, ar, Wl, j * nIn, nIn);
      }
      if (l < L - 1) activate(Z, rows * nOut, this.w.activation);
      else finishOutput(Z, rows, nOut, this.w.output);
    }
  }

  private backward(rows: number, alpha: number): void {
    const { sizes, W } = this.w;
    const L = sizes.length - 1;
    for (let l = L - 1; l >= 0; l--) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const A = this.acts[l];
      const D = this.deltas[l + 1];
      const At = transposeInto(A, rows, nIn, this.actsT[l]);
      const Dt = transposeInto(D, rows, nOut, this.deltasT[l + 1]);
      const gW = this.gW[l];
      const gB = this.gB[l];
      const Wl = W[l];
      // gW[j, k] = (Σ_r D[r, j]·A[r, k] + alpha·W[j, k]) / rows
      for (let j = 0; j < nOut; j++) {
        const dj = j * rows;
        let sb = 0;
        for (let r = 0; r < rows; r++) sb += Dt[dj + r];
        gB[j] = sb / rows;
        for (let k = 0; k < nIn; k++)
          gW[j * nIn + k] = (dot(Dt, dj, At, k * rows, rows) + alpha * Wl[j * nIn + k]) / rows;
      }
      if (l === 0) continue;
      const Dprev = this.deltas[l];
      for (let r = 0; r < rows; r++) {
        const ar = r * nIn;
        const dr = r * nOut;
        for (let k = 0; k < nIn; k++) Dprev[ar + k] = 0;
        for (let j = 0; j < nOut; j++) {
          const d = D[dr + j];
          if (d === 0) continue;
          const wj = j * nIn;
          for (let k = 0; k < nIn; k++) Dprev[ar + k] += d * Wl[wj + k];
        }
        for (let k = 0; k < nIn; k++) Dprev[ar + k] *= derivative(A[ar + k], this.w.activation);
      }
    }
  }

  private adam(lr: number): void {
    this.step++;
    const t = this.step;
    const stepSize = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
    const update = (param: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array) => {
      for (let i = 0; i < param.length; i++) {
        m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
        v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
        param[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + ADAM_EPS);
      }
    };
    this.w.W.forEach((W, l) => {
      update(W, this.gW[l], this.mW[l], this.vW[l]);
    });
    this.w.b.forEach((b, l) => {
      update(b, this.gB[l], this.mB[l], this.vB[l]);
    });
  }
}

/** out (cols × rows) = transpose of m (rows × cols); returns out. */
function transposeInto(m: Float64Array, rows: number, cols: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[base + c];
  }
  return out;
}

function activate(Z: Float64Array, n: number, kind: Activation): void {
  if (kind === "relu") for (let i = 0; i < n; i++) Z[i] = Math.max(Z[i], 0);
  else if (kind === "tanh") for (let i = 0; i < n; i++) Z[i] = Math.tanh(Z[i]);
  else for (let i = 0; i < n; i++) Z[i] = 1 / (1 + Math.exp(-Z[i]));
}

/** Derivative expressed through the activation value a = f(z). */
function derivative(a: number, kind: Activation): number {
  if (kind === "relu") return a > 0 ? 1 : 0;
  if (kind === "tanh") return 1 - a * a;
  return a * (1 - a);
}

function finishOutput(Z: Float64Array, rows: number, width: number, kind: OutputActivation): void {
  if (kind === "identity") return;
  if (kind === "logistic") {
    for (let i = 0; i < rows * width; i++) {
      const z = Z[i];
      Z[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < width; c++) max = Math.max(max, Z[base + c]);
    let sum = 0;
    for (let c = 0; c < width; c++) {
      Z[base + c] = Math.exp(Z[base + c] - max);
      sum += Z[base + c];
    }
    for (let c = 0; c < width; c++) Z[base + c] /= sum;
  }
}
