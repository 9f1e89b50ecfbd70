/**
 * The training workflow. Pure: every side effect is an invoked actor provided by `trainingActors(ports)`.
 *
 *   CHOOSING_DATA_SOURCE → AWAITING_DATA (reading) → CONFIRMING_SCHEMA ⇄ SELECTING_TARGET / SELECTING_FEATURES
 *   → SELECTING_MODEL_CATEGORY → CONFIRMING_MODEL → COLLECTING_HYPERPARAMETERS → CHOOSING_TRAINING_LOCATION
 *   → CONFIRMING_INSTANCE_TYPE → LAUNCHING_TRAINING → MONITORING_TRAINING → TERMINATING → TRAINING_COMPLETE
 *   → NAMING_MODEL → COMPLETE;   FAILED and CANCELLED wherever something can fail or be cancelled.
 *
 * Every ending of a job (complete, failed, past its deadline, at its budget, cancelled) goes through
 * TERMINATING: its compute is terminated and the workflow stays there, retrying, until the provider confirms;
 * only then is the user told how it ended.
 *
 * BACK is an explicit transition to the previous step (context.history) and clears what later steps set.
 * Steps with nothing to ask are skipped: hyperparameters for models without any, the location when only this
 * machine is available.
 */
import { assign } from "xstate";
import { dataSteps } from "../shared/choosing-data.js";
import { confirmCost, locationStep } from "../shared/choosing-location.js";
import { modelDisplayName } from "../shared/models.js";
import {
  LAUNCHING_TRAINING,
  MONITORING_TRAINING,
  NAMING_MODEL,
  TERMINATING,
  TRAINING_COMPLETE,
} from "./job-steps.js";
import {
  back,
  COLLECTING_HYPERPARAMETERS,
  CONFIRMING_MODEL,
  CONFIRMING_SCHEMA,
  SELECTING_FEATURES,
  SELECTING_MODEL_CATEGORY,
  SELECTING_TARGET,
} from "./model-steps.js";
import { trainingSetup } from "./setup.js";
import type { TrainingContext } from "./types.js";

export { spotFallbacks } from "./job.js";
export type { TrainingContext, TrainingEvent, TrainingInput, TrainingJobState } from "./types.js";

/** Bump when states or context change shape, with a step in TRAINING_MIGRATIONS (src/flows/versions.ts). */
export const TRAINING_MACHINE_VERSION = 4;

/**
 * Version 2 → 3: TERMINATING replaced CANCELLING, and context gained optional fields. A workflow caught in
 * CANCELLING cannot resume there (its actor changed), so it is closed; every other state carries over.
 */
export function migrateTrainingSnapshot(fromVersion: number, persisted: unknown): unknown | undefined {
  if (fromVersion !== 2) return undefined;
  const value = (persisted as { value?: unknown })?.value;
  return value === "CANCELLING" ? undefined : persisted;
}

/** Version 3 → 4: the screens read the model's display name from context; workflows that chose one get it. */
function addModelName(persisted: unknown): unknown {
  const snapshot = persisted as { context?: Partial<TrainingContext> };
  const modelType = snapshot.context?.modelType;
  if (!modelType) return persisted;
  return { ...snapshot, context: { ...snapshot.context, modelName: modelDisplayName(modelType) } };
}

/** From version n, the step to n + 1 (undefined: the snapshot cannot be carried over). */
export const TRAINING_MIGRATIONS: Record<number, (persisted: unknown) => unknown | undefined> = {
  2: (persisted) => migrateTrainingSnapshot(2, persisted),
  3: addModelName,
};

export const trainingMachine = trainingSetup.createMachine({
  id: "training",
  context: ({ input }) => ({ ...input, history: [], hyperparameters: {}, launches: 0, page: 0 }),
  initial: "CHOOSING_DATA_SOURCE",
  on: {
    "user.cancel": { target: ".CANCELLED", actions: assign({ summary: () => ({ status: "cancelled" }) }) },
  },
  states: {
    ...dataSteps("training", {
      loaded: { target: "ready", actions: "takeSources" },
      loadFailed: { target: "ready", actions: "noSources" },
      templateTarget: "#training.AWAITING_DATA",
      fileAnytime: true,
    }),
    CONFIRMING_SCHEMA,
    SELECTING_TARGET,
    SELECTING_FEATURES,
    SELECTING_MODEL_CATEGORY,
    CONFIRMING_MODEL,
    COLLECTING_HYPERPARAMETERS,
    CHOOSING_TRAINING_LOCATION: locationStep("training", {
      name: "CHOOSING_TRAINING_LOCATION",
      quote: {
        src: "quoteTraining",
        input: ({ context }: { context: TrainingContext }) => ({
          userId: context.userId,
          modelType: context.modelType!,
          dataset: context.dataset!,
          hyperparameters: context.hyperparameters,
          target: context.target,
          task: context.task,
        }),
      },
      free: { target: "#training.LAUNCHING_TRAINING", actions: ["takeOnlyOffer", "prepareLaunch"] },
      picked: { target: "#training.CONFIRMING_INSTANCE_TYPE", actions: "disallowSpot" },
      back: back("COLLECTING_HYPERPARAMETERS", "CONFIRMING_MODEL", "CONFIRMING_SCHEMA"),
    }),
    CONFIRMING_INSTANCE_TYPE: {
      on: {
        "user.allowSpot": {
          guard: "hasSpotFallback",
          actions: assign({ allowSpot: ({ event }) => event.allow }),
        },
        "user.launch": confirmCost("LAUNCHING_TRAINING", "prepareLaunch"),
        "user.back": back("CHOOSING_TRAINING_LOCATION"),
      },
    },
    LAUNCHING_TRAINING,
    MONITORING_TRAINING,
    TERMINATING,
    TRAINING_COMPLETE,
    NAMING_MODEL,
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});
