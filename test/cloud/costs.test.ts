/**
 * Costs on the provider side: runtime × the rate captured at launch (with minimum billing, across relaunches),
 * the pre-launch budget check (BudgetExceededError 3004), offers marked over budget, and a running RunPod job
 * whose cost passes its cap being stopped through terminateTraining, as the training flow does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertWithinBudget,
  brokenCap,
  budgetProblem,
  type CostSegment,
  costSoFar,
  maxJobCost,
  runtimeSecondsOf,
} from "../../src/cloud/budget.js";
import { createComputeOffers, type OfferRequest, type OfferSource } from "../../src/cloud/offers.js";
import { BudgetExceededError } from "../../src/errors.js";
import { fixture, irisLaunch, type RunPodWorld, startRunPodWorld, USER_ID } from "./runpod/harness.js";

const T0 = "2026-11-28T10:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);

describe("costSoFar", () => {
  it("is runtime × the launch rate per segment, with minimum billing, summed over relaunches", () => {
    const segments: CostSegment[] = [
      // a spot instance reclaimed after 30 minutes, at its launch rate
      {
        resourceId: "i-1",
        hourlyRate: 0.04,
        startedAt: T0,
        endedAt: at(30).toISOString(),
        minBilledSeconds: 60,
      },
      // a pod that never started, billed its 60-second minimum
      {
        resourceId: "p-1",
        hourlyRate: 0.36,
        startedAt: at(30).toISOString(),
        endedAt: at(30.1).toISOString(),
        minBilledSeconds: 60,
      },
      // the on-demand relaunch, still running at 90 minutes
      { resourceId: "i-2", hourlyRate: 0.096, startedAt: at(31).toISOString(), minBilledSeconds: 60 },
    ];
    const expected = 0.04 * 0.5 + 0.36 / 60 + 0.096 * (59 / 60);
    expect(costSoFar(segments, at(90))).toBeCloseTo(expected, 12);
    expect(runtimeSecondsOf(segments, at(90))).toBeCloseTo(30 * 60 + 6 + 59 * 60, 9);
    expect(costSoFar([], at(90))).toBe(0);
  });
});

describe("pre-launch budget check", () => {
  const limits = { perJob: 10, monthlyLeft: 3.5 };

  it("refuses an estimate over the per-job cap, what is left this month, or the bot's total", () => {
    expect(() => assertWithinBudget(12, limits, "AWS m5.large")).toThrow(
      "AWS m5.large: estimated $12.000 is over your per-job limit of $10.00.",
    );
    const monthly = (() => {
      try {
        assertWithinBudget(4, limits);
      } catch (error) {
        return error;
      }
    })();
    expect(monthly).toBeInstanceOf(BudgetExceededError);
    expect((monthly as BudgetExceededError).code).toBe(3004);
    expect((monthly as Error).message).toBe(
      "This job: estimated $4.000 is more than the $3.50 left of your monthly budget.",
    );
    expect(() => assertWithinBudget(3.5, limits)).not.toThrow();
    expect(() => assertWithinBudget(3, { ...limits, totalLeft: 2 })).toThrow(
      "This job: estimated $3.000 is more than the $2.00 left of this bot's monthly budget for all users.",
    );
    expect(brokenCap(3, { ...limits, totalLeft: 2 })).toEqual({ cap: "total", left: 2 });
    expect(maxJobCost({ ...limits, totalLeft: 2 })).toBe(2);
    expect(budgetProblem(0, { perJob: 0, monthlyLeft: 0 })).toBeUndefined(); // local work is free
  });

  it("marks the offers a user's budget does not allow", async () => {
    const source: OfferSource = {
      offers: async () => [
        {
          provider: "aws",
          computeType: "m5.large",
          label: "AWS m5.large",
          spot: false,
          gpu: false,
          hourlyRate: 0.096,
          estimatedMinutes: 30,
          estimatedCost: 0.05,
          priceSource: "static",
        },
        {
          provider: "aws",
          computeType: "r5.2xlarge",
          label: "AWS r5.2xlarge",
          spot: false,
          gpu: false,
          hourlyRate: 0.504,
          estimatedMinutes: 600,
          estimatedCost: 5.04,
          priceSource: "static",
        },
      ],
    };
    const port = createComputeOffers({
      training: [source],
      budgetOf: async () => ({ perJob: 1, monthlyLeft: 50 }),
    });
    const request: OfferRequest = {
      userId: 1,
      modelType: "random_forest",
      nRows: 1000,
      nColumns: 10,
      sizeBytes: 80_000,
    };
    const offers = await port.trainingOffers(request);
    expect(offers.map((o) => [o.computeType, o.overBudget])).toEqual([
      ["local", undefined],
      ["m5.large", undefined],
      ["r5.2xlarge", "estimated $5.040 is over your per-job limit of $1.00"],
    ]);
    // A user outside the paid allow-list is offered this machine only, and no provider is even asked.
    let asked = 0;
    const counted: OfferSource = {
      offers: async (r) => {
        asked++;
        return source.offers(r);
      },
    };
    const guarded = createComputeOffers({ training: [counted], mayPay: (userId) => userId === 2 });
    expect((await guarded.trainingOffers(request)).map((o) => o.label)).toEqual(["This machine"]);
    expect(asked).toBe(0);
    expect(await guarded.trainingOffers({ ...request, userId: 2 })).toHaveLength(3);
  });
});

describe("a running job that reaches its cap", () => {
  let world: RunPodWorld;
  beforeAll(async () => {
    world = await startRunPodWorld({ pullMs: 50 });
    world.fake.pods.runWorkers = false;
  });
  afterAll(() => world.close());

  it("is stopped through terminateTraining, and its cost is final once the pod is gone", async () => {
    const datasetUri = await world.storage.uploadDataset(USER_ID, fixture("iris.csv"), "iris.csv");
    let now = new Date();
    const manager = world.manager({}, { now: () => now });
    const config = irisLaunch(datasetUri);
    const job = await manager.launchTraining(config);
    const cap = 0.05;
    // What the flow's monitor does: poll, compare costSoFar with the cap, terminate at the cap.
    let status = await manager.monitorTraining(config.jobId);
    while (status.costSoFar < cap) {
      now = new Date(now.getTime() + 60_000);
      status = await manager.monitorTraining(config.jobId);
    }
    await manager.terminateTraining(config.jobId);
    expect(world.fake.pods.get(job.resourceId!)).toBeUndefined();
    expect(world.fake.leaks().pods).toEqual([]);
    const final = await manager.monitorTraining(config.jobId);
    expect(final.status).toBe("cancelled");
    now = new Date(now.getTime() + 60 * 60_000);
    const later = await manager.monitorTraining(config.jobId);
    expect(later.costSoFar).toBe(final.costSoFar); // nothing accrues after the confirmed termination
    expect(final.costSoFar).toBeGreaterThanOrEqual(cap);
    expect(final.costSoFar).toBeLessThan(cap + (0.27 / 60) * 1.01); // at most one more minute at the pod's rate
  });
});
