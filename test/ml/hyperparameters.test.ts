/** The registry and hyperparameter validation (STYLE R20 message shape). */
import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "../../src/errors.js";
import { getModelSpec, MODEL_REGISTRY, validateHyperparameters } from "../../src/ml/index.js";

describe("MODEL_REGISTRY", () => {
  it("has the model ids with tasks, display names and parseable defaults", () => {
    expect(MODEL_REGISTRY.map((s) => s.id)).toEqual([
      "linear",
      "ridge",
      "lasso",
      "elasticnet",
      "polynomial",
      "logistic",
      "decision_tree",
      "random_forest",
      "gradient_boosting",
      "svm",
      "naive_bayes",
      "mlp",
      "knn",
      "hist_gradient_boosting",
      "xgboost",
      "lightgbm",
      "catboost",
      "auto",
    ]);
    for (const s of MODEL_REGISTRY) {
      expect(s.tasks.length).toBeGreaterThan(0);
      expect(() => s.params.parse({})).not.toThrow();
      for (const [key, values] of Object.entries(s.choices ?? {})) {
        for (const v of values) expect(() => validateHyperparameters(s.id, { [key]: v })).not.toThrow();
      }
    }
    expect(getModelSpec("mlp").displayName).toBe("Neural network (MLP)");
  });

  it("carries the original's defaults", () => {
    expect(validateHyperparameters("random_forest", {})).toMatchObject({ nEstimators: 100, maxDepth: null });
    expect(validateHyperparameters("gradient_boosting", {})).toMatchObject({
      nEstimators: 100,
      maxDepth: 3,
      learningRate: 0.1,
    });
    expect(validateHyperparameters("svm", {})).toMatchObject({
      C: 1,
      kernel: "rbf",
      gamma: "scale",
      probability: true,
    });
    expect(validateHyperparameters("mlp", {})).toMatchObject({
      hiddenLayerSizes: [100],
      alpha: 1e-4,
      maxIter: 200,
    });
    expect(validateHyperparameters("elasticnet", {})).toMatchObject({
      alpha: 1,
      l1Ratio: 0.5,
      maxIter: 1000,
    });
    expect(validateHyperparameters("naive_bayes", {})).toEqual({ varSmoothing: 1e-9 });
  });

  it("maps the original's ids and rejects unknown ones", () => {
    expect(getModelSpec("random_forest_regression").id).toBe("random_forest");
    expect(getModelSpec("MLP_Classification").id).toBe("mlp");
    expect(getModelSpec("xgboost_binary_classification").id).toBe("xgboost");
    expect(getModelSpec("lightgbm_regression").id).toBe("lightgbm");
    expect(getModelSpec("catboost_multiclass").id).toBe("catboost");
    expect(() => getModelSpec("keras_regression")).toThrow(InvalidParameterError);
  });

  it("accepts each library's own snake_case parameter names", () => {
    expect(
      validateHyperparameters("xgboost", { n_estimators: "50", colsample_bytree: 0.5, reg_lambda: 2 }),
    ).toMatchObject({ nEstimators: 50, colsampleBytree: 0.5, regLambda: 2, maxDepth: 6, subsample: 0.8 });
    expect(validateHyperparameters("lightgbm", { num_leaves: 15, bagging_freq: 0 })).toMatchObject({
      numLeaves: 15,
      baggingFreq: 0,
      minDataInLeaf: 20,
    });
    expect(validateHyperparameters("catboost", { l2_leaf_reg: 5 })).toMatchObject({
      l2LeafReg: 5,
      iterations: 1000,
    });
    expect(() => validateHyperparameters("xgboost", { max_depth: 0 })).toThrow(
      "The 'maxDepth' parameter of XGBoost must be an integer in [1, 64]. Got 0.",
    );
  });
});

describe("validateHyperparameters", () => {
  it("uses one message shape for every bound", () => {
    expect(() => validateHyperparameters("decision_tree", { maxDepth: 0 })).toThrow(
      "The 'maxDepth' parameter of DecisionTree must be an integer in [1, 64] or None. Got 0.",
    );
    expect(() => validateHyperparameters("svm", { kernel: "poly" })).toThrow(
      "The 'kernel' parameter of SVM must be a str among {'rbf', 'linear'}. Got 'poly'.",
    );
    expect(() => validateHyperparameters("random_forest", { nEstimators: 2.5 })).toThrow(
      /must be an integer in \[1, 1000\]\. Got 2\.5\./,
    );
    expect(() => validateHyperparameters("ridge", { alpha: -1 })).toThrow(
      "must be a float in [0, 1000000]. Got -1.",
    );
  });

  it("accepts typed text and fills the defaults", () => {
    expect(
      validateHyperparameters("random_forest", { nEstimators: "200", maxDepth: "none", bootstrap: "false" }),
    ).toMatchObject({
      nEstimators: 200,
      maxDepth: null,
      bootstrap: false,
    });
    expect(validateHyperparameters("mlp", { hiddenLayerSizes: "64, 32" }).hiddenLayerSizes).toEqual([64, 32]);
    expect(validateHyperparameters("svm", { gamma: "0.5" }).gamma).toBe(0.5);
  });

  it("names the valid parameters when given an unknown one", () => {
    expect(() => validateHyperparameters("knn", { k: 3 })).toThrow(
      "'k' is not a parameter of KNeighbors. Valid parameters: nNeighbors, weights, metric.",
    );
    expect(() => validateHyperparameters("linear", { alpha: 1 })).toThrow(/takes no parameters/);
  });
});
