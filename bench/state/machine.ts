/**
 * The benchmark's machine: shaped like the training flow's context (a dataset summary with a dozen columns,
 * target, features, hyperparameters, back-history, job progress) so the snapshot is a realistic size, with a
 * `user.step` event that is always accepted and changes the context.
 */
import { assign, setup } from "xstate";
import type { WorkflowDefinition } from "../../src/state/definitions.js";

interface BenchContext {
  workflowId: string;
  startedAt: string;
  history: string[];
  dataset: { uri: string; nRows: number; columns: Array<{ name: string; type: string; missingPct: number }> };
  target: string;
  features: string[];
  hyperparameters: Record<string, number>;
  job: { jobId: string; progress: number; logTail: string[] };
  steps: number;
}

const machine = setup({
  types: {
    context: {} as BenchContext,
    events: {} as { type: "user.step" },
    input: {} as { workflowId: string },
  },
  guards: { isRunning: ({ context }) => context.job.progress >= 0 },
}).createMachine({
  id: "bench",
  initial: "SELECTING_FEATURES",
  context: ({ input }) => {
    const columns = Array.from({ length: 12 }, (_, i) => ({
      name: `column_${i}`,
      type: "numeric",
      missingPct: 0,
    }));
    return {
      workflowId: input.workflowId,
      startedAt: new Date().toISOString(),
      history: ["CHOOSING_DATA_SOURCE", "AWAITING_DATA", "CONFIRMING_SCHEMA", "SELECTING_TARGET"],
      dataset: { uri: `file:///data/datasets/user_1/${input.workflowId}.csv`, nRows: 442, columns },
      target: "column_11",
      features: columns.slice(0, 11).map((c) => c.name),
      hyperparameters: { maxDepth: 6, nEstimators: 100, learningRate: 0.1 },
      job: { jobId: `${input.workflowId}-t1`, progress: 0, logTail: [] },
      steps: 0,
    };
  },
  states: {
    SELECTING_FEATURES: {
      on: {
        "user.step": {
          guard: "isRunning",
          actions: assign(({ context }) => ({
            steps: context.steps + 1,
            job: {
              ...context.job,
              progress: (context.steps + 1) % 100,
              logTail: [`step ${context.steps + 1}`],
            },
          })),
        },
      },
    },
  },
});

export const benchDefinition: WorkflowDefinition = { type: "bench", version: 1, machine };

export const benchInput = (n: number) => ({ workflowId: `bench${n}` });
