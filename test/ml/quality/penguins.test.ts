/** Every model on penguins.csv (target `Species`) against the scikit-learn band (see helpers/quality.ts). */
import { describe, it } from "vitest";
import { loadFixture } from "../helpers/fixtures.js";
import { BASELINES, expectWithinBand, meanScore, QUALITY_TIMEOUT_MS } from "../helpers/quality.js";

describe("quality on penguins", () => {
  for (const model of Object.keys(BASELINES.penguins)) {
    it(
      `${model} reaches the band`,
      async () => {
        const frame = await loadFixture("penguins");
        expectWithinBand(
          "penguins",
          model,
          "classification",
          meanScore(frame, model, "classification", "Species"),
        );
      },
      QUALITY_TIMEOUT_MS,
    );
  }
});
