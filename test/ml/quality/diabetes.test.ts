/** Every model on diabetes.csv (target `progression`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { BASELINES, expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

describe("quality on diabetes", () => {
  for (const model of Object.keys(BASELINES.diabetes)) {
    it(
      `${model} reaches the band`,
      async () => {
        const frame = await loadFixture("diabetes");
        expectWithinBand(
          "diabetes",
          model,
          "regression",
          meanScore(frame, model, "regression", "progression"),
        );
      },
      QUALITY_TIMEOUT_MS,
    );
  }
});
