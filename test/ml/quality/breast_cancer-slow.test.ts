/** SVM, kNN and MLP on breast_cancer.csv (target `diagnosis`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

describe("quality on breast_cancer (slower models)", () => {
  for (const model of ["svm", "knn", "mlp"]) {
    it(
      `${model} reaches the band`,
      async () => {
        const frame = await loadFixture("breast_cancer");
        expectWithinBand(
          "breast_cancer",
          model,
          "classification",
          meanScore(frame, model, "classification", "diagnosis"),
        );
      },
      QUALITY_TIMEOUT_MS,
    );
  }
});
