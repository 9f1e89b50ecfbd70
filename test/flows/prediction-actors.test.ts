/**
 * runPrediction from `predictionActors(ports)`: a cloud prediction that fails (function missing, endpoint
 * down, timeout) is run on this machine instead, the user is told why, and the cloud job's staged files are
 * removed; a local run needs no fallback.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import type {
  CloudPredictionProvider,
  PredictionRequest,
  PredictionResult,
} from "../../src/cloud/provider-interface.js";
import { CloudConfigurationError, LambdaTimeoutError } from "../../src/errors.js";
import type { FlowPorts } from "../../src/flows/ports.js";
import { predictionActors } from "../../src/flows/prediction/actors.js";
import type { RunInput } from "../../src/flows/prediction/types.js";

let dir: string;
let storage: LocalStorageManager;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sma-predict-actors-"));
  storage = new LocalStorageManager(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A provider that writes a two-row predictions file, or fails with `failure`. */
function provider(name: "local" | "aws", calls: string[], failure?: Error): CloudPredictionProvider {
  return {
    provider: name,
    async invokePrediction(request: PredictionRequest): Promise<PredictionResult> {
      calls.push(`${name} invoke ${request.jobId}`);
      if (failure) throw failure;
      await storage.writeBytes(request.outputUri, "x,y_predicted\n1,2\n3,4\n", { userId: request.userId });
      return { success: true, outputUri: request.outputUri, numPredictions: 2, executionTime: 0.1, cost: 0 };
    },
    invokeAsync: async () => "",
    checkJobStatus: async () => ({ jobId: "", status: "pending", progress: 0 }),
    releaseJob: async (jobId: string) => void calls.push(`${name} release ${jobId}`),
  };
}

function run(providers: Record<string, CloudPredictionProvider | Error>, chosen: RunInput["provider"]) {
  const ports = {
    storage,
    userData: { recordJobCost: async () => undefined },
    prediction: (name: string) => {
      const p = providers[name];
      if (p instanceof Error) throw p;
      return p;
    },
    stagingDir: join(dir, "staging"),
  } as unknown as FlowPorts;
  const input: RunInput = {
    jobId: `pred-${chosen}-${Date.now().toString(36)}`,
    userId: 5,
    provider: chosen,
    modelUri: storage.modelUri(5, "m-1"),
    dataUri: storage.uriFor("datasets/user_5/ds-1.csv"),
    inputFileName: "new rows.csv",
    predictionColumn: "y_predicted",
    nRows: 2,
    dataSizeBytes: 20,
  };
  return toPromise(createActor(predictionActors(ports).runPrediction, { input }).start());
}

describe("runPrediction", () => {
  it("falls back to this machine when the cloud prediction fails, says why, and cleans the cloud job up", async () => {
    const calls: string[] = [];
    const timeout = new LambdaTimeoutError("The prediction function ran out of time.");
    const outcome = await run(
      { aws: provider("aws", calls, timeout), local: provider("local", calls) },
      "aws",
    );
    expect(outcome.fallback).toEqual({ provider: "aws", reason: "The prediction function ran out of time." });
    expect(outcome.numPredictions).toBe(2);
    expect(outcome.preview.rows).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(calls.map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual([
      "aws invoke",
      "local invoke",
      "aws release",
    ]);
  });

  it("falls back too when the cloud provider is not there at all", async () => {
    const calls: string[] = [];
    const missing = new CloudConfigurationError("aws prediction is not configured on this bot.");
    const outcome = await run({ aws: missing, local: provider("local", calls) }, "aws");
    expect(outcome.fallback?.reason).toBe("aws prediction is not configured on this bot.");
  });

  it("runs on this machine without any fallback when that was the choice", async () => {
    const calls: string[] = [];
    const outcome = await run({ local: provider("local", calls) }, "local");
    expect(outcome.fallback).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
