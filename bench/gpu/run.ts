/**
 * `npm run bench:gpu [-- --scale 0.01 --rounds 100 --epochs 10 --big]`: our WebGPU backend vs our CPU engine (all cores) vs
 * XGBoost `hist` (CPU, all cores) on generated binary data, 1M × 28 (and 10M × 28 with --big), and the MLP on
 * 1M × 64 (GPU vs CPU). Prints seconds, ratios and held-out accuracy. --scale shrinks every size (0.01 →
 * 10k rows) for machines without a GPU: on SwiftShader (VK_ICD_FILENAMES=/usr/lib/chromium/
 * vk_swiftshader_icd.json) only the accuracies mean anything.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { adapterLabel, gpuContext, releaseGpu } from "../../src/ml/gpu/device.js";
import { fitOnGpu } from "../../src/ml/gpu/fit.js";
import { validateHyperparameters } from "../../src/ml/hyperparameters.js";
import { matrixTable } from "../../src/ml/models/hist/columns.js";
import { HistGradientBoostingClassifier } from "../../src/ml/models/hist-gradient-boosting.js";
import { MLPClassifier, type MlpParams } from "../../src/ml/models/mlp.js";
import { Random } from "../../src/ml/random.js";
import { toHistParams } from "../../src/ml/registry-boosting.js";
import { synthetic } from "../ml/synthetic.js";

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const scale = Number(arg("scale") ?? 1);
const big = process.argv.includes("--big");
/** Boosting rounds and MLP epochs (fewer for a quick check on SwiftShader). */
const rounds = Number(arg("rounds") ?? 100);
const epochs = Number(arg("epochs") ?? 10);
const threads = availableParallelism();

function accuracy(proba: Float64Array, y: Float64Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) right += +((proba[2 * i + 1] > 0.5 ? 1 : 0) === y[i]);
  return right / y.length;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, (performance.now() - t0) / 1000];
}

function xgboost(data: ReturnType<typeof synthetic>): { seconds: number; accuracy: number } | null {
  const dir = mkdtempSync(join(tmpdir(), "bench-gpu-"));
  try {
    const save = (name: string, a: Float64Array) => writeFileSync(join(dir, name), Buffer.from(a.buffer));
    save("Xtrain", data.Xtrain.data);
    save("ytrain", data.ytrain);
    save("Xtest", data.Xtest.data);
    save("ytest", data.ytest);
    const script = `
import sys, time, numpy as np, xgboost as xgb
d, c = sys.argv[1], int(sys.argv[2])
r = lambda n: np.fromfile(f"{d}/{n}", dtype="<f8")
X, y, Xt, yt = r("Xtrain").reshape(-1, c), r("ytrain"), r("Xtest").reshape(-1, c), r("ytest")
m = xgb.XGBClassifier(n_estimators=${rounds}, max_depth=6, learning_rate=0.1, subsample=0.8, colsample_bytree=0.8,
                      tree_method="hist", nthread=${threads}, random_state=42)
t = time.perf_counter(); m.fit(X, y); s = time.perf_counter() - t
print(s, float((m.predict(Xt) == yt).mean()))`;
    const out = execFileSync("/usr/bin/python3", ["-c", script, dir, String(data.Xtrain.cols)], {
      encoding: "utf8",
    });
    const [seconds, acc] = out.trim().split(/\s+/).map(Number);
    return { seconds, accuracy: acc };
  } catch (error) {
    console.log(`  XGBoost not run: ${(error as Error).message.split("\n")[0]}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function boosting(n: number): Promise<void> {
  const data = synthetic("classification", n, 28);
  console.log(`\nBoosting (xgboost settings, ${rounds} rounds), ${n} × 28 binary`);
  const settings = validateHyperparameters("xgboost", { nEstimators: rounds });
  const params = { ...toHistParams("xgboost", settings), threads };
  const cpu = new HistGradientBoostingClassifier(params);
  const [, cpuSeconds] = await timed(() =>
    cpu.fitTable(matrixTable(data.Xtrain), data.ytrain, { rng: new Random(1) }),
  );
  const cpuAcc = accuracy(cpu.predictProbaTable(matrixTable(data.Xtest)), data.ytest);
  console.log(`  our CPU (${threads} threads): ${cpuSeconds.toFixed(2)} s, accuracy ${cpuAcc.toFixed(4)}`);
  const gpu = await gpuContext();
  if (gpu) {
    const est = new HistGradientBoostingClassifier(params);
    const [, s] = await timed(() =>
      fitOnGpu(gpu, est, matrixTable(data.Xtrain), data.ytrain, { rng: new Random(1) }),
    );
    const acc = accuracy(est.predictProbaTable(matrixTable(data.Xtest)), data.ytest);
    console.log(
      `  our GPU: ${s.toFixed(2)} s (${(cpuSeconds / s).toFixed(2)}× our CPU), accuracy ${acc.toFixed(4)}`,
    );
  }
  const xgb = xgboost(data);
  if (xgb) {
    console.log(
      `  XGBoost hist (CPU): ${xgb.seconds.toFixed(2)} s (our CPU / XGBoost ${(cpuSeconds / xgb.seconds).toFixed(2)}), accuracy ${xgb.accuracy.toFixed(4)}`,
    );
  }
}

async function mlp(n: number): Promise<void> {
  const data = synthetic("classification", n, 64);
  console.log(`\nMLP (100 units, ${epochs} epochs, no early stopping), ${n} × 64 binary`);
  const params = {
    ...(validateHyperparameters("mlp", {}) as unknown as MlpParams),
    maxIter: epochs,
    earlyStopping: false,
  };
  const cpu = new MLPClassifier(params);
  const [, cpuSeconds] = await timed(() => cpu.fit(data.Xtrain, data.ytrain, { rng: new Random(1) }));
  const cpuAcc = accuracy(cpu.predictProba(data.Xtest), data.ytest);
  console.log(`  our CPU: ${cpuSeconds.toFixed(2)} s, accuracy ${cpuAcc.toFixed(4)}`);
  const gpu = await gpuContext();
  if (!gpu) return;
  const est = new MLPClassifier(params);
  const [, s] = await timed(() => fitOnGpu(gpu, est, data.Xtrain, data.ytrain, { rng: new Random(1) }));
  const acc = accuracy(est.predictProba(data.Xtest), data.ytest);
  console.log(
    `  our GPU: ${s.toFixed(2)} s (${(cpuSeconds / s).toFixed(2)}× our CPU), accuracy ${acc.toFixed(4)}`,
  );
}

const gpu = await gpuContext();
console.log(gpu ? `GPU: ${adapterLabel(gpu.adapter)}` : "No GPU adapter: CPU and XGBoost only.");
console.log(
  `scale ${scale}; the goal on a real GPU: ≥ 5× our CPU engine on 1M × 28 boosting and the 1M × 64 MLP`,
);
await boosting(Math.round(1_000_000 * scale));
if (big) await boosting(Math.round(10_000_000 * scale));
await mlp(Math.round(1_000_000 * scale));
await releaseGpu();
