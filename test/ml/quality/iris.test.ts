/** Every model on iris.csv (target `species`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { BASELINES, expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

describe("quality on iris", () => {
  for (const model of Object.keys(BASELINES.iris)) {
    it(
      `${model} reaches the band`,
      async () => {
        const frame = await loadFixture("iris");
        expectWithinBand(
          "iris",
          model,
          "classification",
          meanScore(frame, model, "classification", "species"),
        );
      },
      QUALITY_TIMEOUT_MS,
    );
  }
});
