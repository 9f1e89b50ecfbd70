/** Every model on wine.csv (target `cultivar`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { BASELINES, expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

describe("quality on wine", () => {
  for (const model of Object.keys(BASELINES.wine)) {
    it(
      `${model} reaches the band`,
      async () => {
        const frame = await loadFixture("wine");
        expectWithinBand(
          "wine",
          model,
          "classification",
          meanScore(frame, model, "classification", "cultivar"),
        );
      },
      QUALITY_TIMEOUT_MS,
    );
  }
});
