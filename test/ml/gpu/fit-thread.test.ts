import { describe, expect, it } from "vitest";
import { fitInThread } from "../../../src/worker/fit-thread.js";
import { fixturePath } from "../helpers/fixtures.js";

describe("the worker's fit thread with device gpu (SwiftShader)", { timeout: 120_000 }, () => {
  it("reports the adapter at the start, trains on it, and the thread ends", async () => {
    const lines: string[] = [];
    const { result, compute } = await fitInThread(
      fixturePath("iris.csv"),
      {
        modelType: "mlp",
        task: "classification",
        target: "species",
        features: [],
        hyperparameters: { maxIter: 5 },
      },
      { onAdapter: (line) => lines.push(line) },
      "gpu",
    );
    expect(lines).toEqual([expect.stringMatching(/^GPU adapter: SwiftShader.*\(WebGPU\/Vulkan\)$/)]);
    expect(compute.device).toBe("gpu");
    expect(result.model.modelType).toBe("mlp");
  });
});
