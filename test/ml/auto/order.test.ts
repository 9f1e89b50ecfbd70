/**
 * Auto mode's candidate order under a tight budget (simulated clock, see auto.test.ts): on small data the SVM,
 * whose fits there are cheaper than the boosters', comes before them, so a budget that ends the search early
 * has still scored it.
 */
import { describe, expect, it, vi } from "vitest";
import { trainModel } from "../../../src/ml/index.js";
import { loadFixture } from "../helpers/fixtures.js";

describe("auto mode's candidate order", () => {
  it("scores the SVM on small data before the budget runs out", async () => {
    const frame = await loadFixture("wine");
    let simulatedMs = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => (simulatedMs += 8));
    try {
      const r = trainModel(frame, {
        modelType: "auto",
        task: "classification",
        target: "cultivar",
        features: [],
        // 4 s on the simulated clock: with the SVM after the forests (as before), even 8 s did not reach it.
        hyperparameters: { timeBudgetMinutes: 4 / 60 },
      });
      const board = r.leaderboard ?? [];
      expect(board.some((e) => e.status === "out_of_time")).toBe(true);
      expect(board.some((e) => e.modelType === "svm")).toBe(true);
    } finally {
      clock.mockRestore();
    }
  });
});
