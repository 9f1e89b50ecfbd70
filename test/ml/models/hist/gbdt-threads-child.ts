/**
 * A GBDT's first 2-thread fit after a 2000-row fit in the same process (as the shapes bench runs it: the small
 * fit is below the workers' floor, so the large one is the first to bin on the threads), on the customers
 * shape: cold-fit.test.ts runs it under --trace-deopt and reads the trace after the marker line.
 */
import { shape } from "../../../../bench/ml/shapes.js";
import { createEstimator } from "../../../../src/ml/models/factory.js";
import { Random } from "../../../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../../../src/ml/registry.js";

const d = await shape("customers", 1);
const spec = MODEL_REGISTRY.find((s) => s.id === "xgboost");
if (!spec) throw new Error("no xgboost");
const params = spec.params.parse({ threads: 2, nEstimators: 5 });
const small = 2000;
createEstimator("xgboost", d.task, params, d.nClasses).fit(
  { data: d.Xtrain.data.subarray(0, small * d.Xtrain.cols), rows: small, cols: d.Xtrain.cols },
  d.ytrain.subarray(0, small),
  { rng: new Random(43) },
);
console.log("=== small fit done");
createEstimator("xgboost", d.task, params, d.nClasses).fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
process.exit(0);
