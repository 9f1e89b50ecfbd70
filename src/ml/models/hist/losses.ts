/**
 * Boosting objectives: squared error (reg:squarederror), binary log-loss (binary:logistic) and softmax
 * log-loss (multi:softprob), each with its starting score, per-row gradient and hessian, and the loss
 * reported in the learning curve (RMSE, log-loss, multiclass log-loss, as XGBoost names them).
 */

import { EXP_CHUNK, expLanes } from "../../kernels/exp-lanes.js";

const EPS = 1e-15;
/** The clip of a log-loss probability (EPS), for the threads' copy of its terms (threads.ts' logisticLoop). */
export const LOG_LOSS_EPS = EPS;
/** Hessians are floored so a confident row never divides by zero (XGBoost uses the same floor). */
const MIN_HESSIAN = 1e-16;

export interface Loss {
  name: "rmse" | "logloss" | "mlogloss";
  /** Raw scores per row: 1, or k for multiclass. */
  outputs: number;
  /** The factor of the hessians (softmax: see softmaxLogLoss); absent for 1. */
  readonly hessianScale?: number;
  init(y: Float64Array): Float64Array;
  /** Called once per round before gradients (multiclass caches its probabilities here). */
  prepare(raw: Float64Array, n: number): void;
  /** Gradient and hessian of output k for every row, interleaved into gh. */
  gradients(raw: Float64Array, y: Float64Array, k: number, gh: Float64Array, n: number): void;
  /**
   * One output: raw[i] += nodeValues[nodeOf[i]], then its gradients as `gradients`, in one pass (leaf-marks.ts);
   * absent where the loss has no such pass. With `curveRows` (ascending) it returns what `value(raw, y,
   * curveRows, n)` returns after it, bit for bit, taken a block of rows at a time as the pass leaves them in
   * cache (else 0).
   */
  addGradients?(
    raw: Float64Array,
    y: Float64Array,
    gh: Float64Array,
    n: number,
    nodeOf: Uint16Array,
    nodeValues: Float64Array,
    curveRows?: Int32Array | null,
  ): number;
  /** Mean loss over rows (all rows when `rows` is null). */
  value(raw: Float64Array, y: Float64Array, rows: Int32Array | null, n: number): number;
}

/** 1 / (1 + e^−z); exp overflows to ∞ for very negative z, which still gives the right limit 0. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/*
 * The objectives are classes, not object literals of closures: a fit's first round then calls the same
 * functions as the fits before it in the process, so V8's optimised code for their callers stays valid.
 */

class SquaredError implements Loss {
  readonly name = "rmse";
  readonly outputs = 1;
  /**
   * The gradient array whose first `unitRows` hessians are 1 already: every hessian is 1, so the gradient
   * passes after the first store gradients only (the hessian stores were a quarter of the pass's bytes;
   * 160k × 2 at one thread, 11 alternating pairs on 2026-12-07: 0.29 s a fit against 0.31–0.32 s storing them).
   * Safe as state: a loss belongs to one fit, and only its passes write gh's hessians.
   */
  // Never null: a null here in a fit's first pass deoptimised the pass compiled in the fit before.
  private unitFor: Float64Array = new Float64Array(0);
  private unitRows = 0;

  init(y: Float64Array): Float64Array {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    return Float64Array.of(y.length > 0 ? s / y.length : 0);
  }

  prepare(): void {}

  gradients(raw: Float64Array, y: Float64Array, _k: number, gh: Float64Array, n: number): void {
    this.unitHessians(gh, n);
    for (let i = 0; i < n; i++) gh[2 * i] = raw[i] - y[i];
  }

  /** gh's hessians of rows 0..n−1 set to 1 (unless they are from an earlier pass). */
  private unitHessians(gh: Float64Array, n: number): void {
    if (this.unitFor === gh && this.unitRows >= n) return;
    for (let i = 0; i < n; i++) gh[2 * i + 1] = 1;
    this.unitFor = gh;
    this.unitRows = n;
  }

  addGradients(
    raw: Float64Array,
    y: Float64Array,
    gh: Float64Array,
    n: number,
    nodeOf: Uint16Array,
    nodeValues: Float64Array,
    curveRows: Int32Array | null = null,
  ): number {
    this.unitHessians(gh, n);
    if (!curveRows) {
      addedResiduals(raw, y, gh, 0, n, nodeOf, nodeValues);
      return 0;
    }
    let s = 0;
    let k = 0;
    for (let from = 0; from < n; from += EXP_CHUNK) {
      const to = Math.min(n, from + EXP_CHUNK);
      addedResiduals(raw, y, gh, from, to, nodeOf, nodeValues);
      const below = rowsBelow(curveRows, k, to);
      s = squaresOfRows(raw, y, curveRows, k, below, s);
      k = below;
    }
    return Math.sqrt(s / Math.max(1, curveRows.length));
  }

  value(raw: Float64Array, y: Float64Array, rows: Int32Array | null, n: number): number {
    let s = 0;
    const m = rows ? rows.length : n;
    for (let k = 0; k < m; k++) {
      const i = rows ? rows[k] : k;
      s += (raw[i] - y[i]) ** 2;
    }
    return Math.sqrt(s / Math.max(1, m));
  }
}

/** The first q ≥ from with rows[q] ≥ to (rows ascending), or rows.length. */
function rowsBelow(rows: Int32Array, from: number, to: number): number {
  let q = from;
  while (q < rows.length && rows[q] < to) q++;
  return q;
}

/** s plus (raw[i] − y[i])² for the rows i of rows[a..b), in order (SquaredError.value's terms). */
function squaresOfRows(
  raw: Float64Array,
  y: Float64Array,
  rows: Int32Array,
  a: number,
  b: number,
  s: number,
): number {
  for (let q = a; q < b; q++) {
    const i = rows[q];
    s += (raw[i] - y[i]) ** 2;
  }
  return s;
}

/** Rows from..to−1: raw[i] += nodeValues[nodeOf[i]], then gh[2i] = raw[i] − y[i]. */
function addedResiduals(
  raw: Float64Array,
  y: Float64Array,
  gh: Float64Array,
  from: number,
  to: number,
  nodeOf: Uint16Array,
  nodeValues: Float64Array,
): void {
  // Four rows a step, their loads before their stores: 160k rows, 3.6 → 2.1 ns a row (a loop of one row a
  // step waited on its stores); the same numbers.
  let i = from;
  for (; i + 3 < to; i += 4) {
    const r0 = raw[i] + nodeValues[nodeOf[i]];
    const r1 = raw[i + 1] + nodeValues[nodeOf[i + 1]];
    const r2 = raw[i + 2] + nodeValues[nodeOf[i + 2]];
    const r3 = raw[i + 3] + nodeValues[nodeOf[i + 3]];
    raw[i] = r0;
    raw[i + 1] = r1;
    raw[i + 2] = r2;
    raw[i + 3] = r3;
    gh[2 * i] = r0 - y[i];
    gh[2 * i + 2] = r1 - y[i + 1];
    gh[2 * i + 4] = r2 - y[i + 2];
    gh[2 * i + 6] = r3 - y[i + 3];
  }
  for (; i < to; i++) {
    const r = raw[i] + nodeValues[nodeOf[i]];
    raw[i] = r;
    gh[2 * i] = r - y[i];
  }
}

export function squaredError(): Loss {
  return new SquaredError();
}

class BinaryLogLoss implements Loss {
  readonly name = "logloss";
  readonly outputs = 1;

  init(y: Float64Array): Float64Array {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    const p = Math.min(Math.max(s / Math.max(1, y.length), EPS), 1 - EPS);
    return Float64Array.of(Math.log(p / (1 - p)));
  }

  prepare(): void {}

  gradients(raw: Float64Array, y: Float64Array, _k: number, gh: Float64Array, n: number): void {
    logisticPass(raw, y, gh, n, null, null, null);
  }

  /**
   * The pending leaf values are added to raw as each chunk's −raw is taken for the kernel: one pass over the
   * scores instead of two (the separate addition pass was a fifth of this pass at 120k rows).
   */
  addGradients(
    raw: Float64Array,
    y: Float64Array,
    gh: Float64Array,
    n: number,
    nodeOf: Uint16Array,
    nodeValues: Float64Array,
    curveRows: Int32Array | null = null,
  ): number {
    return logisticPass(raw, y, gh, n, nodeOf, nodeValues, curveRows);
  }

  /** sigmoid(raw) as sigmoid() computes it, with e^−raw taken a chunk at a time by the exp kernel. */
  value(raw: Float64Array, y: Float64Array, rows: Int32Array | null, n: number): number {
    const lanes = expLanes();
    let s = 0;
    const m = rows ? rows.length : n;
    for (let from = 0; from < m; from += EXP_CHUNK) {
      const count = Math.min(EXP_CHUNK, m - from);
      negatedRowsInto(raw, rows, from, count, lanes.input);
      lanes.exp(count);
      s = logLossSum(lanes.output, y, rows, from, count, s);
    }
    return s / Math.max(1, m);
  }
}

/** out[j] = −raw[i] for the rows i = rows[from + j] (from + j without a row list), j < m. */
function negatedRowsInto(
  raw: Float64Array,
  rows: Int32Array | null,
  from: number,
  m: number,
  out: Float64Array,
): void {
  for (let j = 0; j < m; j++) out[j] = -raw[rows ? rows[from + j] : from + j];
}

/** s less the log-likelihood of rows rows[from + j] (or from + j), from e^−raw of each (expNeg[j]), in order. */
function logLossSum(
  expNeg: Float64Array,
  y: Float64Array,
  rows: Int32Array | null,
  from: number,
  m: number,
  s: number,
): number {
  for (let j = 0; j < m; j++) {
    const i = rows ? rows[from + j] : from + j;
    const p = Math.min(Math.max(1 / (1 + expNeg[j]), EPS), 1 - EPS);
    s -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s;
}

/**
 * The log-loss gradients of rows 0..n−1 into gh, nodeValues[nodeOf[i]] added to raw[i] first when given: p =
 * sigmoid(raw) as sigmoid() computes it, with e^−raw taken a chunk at a time by the exp kernel. Returns the
 * mean log-loss of curveRows (ascending) as `value` takes it, from the same e^−raw (0 without them): `value`'s
 * reads of the scattered rows missed the cache, ~60 ms of a 1 s customers fit.
 */
function logisticPass(
  raw: Float64Array,
  y: Float64Array,
  gh: Float64Array,
  n: number,
  nodeOf: Uint16Array | null,
  nodeValues: Float64Array | null,
  curveRows: Int32Array | null,
): number {
  const lanes = expLanes();
  let s = 0;
  let k = 0;
  for (let from = 0; from < n; from += EXP_CHUNK) {
    const m = Math.min(EXP_CHUNK, n - from);
    if (nodeOf && nodeValues) addedNegatedInto(raw, nodeOf, nodeValues, from, m, lanes.input);
    else negatedInto(raw, from, m, lanes.input);
    lanes.exp(m);
    logisticGradients(lanes.output, y, from, m, gh);
    if (!curveRows) continue;
    const below = rowsBelow(curveRows, k, from + m);
    s = logLossOfRows(lanes.output, y, curveRows, k, below, from, s);
    k = below;
  }
  return curveRows ? s / Math.max(1, curveRows.length) : 0;
}

/** s less the log-likelihood of the rows i of rows[a..b), from expNeg[i − from] = e^−raw[i] (logLossSum's terms). */
function logLossOfRows(
  expNeg: Float64Array,
  y: Float64Array,
  rows: Int32Array,
  a: number,
  b: number,
  from: number,
  s: number,
): number {
  for (let q = a; q < b; q++) {
    const i = rows[q];
    const p = Math.min(Math.max(1 / (1 + expNeg[i - from]), EPS), 1 - EPS);
    s -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s;
}

/** out[j] = −raw[from + j] for j < m. */
function negatedInto(raw: Float64Array, from: number, m: number, out: Float64Array): void {
  for (let j = 0; j < m; j++) out[j] = -raw[from + j];
}

/** raw[i] += nodeValues[nodeOf[i]], then out[j] = −raw[i], for the rows i = from + j, j < m. */
function addedNegatedInto(
  raw: Float64Array,
  nodeOf: Uint16Array,
  nodeValues: Float64Array,
  from: number,
  m: number,
  out: Float64Array,
): void {
  // Four rows a step, loads before stores (as addedResiduals): with logisticGradients four a step, 120k
  // rows, the two 5.9 → 4.0 ns a row (loop benchmark).
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const i = from + j;
    const r0 = raw[i] + nodeValues[nodeOf[i]];
    const r1 = raw[i + 1] + nodeValues[nodeOf[i + 1]];
    const r2 = raw[i + 2] + nodeValues[nodeOf[i + 2]];
    const r3 = raw[i + 3] + nodeValues[nodeOf[i + 3]];
    raw[i] = r0;
    raw[i + 1] = r1;
    raw[i + 2] = r2;
    raw[i + 3] = r3;
    out[j] = -r0;
    out[j + 1] = -r1;
    out[j + 2] = -r2;
    out[j + 3] = -r3;
  }
  for (; j < m; j++) {
    const i = from + j;
    const r = raw[i] + nodeValues[nodeOf[i]];
    raw[i] = r;
    out[j] = -r;
  }
}

/** Rows from..from + m of the log-loss gradients, from e^−raw of each row (expNeg[j] for row from + j). */
function logisticGradients(
  expNeg: Float64Array,
  y: Float64Array,
  from: number,
  m: number,
  gh: Float64Array,
): void {
  // Four rows a step (addedNegatedInto): 4.3–4.8 → 3.9–4.2 ns a row for the two than with two a step.
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const i = from + j;
    const p0 = 1 / (1 + expNeg[j]);
    const p1 = 1 / (1 + expNeg[j + 1]);
    const p2 = 1 / (1 + expNeg[j + 2]);
    const p3 = 1 / (1 + expNeg[j + 3]);
    const y0 = y[i];
    const y1 = y[i + 1];
    const y2 = y[i + 2];
    const y3 = y[i + 3];
    gh[2 * i] = p0 - y0;
    gh[2 * i + 1] = Math.max(p0 * (1 - p0), MIN_HESSIAN);
    gh[2 * i + 2] = p1 - y1;
    gh[2 * i + 3] = Math.max(p1 * (1 - p1), MIN_HESSIAN);
    gh[2 * i + 4] = p2 - y2;
    gh[2 * i + 5] = Math.max(p2 * (1 - p2), MIN_HESSIAN);
    gh[2 * i + 6] = p3 - y3;
    gh[2 * i + 7] = Math.max(p3 * (1 - p3), MIN_HESSIAN);
  }
  for (; j < m; j++) {
    const i = from + j;
    const p = 1 / (1 + expNeg[j]);
    gh[2 * i] = p - y[i];
    gh[2 * i + 1] = Math.max(p * (1 - p), MIN_HESSIAN);
  }
}

export function binaryLogLoss(): Loss {
  return new BinaryLogLoss();
}

/**
 * Row-wise softmax of raw (n × k) into out: e^(raw − row max) / its row sum, the sum taken in class order.
 * The exponentials go through the exp kernel a block of rows at a time (Math.exp's values, bit for bit).
 */
export function softmaxRows(raw: Float64Array, n: number, k: number, out: Float64Array): void {
  const lanes = expLanes();
  const block = Math.max(1, Math.floor(EXP_CHUNK / k));
  if (block * k > EXP_CHUNK) {
    softmaxRowsScalar(raw, n, k, out);
    return;
  }
  for (let from = 0; from < n; from += block) {
    const m = Math.min(block, n - from);
    shiftedByRowMax(raw, from, m, k, lanes.input);
    lanes.exp(m * k);
    normaliseRows(lanes.output, from, m, k, out);
  }
}

/** x[j · k + c] = raw[(from + j) · k + c] − the row's max, for m rows. */
function shiftedByRowMax(raw: Float64Array, from: number, m: number, k: number, x: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const o = (from + j) * k;
    let max = raw[o];
    for (let c = 1; c < k; c++) max = Math.max(max, raw[o + c]);
    for (let c = 0; c < k; c++) x[j * k + c] = raw[o + c] - max;
  }
}

/** out[(from + j) · k + c] = e[j · k + c] / the row's sum, for m rows. */
function normaliseRows(e: Float64Array, from: number, m: number, k: number, out: Float64Array): void {
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += e[j * k + c];
    const o = (from + j) * k;
    for (let c = 0; c < k; c++) out[o + c] = e[j * k + c] / sum;
  }
}

/** softmaxRows with Math.exp, for more classes than the kernel's chunk holds. */
function softmaxRowsScalar(raw: Float64Array, n: number, k: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = raw[o];
    for (let c = 1; c < k; c++) max = Math.max(max, raw[o + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(raw[o + c] - max);
      out[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[o + c] /= sum;
  }
}

/**
 * Softmax log-loss over k classes. The hessian of class c is scale · p(1 − p): scikit-learn uses 1, XGBoost's
 * multi:softprob 2 (which halves every leaf weight and doubles the weight a min_child_weight counts).
 */
export function softmaxLogLoss(k: number, hessianScale = 1): Loss {
  return new SoftmaxLogLoss(k, hessianScale);
}

class SoftmaxLogLoss implements Loss {
  readonly name = "mlogloss";
  /** Probabilities of the round (n × k), from prepare. */
  private prob = new Float64Array(0);

  constructor(
    readonly outputs: number,
    readonly hessianScale: number,
  ) {}

  init(y: Float64Array): Float64Array {
    const k = this.outputs;
    const counts = new Float64Array(k);
    for (let i = 0; i < y.length; i++) counts[y[i]]++;
    return Float64Array.from(counts, (c) => Math.log(Math.max(c / Math.max(1, y.length), EPS)));
  }

  prepare(raw: Float64Array, n: number): void {
    const k = this.outputs;
    if (this.prob.length < n * k) this.prob = new Float64Array(n * k);
    softmaxRows(raw, n, k, this.prob);
  }

  gradients(_raw: Float64Array, y: Float64Array, c: number, gh: Float64Array, n: number): void {
    const { prob, outputs: k, hessianScale } = this;
    for (let i = 0; i < n; i++) {
      const p = prob[i * k + c];
      gh[2 * i] = p - (y[i] === c ? 1 : 0);
      gh[2 * i + 1] = Math.max(hessianScale * p * (1 - p), MIN_HESSIAN);
    }
  }

  value(raw: Float64Array, y: Float64Array, rows: Int32Array | null, n: number): number {
    const k = this.outputs;
    let s = 0;
    const m = rows ? rows.length : n;
    for (let q = 0; q < m; q++) {
      const i = rows ? rows[q] : q;
      const o = i * k;
      let max = raw[o];
      for (let c = 1; c < k; c++) max = Math.max(max, raw[o + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(raw[o + c] - max);
      s -= Math.max(raw[o + y[i]] - max - Math.log(sum), Math.log(EPS));
    }
    return s / Math.max(1, m);
  }
}
