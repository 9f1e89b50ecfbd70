/**
 * An entry point for the kernel bundle test: runs each WebAssembly kernel once on fixed inputs. Bundled
 * with esbuild (as the Lambda and worker image are), it must carry the kernels' bytes inside; run as a
 * worker thread, it posts its results back.
 */
import { isMainThread, parentPort } from "node:worker_threads";
import { searchSpace, TILE, writeQueryRecords } from "../../../src/ml/kernels/knn-distance.js";
import { MlpForwardKernel } from "../../../src/ml/kernels/mlp-forward.js";
import { treeKernel } from "../../../src/ml/kernels/predict-trees.js";

/** A stump on feature 0 at 0.5 (missing goes right), leaves −1 and 2, over rows 0.2, 0.9 and NaN. */
function stump(): number[] {
  const { walk, f64, i32 } = treeKernel(65536);
  f64[0] = 0.5; // root: threshold, feature 0 · 8, left child at 16 with bit 0 (missing goes right)
  i32[2] = 0;
  i32[3] = 16 | 1;
  for (const leaf of [16, 32]) {
    f64[leaf / 8] = Number.POSITIVE_INFINITY;
    i32[leaf / 4 + 2] = 0;
    i32[leaf / 4 + 3] = leaf;
  }
  f64.set([-1, 2], (48 + 8) / 8); // values at 48 + address / 2
  f64.set([0.2, 0.9, Number.NaN], 80 / 8);
  walk(0, 1, 80, 8, 112, 8, 136, 148, 48);
  return Array.from(f64.subarray(112 / 8, 112 / 8 + 3));
}

/** A 3 → 5 → 2 network (ReLU hidden layer) on 6 rows. */
function mlp(): number[] {
  const kernel = new MlpForwardKernel([3, 5, 2]);
  const weights = (n: number, s: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * s));
  kernel.load([weights(15, 1.3), weights(10, 0.7)], [weights(5, 2.1), weights(2, 0.4)]);
  const out = new Float64Array(12);
  kernel.run(weights(18, 0.9), 6, out, true, () => {});
  return Array.from(out);
}

/** Euclidean kernel distances of 4 queries to 8 training rows, 3 features. */
function knn(): number[] {
  const X = Float64Array.from({ length: 24 }, (_, i) => Math.cos(i));
  const space = searchSpace({ X, y: new Float64Array(8), rows: 8, cols: 3 });
  writeQueryRecords(
    space,
    { data: Float64Array.from({ length: 12 }, (_, i) => i / 7), rows: 4, cols: 3 },
    0,
    4,
  );
  const out: number[] = [];
  for (let t = 0; t < 2; t++) {
    space.kernels.euclidean(
      space.recordsAt,
      t * 96,
      (t + 1) * 96,
      space.normsAt + t * TILE * 8,
      3,
      space.outAt,
    );
    out.push(...space.f64.subarray(space.outAt / 8, space.outAt / 8 + 16));
  }
  return out;
}

export function runKernels(): { stump: number[]; mlp: number[]; knn: number[] } {
  return { stump: stump(), mlp: mlp(), knn: knn() };
}

if (!isMainThread) parentPort?.postMessage(runKernels());
