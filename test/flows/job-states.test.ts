/**
 * JOB_STATES is what the busy guard, /admin's list of running jobs and the reconciler's spared jobs all read:
 * it must name exactly the states in which a machine's actor launches, runs or terminates a job.
 */
import { describe, expect, it } from "vitest";
import { JOB_STATES } from "../../src/flows/index.js";
import { predictionMachine } from "../../src/flows/prediction/machine.js";
import { trainingMachine } from "../../src/flows/training/machine.js";

/** The actors that create compute, hold it, or wait for it to be gone. */
const JOB_ACTORS = new Set(["launchTraining", "monitorTraining", "terminateTraining", "runPrediction"]);

function statesInvoking(machine: typeof trainingMachine | typeof predictionMachine): string[] {
  return Object.entries(machine.config.states ?? {})
    .filter(([, state]) => {
      const invokes = [state?.invoke ?? []].flat() as Array<{ src?: unknown }>;
      return invokes.some((invoke) => typeof invoke.src === "string" && JOB_ACTORS.has(invoke.src));
    })
    .map(([name]) => name);
}

describe("JOB_STATES", () => {
  it("are exactly the training and prediction states whose actor owns a job", () => {
    const owning = [...statesInvoking(trainingMachine), ...statesInvoking(predictionMachine)];
    expect(owning).toContain("TERMINATING");
    expect([...JOB_STATES].sort()).toEqual(owning.sort());
  });
});
