/**
 * The prediction workflow. Pure; actors come from `predictionActors(ports)`.
 *
 *   CHOOSING_DATA_SOURCE → AWAITING_DATA (reading) → CONFIRMING_SCHEMA → SELECTING_MODEL (compatible models only)
 *   → CONFIRMING_PREDICTION_COLUMN → CHOOSING_PREDICTION_LOCATION → READY_TO_RUN → CHECKING_DRIFT
 *   (→ DRIFT_WARNING: "Predict anyway" or Cancel) → RUNNING_PREDICTION → COMPLETE;
 *   FAILED and CANCELLED wherever something can fail or be cancelled.
 *
 * Steps with nothing to ask are skipped: the model when exactly one fits (or one was preselected), the column
 * when a template fixed it, the location when only this machine is available, the drift warning when the data
 * looks like the training data (or the model has no training profile, or the check itself fails: it never
 * blocks a prediction).
 */
import { assign } from "xstate";
import { backTransitions } from "../shared/back.js";
import { dataSteps } from "../shared/choosing-data.js";
import { confirmCost, locationStep } from "../shared/choosing-location.js";
import { templateNamingStates } from "../shared/naming-template.js";
import { predictionSetup } from "./setup.js";
import { columnNameProblem, forward, uniqueColumn } from "./steps.js";
import type { PredictionContext } from "./types.js";

export type { PredictionContext, PredictionEvent, PredictionInput, PredictionOutcome } from "./types.js";

/** Bump when states or context change shape; 3 added CHECKING_DRIFT, DRIFT_WARNING and `drift`. */
export const PREDICTION_MACHINE_VERSION = 3;

/** Snapshots of version 2 are valid version 3 snapshots: states and context were only added. */
export function migratePrediction(fromVersion: number, persisted: unknown): unknown | undefined {
  return fromVersion === 2 ? persisted : undefined;
}

/** From version n, the step to n + 1 (see src/flows/versions.ts). */
export const PREDICTION_MIGRATIONS: Record<number, (persisted: unknown) => unknown | undefined> = {
  2: (persisted) => migratePrediction(2, persisted),
};

const back = (...targets: string[]) => backTransitions("prediction", ...targets);

export const predictionMachine = predictionSetup.createMachine({
  id: "prediction",
  context: ({ input }) => ({ ...input, history: [], models: [], runs: 0, page: 0 }),
  initial: "CHOOSING_DATA_SOURCE",
  on: {
    "user.cancel": { target: ".CANCELLED", actions: assign({ summary: () => ({ status: "cancelled" }) }) },
  },
  states: {
    ...dataSteps("prediction", {
      loaded: [
        { guard: "hasModels", target: "ready", actions: "takeSources" },
        { target: "#prediction.FAILED", actions: "noModels" },
      ],
      loadFailed: { target: "#prediction.FAILED", actions: "recordError" },
      templateTarget: "ready",
      fileAnytime: false,
    }),
    CONFIRMING_SCHEMA: {
      on: {
        "user.acceptSchema": [
          { guard: "preselectedFits", target: "CONFIRMING_PREDICTION_COLUMN", actions: "selectPreselected" },
          { guard: "oneModelFits", target: "CONFIRMING_PREDICTION_COLUMN", actions: "selectOnlyFit" },
          {
            guard: "someModelFits",
            target: "SELECTING_MODEL",
            actions: assign(({ context }) => ({
              ...forward(context, "CONFIRMING_SCHEMA"),
              notice: undefined,
            })),
          },
          { actions: assign({ notice: { key: "noCompatibleModel" } }) },
        ],
        "user.back": back("CHOOSING_DATA_SOURCE"),
      },
    },
    SELECTING_MODEL: {
      on: {
        "user.pickModel": {
          guard: "isCompatibleModel",
          target: "CONFIRMING_PREDICTION_COLUMN",
          actions: assign(({ context, event }) => ({
            model: context.models.find((m) => m.modelId === event.modelId),
            ...forward(context, "SELECTING_MODEL"),
          })),
        },
        "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
        "user.back": back("CONFIRMING_SCHEMA"),
      },
    },
    CONFIRMING_PREDICTION_COLUMN: {
      always: {
        guard: "columnFixed",
        target: "CHOOSING_PREDICTION_LOCATION",
        actions: assign(({ context }) => ({
          predictionColumn: uniqueColumn(context, context.templateColumn!),
        })),
      },
      on: {
        "user.useDefaultColumn": {
          target: "CHOOSING_PREDICTION_LOCATION",
          actions: assign(({ context }) => ({
            predictionColumn: uniqueColumn(context, `${context.model!.target}_predicted`),
            ...forward(context, "CONFIRMING_PREDICTION_COLUMN"),
            notice: undefined,
          })),
        },
        "user.typedText": [
          {
            guard: "isValidColumnName",
            target: "CHOOSING_PREDICTION_LOCATION",
            actions: assign(({ context, event }) => ({
              predictionColumn: event.text.trim(),
              ...forward(context, "CONFIRMING_PREDICTION_COLUMN"),
              notice: undefined,
            })),
          },
          {
            actions: assign(({ context, event }) => ({
              notice: {
                key: columnNameProblem(context, event.text) ?? "badColumnName",
                params: { name: event.text.trim() },
              },
            })),
          },
        ],
        "user.back": back("SELECTING_MODEL", "CONFIRMING_SCHEMA"),
      },
    },
    CHOOSING_PREDICTION_LOCATION: locationStep("prediction", {
      name: "CHOOSING_PREDICTION_LOCATION",
      quote: {
        src: "quotePrediction",
        input: ({ context }: { context: PredictionContext }) => ({
          userId: context.userId,
          modelType: context.model!.modelType,
          dataset: context.dataset!,
        }),
      },
      free: { target: "#prediction.READY_TO_RUN", actions: "takeOnlyOffer" },
      picked: { target: "#prediction.READY_TO_RUN" },
      back: back("CONFIRMING_PREDICTION_COLUMN", "SELECTING_MODEL", "CONFIRMING_SCHEMA"),
    }),
    READY_TO_RUN: {
      initial: "idle",
      on: {
        "user.run": confirmCost("CHECKING_DRIFT", "clearRun"),
        "user.back": back(
          "CHOOSING_PREDICTION_LOCATION",
          "CONFIRMING_PREDICTION_COLUMN",
          "SELECTING_MODEL",
          "CONFIRMING_SCHEMA",
        ),
      },
      states: templateNamingStates(
        ({ context }: { context: PredictionContext }) => ({
          userId: context.userId,
          name: context.templateName!,
          config: { modelId: context.model!.modelId, predictionColumn: context.predictionColumn! },
        }),
        { backToIdle: false },
      ),
    },
    CHECKING_DRIFT: {
      invoke: {
        src: "checkDrift",
        input: ({ context }) => ({
          userId: context.userId,
          modelUri: context.model!.uri,
          dataUri: context.dataset!.uri,
          fileName: context.dataset!.fileName,
        }),
        onDone: [
          {
            guard: "foundDrift",
            target: "DRIFT_WARNING",
            actions: assign({ drift: ({ event }) => event.output ?? undefined }),
          },
          { target: "RUNNING_PREDICTION", actions: "startRun" },
        ],
        // A check that cannot run (an unreadable profile, a type the prediction will refuse) never blocks.
        onError: { target: "RUNNING_PREDICTION", actions: "startRun" },
      },
    },
    DRIFT_WARNING: {
      on: {
        "user.predictAnyway": { target: "RUNNING_PREDICTION", actions: "startRun" },
        "user.back": { target: "READY_TO_RUN", actions: assign({ drift: undefined }) },
      },
    },
    RUNNING_PREDICTION: {
      invoke: {
        src: "runPrediction",
        input: ({ context }) => ({
          jobId: context.jobId!,
          userId: context.userId,
          provider: context.offer?.provider ?? "local",
          modelUri: context.model!.uri,
          dataUri: context.dataset!.uri,
          inputFileName: context.dataset!.fileName,
          predictionColumn: context.predictionColumn!,
          nRows: context.dataset!.nRows,
          dataSizeBytes: context.dataset!.sizeBytes,
          estimatedCost: context.offer?.estimatedCost ?? 0,
        }),
        onDone: {
          target: "COMPLETE",
          actions: assign(({ context, event }) => ({
            result: event.output,
            summary: {
              status: "complete",
              model: context.model!.name,
              rows: event.output.numPredictions,
              runtimeSeconds: event.output.executionTime,
              cost: event.output.cost,
              where: context.offer?.label ?? "local",
            },
          })),
        },
        onError: {
          target: "FAILED",
          actions: [
            "recordError",
            assign(({ context }) => ({ summary: { status: "failed", model: context.model?.name } })),
          ],
        },
      },
    },
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});
