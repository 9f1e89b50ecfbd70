/**
 * Multi-layer perceptron as scikit-learn's MLPRegressor / MLPClassifier: Glorot-uniform initialisation,
 * ReLU (or tanh/logistic) hidden layers, identity / logistic / softmax output, squared or log loss with an
 * L2 penalty, Adam (Kingma & Ba, 2015) on shuffled mini-batches of min(200, n). Early stopping holds out
 * a validation fraction, watches its loss and keeps the best weights. (scikit-learn watches the validation
 * accuracy, which on a few dozen held-out rows stops improving within ~10 epochs and left accuracy 3–8
 * points below the reference on breast_cancer, wine and penguins.) Regression targets are standardised internally, so
 * the default learning rate also converges on targets in the hundreds (scikit-learn's does not).
 */
import type { Matrix } from "../matrix.js";
import type { Random } from "../random.js";
import { Classifier, checkFitInput, type FitContext, pastDeadline, Regressor } from "./base.js";
import { Network, type NetworkWeights } from "./mlp/network.js";

export interface MlpParams {
  hiddenLayerSizes: number[];
  activation: "relu" | "tanh" | "logistic";
  alpha: number;
  learningRateInit: number;
  maxIter: number;
  batchSize: number | null;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
}

export interface MlpFitted {
  weights: NetworkWeights;
  /** Regression: y = yMean + yScale · output. */
  yMean: number;
  yScale: number;
  epochs: number;
}

type Output = "identity" | "logistic" | "softmax";

/** Smallest validation split early stopping uses. */
export const MIN_VALIDATION_ROWS = 50;

function train(
  X: Matrix,
  targets: Float64Array,
  outWidth: number,
  output: Output,
  params: MlpParams,
  ctx: FitContext,
): { weights: NetworkWeights; epochs: number } {
  const net = Network.create(
    [X.cols, ...params.hiddenLayerSizes, outWidth],
    params.activation,
    output,
    ctx.rng,
  );
  const { trainRows, validRows } = holdOut(X.rows, params, ctx.rng);
  const batch = Math.min(params.batchSize ?? 200, trainRows.length);
  let best = Number.POSITIVE_INFINITY;
  let bestWeights = net.snapshot();
  let stale = 0;
  let epoch = 0;
  const Xv = validRows ? gather(X, validRows) : null;
  const tv = validRows ? gatherTargets(targets, validRows, outWidth) : null;
  for (; epoch < params.maxIter; epoch++) {
    ctx.rng.shuffle(trainRows);
    const trainLoss = net.epoch(X, targets, trainRows, batch, params.alpha, params.learningRateInit);
    // Early stopping watches the held-out loss; otherwise the training loss must keep falling.
    const loss = Xv && tv ? net.meanLoss(Xv, tv) : trainLoss;
    if (loss < best - params.tol) stale = 0;
    else stale++;
    if (loss < best) {
      best = loss;
      if (Xv) bestWeights = net.snapshot();
    }
    ctx.onProgress?.((epoch + 1) / params.maxIter, `Epoch ${epoch + 1}`);
    if (stale >= params.nIterNoChange || pastDeadline(ctx)) {
      epoch++;
      break;
    }
  }
  return { weights: Xv ? bestWeights : net.snapshot(), epochs: epoch };
}

function gatherTargets(targets: Float64Array, rows: Int32Array, width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++)
    out.set(targets.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return out;
}

export function holdOut(
  n: number,
  params: MlpParams,
  rng: Random,
): { trainRows: Int32Array; validRows: Int32Array | null } {
  const all = rng.permutation(n);
  const nValid = Math.round(params.validationFraction * n);
  // A few dozen held-out rows make a noisy stopping signal and cost training data: below
  // MIN_VALIDATION_ROWS the training loss decides when to stop, as with earlyStopping off.
  if (!params.earlyStopping || nValid < MIN_VALIDATION_ROWS) return { trainRows: all, validRows: null };
  return { trainRows: all.slice(nValid), validRows: all.slice(0, nValid) };
}

function gather(X: Matrix, rows: Int32Array): Matrix {
  const out = new Float64Array(rows.length * X.cols);
  for (let i = 0; i < rows.length; i++)
    out.set(X.data.subarray(rows[i] * X.cols, (rows[i] + 1) * X.cols), i * X.cols);
  return { data: out, rows: rows.length, cols: X.cols };
}

export class MLPRegressor extends Regressor<MlpParams, MlpFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "MLPRegressor");
    let mean = 0;
    for (const v of y) mean += v;
    mean /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - mean) ** 2;
    const scale = Math.sqrt(ss / y.length) || 1;
    const z = Float64Array.from(y, (v) => (v - mean) / scale);
    const { weights, epochs } = train(X, z, 1, "identity", this.params, ctx);
    this.fitted = { weights, yMean: mean, yScale: scale, epochs };
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    const out = Network.from(f.weights).forward(X);
    for (let i = 0; i < out.length; i++) out[i] = f.yMean + f.yScale * out[i];
    return out;
  }
}

export class MLPClassifier extends Classifier<MlpParams, MlpFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "MLPClassifier");
    const k = this.nClasses;
    const width = k === 2 ? 1 : k;
    const targets = new Float64Array(y.length * width);
    for (let i = 0; i < y.length; i++) {
      if (k === 2) targets[i] = y[i];
      else targets[i * k + y[i]] = 1;
    }
    const { weights, epochs } = train(X, targets, width, k === 2 ? "logistic" : "softmax", this.params, ctx);
    this.fitted = { weights, yMean: 0, yScale: 1, epochs };
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const p = Network.from(this.state().weights).forward(X);
    if (this.nClasses > 2) return p;
    const out = new Float64Array(X.rows * 2);
    for (let i = 0; i < X.rows; i++) {
      out[2 * i] = 1 - p[i];
      out[2 * i + 1] = p[i];
    }
    return out;
  }
}
