/**
 * Full-batch log-loss and gradient for logistic regression, in row blocks small enough to stay in cache
 * (about 256 KiB of X, half an L2 cache): for each block, the scores of its rows, then every row's loss and residual in a
 * tight loop, then the gradient Σ residual · x over the same rows. The two products run in a WebAssembly
 * SIMD kernel (./wat/logistic-products.wat) over a copy of the block in its memory: the copy is one memcpy
 * of cached-to-be bytes, and the kernel runs the products about three times faster than the best
 * JavaScript loop (V8 checks bounds on each typed-array load). Splitting the phases keeps the exp/log1p
 * loop free of the dot products. float64 throughout; the weight vector of class r is
 * w[r·(p+1) .. r·(p+1)+p], its intercept last.
 */
import type { Matrix } from "../matrix.js";
import { instantiate, kernelModule, wasm } from "./load.js";
import { LOGISTIC_PRODUCTS_WASM } from "./wasm/logistic-products.js";

/** Writes the gradient at w into grad and returns the objective Σ log-loss + ‖W‖²/(2C) (intercepts free). */
export type LossGradient = (w: Float64Array, grad: Float64Array) => number;

const BLOCK_BYTES = 256 * 1024;

function blockRows(p: number): number {
  return Math.max(8, Math.min(2048, Math.floor(BLOCK_BYTES / (8 * Math.max(1, p)) / 8) * 8));
}

const productsModule = kernelModule(LOGISTIC_PRODUCTS_WASM);

interface ProductExports {
  scores(x: number, p: number, w: number, b: number, rows: number, out: number): void;
  gradient(x: number, p: number, r: number, rows: number, g: number): void;
}

/** One kernel instance per thread, its memory grown as needed: every loss calls the same functions. */
let shared:
  | { memory: { buffer: ArrayBuffer; grow(pages: number): number }; kernel: ProductExports }
  | undefined;

function sharedKernel(bytes: number): { kernel: ProductExports; f64: Float64Array } {
  const pages = Math.ceil(bytes / 65536);
  if (shared === undefined) {
    const memory = new wasm.Memory({ initial: pages }) as NonNullable<typeof shared>["memory"];
    shared = { memory, kernel: instantiate<ProductExports>(productsModule(), memory) };
  }
  const have = shared.memory.buffer.byteLength / 65536;
  if (have < pages) shared.memory.grow(pages - have);
  return { kernel: shared.kernel, f64: new Float64Array(shared.memory.buffer) };
}

/**
 * One loss's layout in the kernel's memory: a block of X (copied in per block: a copy of all X would cost
 * more in fresh pages than the copies do), the k weight vectors, their gradients and the block's k score
 * (then residual) vectors, class-major. Byte addresses, 16-byte aligned.
 */
class BlockProducts {
  /** The block's scores (then residuals) of class r at scores[r·block …], valid during a pass. */
  scores: Float64Array = new Float64Array(0);
  private f64: Float64Array = new Float64Array(0);
  private kernel: ProductExports | undefined;
  private readonly wAt: number;
  private readonly gAt: number;
  private readonly outAt: number;

  constructor(
    private readonly X: Matrix,
    private readonly block: number,
    private readonly k: number,
  ) {
    const p = X.cols;
    const pad = (bytes: number) => Math.ceil(bytes / 16) * 16;
    this.wAt = pad(block * p * 8);
    this.gAt = this.wAt + pad(k * (p + 1) * 8);
    this.outAt = this.gAt + pad(k * (p + 1) * 8);
  }

  /** Loads the weights and zeroes the gradients, before a pass over the rows. */
  begin(w: Float64Array): void {
    const { kernel, f64 } = sharedKernel(this.outAt + this.block * this.k * 8);
    this.kernel = kernel;
    this.f64 = f64;
    this.scores = f64.subarray(this.outAt / 8, this.outAt / 8 + this.block * this.k);
    f64.set(w, this.wAt / 8);
    f64.fill(0, this.gAt / 8, this.gAt / 8 + w.length);
  }

  /** Copies rows [start, end) of X in and computes every class's scores. */
  scoreBlock(start: number, end: number): void {
    const p = this.X.cols;
    const kernel = this.kernel as ProductExports;
    this.f64.set(this.X.data.subarray(start * p, end * p), 0);
    for (let r = 0; r < this.k; r++) {
      const w = this.wAt + r * (p + 1) * 8;
      const b = this.f64[w / 8 + p];
      kernel.scores(0, p, w, b, end - start, this.outAt + r * this.block * 8);
    }
  }

  /** Adds Σ residual · x of the block's rows to every class's gradient (the intercepts' sums too). */
  accumulate(rows: number): void {
    const p = this.X.cols;
    const kernel = this.kernel as ProductExports;
    for (let r = 0; r < this.k; r++) {
      const g = this.gAt + r * (p + 1) * 8;
      const res = this.outAt + r * this.block * 8;
      kernel.gradient(0, p, res, rows, g);
      let sum = 0;
      for (let t = 0; t < rows; t++) sum += this.scores[r * this.block + t];
      this.f64[g / 8 + p] += sum;
    }
  }

  /** The gradients of the pass. */
  end(grad: Float64Array): void {
    grad.set(this.f64.subarray(this.gAt / 8, this.gAt / 8 + grad.length));
  }
}

/** Binary log-loss with labels y ∈ {0, 1} and one weight vector (p weights, then the intercept). */
export function binaryLogLoss(X: Matrix, y: Float64Array, C: number): LossGradient {
  const n = X.rows;
  const block = blockRows(X.cols);
  const products = new BlockProducts(X, block, 1);
  return (w, grad) => {
    products.begin(w);
    let loss = 0;
    for (let start = 0; start < n; start += block) {
      const end = Math.min(n, start + block);
      products.scoreBlock(start, end);
      loss += binaryResiduals(products.scores, y, start, end);
      products.accumulate(end - start);
    }
    products.end(grad);
    return loss + penalize(w, grad, 1, X.cols, C);
  };
}

/** Multinomial log-loss with labels y ∈ {0 … k−1} and k weight vectors, in one pass over the rows. */
export function softmaxLogLoss(X: Matrix, y: Float64Array, k: number, C: number): LossGradient {
  const n = X.rows;
  const block = blockRows(X.cols);
  const products = new BlockProducts(X, block, k);
  return (w, grad) => {
    products.begin(w);
    let loss = 0;
    for (let start = 0; start < n; start += block) {
      const end = Math.min(n, start + block);
      products.scoreBlock(start, end);
      loss += softmaxResiduals(products.scores, block, k, y, start, end);
      products.accumulate(end - start);
    }
    products.end(grad);
    return loss + penalize(w, grad, k, X.cols, C);
  };
}
/**
 * Replaces each score z in buf by the residual σ(z) − y and returns the rows' log-loss. One exp per row:
 * log(1 + e^z) − y·z = max(z, 0) + log1p(e^−|z|) − y·z, and σ(z) comes from the same e^−|z|.
 */
function binaryResiduals(buf: Float64Array, y: Float64Array, start: number, end: number): number {
  let loss = 0;
  for (let t = 0; t < end - start; t++) {
    const z = buf[t];
    const yi = y[start + t];
    const e = Math.exp(-Math.abs(z));
    const q = 1 / (1 + e);
    buf[t] = (z >= 0 ? q : e * q) - yi;
    loss += Math.max(z, 0) + Math.log1p(e) - yi * z;
  }
  return loss;
}

/**
 * Replaces the k class scores of each row (buf[r·block + t]) by softmax(z) − onehot(y) and returns the rows'
 * log-loss log Σ e^z − z_y, with the largest score shifted out so no exp overflows.
 */
function softmaxResiduals(
  buf: Float64Array,
  block: number,
  k: number,
  y: Float64Array,
  start: number,
  end: number,
): number {
  let loss = 0;
  for (let t = 0; t < end - start; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < k; r++) max = Math.max(max, buf[r * block + t]);
    const yi = y[start + t];
    const zy = buf[yi * block + t];
    let sum = 0;
    for (let r = 0; r < k; r++) {
      const e = Math.exp(buf[r * block + t] - max);
      buf[r * block + t] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let r = 0; r < k; r++) buf[r * block + t] *= inv;
    buf[yi * block + t] -= 1;
    loss += max + Math.log(sum) - zy;
  }
  return loss;
}

/** Adds W/C to the gradient of the k weight vectors (not the intercepts) and returns ‖W‖²/(2C). */
function penalize(w: Float64Array, grad: Float64Array, k: number, p: number, C: number): number {
  let squares = 0;
  for (let r = 0; r < k; r++) {
    const o = r * (p + 1);
    for (let j = 0; j < p; j++) {
      const v = w[o + j];
      squares += v * v;
      grad[o + j] += v / C;
    }
  }
  return squares / (2 * C);
}
