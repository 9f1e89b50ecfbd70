/** The cheaper models on breast_cancer.csv (target `diagnosis`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { BASELINES, expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

const SLOW = ["svm", "knn", "mlp"];

describe("quality on breast_cancer", () => {
  // SVM, kNN and MLP are in breast_cancer-slow.test.ts so each file stays well under a minute.
  for (const model of Object.keys(BASELINES.breast_cancer).filter((m) => !SLOW.includes(m))) {
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
