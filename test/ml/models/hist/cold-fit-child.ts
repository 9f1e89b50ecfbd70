/**
 * A forest's first fit in a fresh process, as a bot's fit thread runs it (no warm-up), on the customers
 * shape: cold-fit.test.ts runs it under --trace-deopt.
 */
import { shape } from "../../../../bench/ml/shapes.js";
import { createEstimator } from "../../../../src/ml/models/factory.js";
import { Random } from "../../../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../../../src/ml/registry.js";

const d = await shape("customers", 0.2);
const spec = MODEL_REGISTRY.find((s) => s.id === "random_forest");
if (!spec) throw new Error("no random_forest");
const params = spec.params.parse({ threads: 1 });
createEstimator("random_forest", d.task, params, d.nClasses).fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
