/**
 * The actors that spend money, `trainingActors(ports)`, in the real training machine with a fake provider:
 * a capacity failure moves on to the next offer; a job that reaches its budget cap is terminated; ten failed
 * polls end the job; and a termination that fails twice is retried, the user being told the outcome only once
 * the provider confirmed it.
 */
import { describe, expect, it } from "vitest";
import { createActor, fromPromise, waitFor } from "xstate";
import type { ComputeOffer } from "../../src/cloud/offers.js";
import type {
  CloudStorageProvider,
  CloudTrainingProvider,
  TrainingJob,
  TrainingLaunchConfig,
  TrainingStatus,
} from "../../src/cloud/provider-interface.js";
import { CapacityError, CloudTrainingError } from "../../src/errors.js";
import type { FlowPorts, UserDataPort } from "../../src/flows/ports.js";
import { trainingActors } from "../../src/flows/training/actors.js";
import { trainingMachine } from "../../src/flows/training/machine.js";
import { TEST_SIGNING_KEY } from "../helpers/app.js";
import { IRIS_SUMMARY, LOCAL_OFFER } from "./fixtures.js";

const offer = (computeType: string, cost: number): ComputeOffer => ({
  provider: "aws",
  computeType,
  label: `AWS ${computeType}`,
  spot: false,
  gpu: false,
  hourlyRate: 0.1,
  estimatedMinutes: 5,
  estimatedCost: cost,
  priceSource: "static",
});
const FIRST = offer("m5.large", 0.2);
const SECOND = offer("c5.large", 0.25);

/** A provider whose behaviour each test scripts; it records every call. */
class FakeProvider implements CloudTrainingProvider {
  readonly provider = "aws" as const;
  readonly calls: string[] = [];
  noCapacity = new Set<string>();
  statuses: Array<TrainingStatus | Error> = [];
  terminateFailures = 0;
  terminated = 0;

  async selectComputeType() {
    return "m5.large";
  }

  async launchTraining(config: TrainingLaunchConfig): Promise<TrainingJob> {
    this.calls.push(`launch ${config.computeType}`);
    if (this.noCapacity.has(config.computeType))
      throw new CapacityError(`AWS has no capacity for ${config.computeType} right now.`);
    return {
      jobId: config.jobId,
      status: "launching",
      launchTime: new Date().toISOString(),
      computeType: config.computeType,
      estimatedCost: 0.2,
      hourlyRate: 0.1,
      deadline: config.deadline,
    };
  }

  async monitorTraining(jobId: string): Promise<TrainingStatus> {
    this.calls.push("poll");
    const next = this.statuses.length > 1 ? this.statuses.shift()! : this.statuses[0];
    if (next instanceof Error) throw next;
    return { ...next, jobId };
  }

  async terminateTraining(jobId: string): Promise<string> {
    this.calls.push("terminate");
    if (this.terminateFailures > 0) {
      this.terminateFailures -= 1;
      throw new CloudTrainingError("AWS has not confirmed the termination yet.");
    }
    this.terminated += 1;
    // Once gone, the job reads as ended (a poll after termination, for the final cost).
    this.statuses = [running(100, 1.3, "cancelled")];
    return jobId;
  }

  async *pollTrainingLogs(): AsyncIterable<string> {}

  async releaseJob(): Promise<void> {
    this.calls.push("release");
  }
}

function running(progress: number, costSoFar: number, status: TrainingStatus["status"] = "running") {
  return { jobId: "", status, progress, runtimeSeconds: 10, logs: [], costSoFar } satisfies TrainingStatus;
}

function ports(provider: FakeProvider, recorded: Array<[string, number]>): FlowPorts {
  const userData = {
    listTemplates: async () => [],
    budget: async () => ({ perTrainingJob: 1, perPrediction: 1, monthly: 50, spentThisMonth: 0 }),
    recordJobCost: async (_user: number, jobId: string, dollars: number) =>
      void recorded.push([jobId, dollars]),
  } as unknown as UserDataPort;
  return {
    storage: { listUserDatasets: async () => [] } as unknown as CloudStorageProvider,
    userData,
    compute: {
      trainingOffers: async () => [LOCAL_OFFER, FIRST, SECOND],
      predictionOffers: async () => [LOCAL_OFFER],
    },
    training: () => provider,
    prediction: () => {
      throw new Error("no predictions here");
    },
    clock: { now: () => new Date() },
    ingest: {
      describe: async () => {
        throw new Error("no uploads here");
      },
      analyze: async () => {
        throw new Error("no analyses here");
      },
    },
    stagingDir: "/tmp",
    modelSigningKey: TEST_SIGNING_KEY,
    jobDeadlineMinutes: 60,
    pollIntervalMs: 5,
  };
}

/** The real machine with the real actors, except reading the upload (not under test here). */
async function launchOnFirstCloudOffer(provider: FakeProvider) {
  const recorded: Array<[string, number]> = [];
  const machine = trainingMachine.provide({
    actors: {
      ...trainingActors(ports(provider, recorded)),
      ingestDataset: fromPromise(async () => IRIS_SUMMARY),
    },
  });
  const actor = createActor(machine, {
    input: { workflowId: "wf-actors", userId: 9, chatId: 9, startedAt: new Date().toISOString() },
  });
  const states: string[] = [];
  actor.subscribe((s) => states.push(JSON.stringify(s.value)));
  actor.start();
  await waitFor(actor, (s) => s.matches({ CHOOSING_DATA_SOURCE: "ready" }));
  actor.send({
    type: "user.fileReceived",
    stagingPath: "/tmp/iris.csv",
    fileName: "iris.csv",
    sizeBytes: 10,
  });
  await waitFor(actor, (s) => s.matches("CONFIRMING_SCHEMA"));
  actor.send({ type: "user.acceptSchema" });
  actor.send({ type: "user.pickCategory", category: "trees" });
  actor.send({ type: "user.pickModel", modelType: "random_forest" });
  actor.send({ type: "user.paramsDone" });
  await waitFor(actor, (s) => s.matches({ CHOOSING_TRAINING_LOCATION: "ready" }));
  actor.send({ type: "user.pickOffer", index: 1 });
  actor.send({ type: "user.launch" });
  return { actor, states, recorded };
}

const finalState = (s: { status: string }) => s.status === "done";

describe("trainingActors with a fake provider", () => {
  it("no capacity on the chosen offer: the next one is launched, and the attempt is kept with its reason", async () => {
    const provider = new FakeProvider();
    provider.noCapacity.add("m5.large");
    provider.statuses = [running(30, 0.01)];
    const { actor } = await launchOnFirstCloudOffer(provider);
    await waitFor(actor, (s) => s.matches("MONITORING_TRAINING"));
    const job = actor.getSnapshot().context.job!;
    expect(provider.calls.slice(0, 2)).toEqual(["launch m5.large", "launch c5.large"]);
    expect(job.computeType).toBe("c5.large");
    expect(job.attempts).toEqual([
      { offer: "AWS m5.large", reason: "AWS has no capacity for m5.large right now." },
    ]);
    actor.send({ type: "user.cancel" });
    await waitFor(actor, finalState);
  });

  it("the budget cap reached while running: the job is terminated, then fails naming the budget", async () => {
    const provider = new FakeProvider();
    provider.statuses = [running(20, 0.3), running(40, 0.7), running(60, 1.05)];
    const { actor, recorded } = await launchOnFirstCloudOffer(provider);
    await waitFor(actor, finalState);
    const c = actor.getSnapshot().context;
    expect(actor.getSnapshot().value).toBe("FAILED");
    expect(c.error).toMatchObject({ code: 3004, message: "The job reached your budget and was stopped." });
    expect(provider.terminated).toBe(1);
    // The cost is recorded once, after the termination is confirmed: the final one.
    expect(recorded).toEqual([["wf-actors-t1", 1.3]]);
    expect(provider.calls.at(-1)).toBe("release");
  });

  it("ten failed polls in a row end the job as failed (and terminate it)", async () => {
    const provider = new FakeProvider();
    provider.statuses = [new CloudTrainingError("RunPod API unreachable (ECONNRESET).")];
    const { actor } = await launchOnFirstCloudOffer(provider);
    await waitFor(actor, finalState);
    expect(actor.getSnapshot().value).toBe("FAILED");
    expect(actor.getSnapshot().context.error?.message).toBe("RunPod API unreachable (ECONNRESET).");
    const terminate = provider.calls.indexOf("terminate");
    expect(provider.calls.slice(0, terminate)).toEqual(["launch m5.large", ...Array(10).fill("poll")]);
    expect(provider.terminated).toBe(1);
  });

  it("a termination that fails twice is retried; the user is told only once it is confirmed", async () => {
    const provider = new FakeProvider();
    provider.statuses = [running(10, 0.02)];
    provider.terminateFailures = 2;
    const { actor, states } = await launchOnFirstCloudOffer(provider);
    await waitFor(actor, (s) => s.matches("MONITORING_TRAINING"));
    actor.send({ type: "user.cancel" });
    await waitFor(actor, finalState);
    expect(provider.calls.filter((c) => c === "terminate")).toEqual(["terminate", "terminate", "terminate"]);
    // Every state from the cancel on: TERMINATING throughout the retries, CANCELLED only at the very end.
    const fromCancel = states.slice(states.indexOf('"TERMINATING"'));
    expect(new Set(fromCancel.slice(0, -1))).toEqual(new Set(['"TERMINATING"']));
    expect(fromCancel.at(-1)).toBe('"CANCELLED"');
    const ending = actor.getSnapshot().context.ending;
    expect(ending).toMatchObject({ outcome: "cancelled", attempts: 2 });
    expect(ending?.lastError).toBe("AWS has not confirmed the termination yet.");
  });
});
