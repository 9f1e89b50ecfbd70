/**
 * The prediction workflow. Pure; actors come from `predictionActors(ports)`.
 *
 *   SELECTING_MODEL (loading → ready) ─pick→ AWAITING_DATA ─file→ (checking) → RUNNING_PREDICTION → COMPLETE
 *   FAILED and CANCELLED from anywhere that can.
 */
import { assign, fromPromise, setup } from "xstate";
import type { PredictionResult } from "../../cloud/provider-interface.js";
import type { DatasetSummary, ErrorInfo, ModelChoice } from "../ports.js";

export const PREDICTION_MACHINE_VERSION = 1;

export interface PredictionInput {
  workflowId: string;
  userId: number;
  chatId: number;
  startedAt: string;
  /** Preselected model (from "Predict now" or /models). */
  modelId?: string;
}

export interface PredictionOutcome extends PredictionResult {
  /** Local copy of the predictions file, ready to send. */
  localPath: string;
  fileName: string;
  /** The first rows, for the result card's preview table. */
  preview: { columns: string[]; rows: string[][] };
}

export interface PredictionContext extends PredictionInput {
  history: string[];
  models: ModelChoice[];
  model?: ModelChoice;
  upload?: { stagingPath: string; fileName: string; sizeBytes: number; messageId?: number };
  dataset?: DatasetSummary;
  /** The user's message with the data, which the predictions file answers. */
  replyTo?: number;
  predictionColumn?: string;
  jobId?: string;
  result?: PredictionOutcome;
  error?: ErrorInfo;
  runs: number;
}

export type PredictionEvent =
  | { type: "user.pickModel"; modelId: string }
  | {
      type: "user.fileReceived";
      stagingPath: string;
      fileName: string;
      sizeBytes: number;
      messageId?: number;
    }
  | { type: "user.cancel"; replaced?: boolean }
  | { type: "user.done" };

export interface RunInput {
  jobId: string;
  userId: number;
  modelUri: string;
  dataUri: string;
  inputFileName: string;
  predictionColumn: string;
}

const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

export const predictionMachine = setup({
  types: {
    context: {} as PredictionContext,
    events: {} as PredictionEvent,
    input: {} as PredictionInput,
  },
  actors: {
    listModels: fromPromise<ModelChoice[], { userId: number }>(notProvided("listModels")),
    checkDataset: fromPromise<
      DatasetSummary,
      { userId: number; stagingPath: string; fileName: string; features: string[] }
    >(notProvided("checkDataset")),
    runPrediction: fromPromise<PredictionOutcome, RunInput>(notProvided("runPrediction")),
  },
  guards: {
    isOfferedModel: ({ context, event }) =>
      event.type === "user.pickModel" && context.models.some((m) => m.modelId === event.modelId),
  },
}).createMachine({
  id: "prediction",
  context: ({ input }) => ({ ...input, history: [], models: [], runs: 0 }),
  initial: "SELECTING_MODEL",
  on: { "user.cancel": { target: ".CANCELLED" } },
  states: {
    SELECTING_MODEL: {
      initial: "loading",
      states: {
        loading: {
          invoke: {
            src: "listModels",
            input: ({ context }) => ({ userId: context.userId }),
            onDone: [
              {
                guard: ({ event, context }) =>
                  event.output.some((m: ModelChoice) => m.modelId === context.modelId),
                target: "#prediction.AWAITING_DATA",
                actions: assign({
                  models: ({ event }) => event.output,
                  model: ({ event, context }) =>
                    event.output.find((m: ModelChoice) => m.modelId === context.modelId),
                }),
              },
              { target: "ready", actions: assign({ models: ({ event }) => event.output }) },
            ],
            onError: {
              target: "#prediction.FAILED",
              actions: assign({ error: ({ event }) => event.error as ErrorInfo }),
            },
          },
        },
        ready: {
          on: {
            "user.pickModel": {
              guard: "isOfferedModel",
              target: "#prediction.AWAITING_DATA",
              actions: assign({
                model: ({ context, event }) => context.models.find((m) => m.modelId === event.modelId),
                history: ({ context }) => [...context.history, "SELECTING_MODEL"],
              }),
            },
          },
        },
      },
    },
    AWAITING_DATA: {
      initial: "idle",
      states: {
        idle: {
          on: {
            "user.fileReceived": {
              target: "checking",
              actions: assign({
                upload: ({ event }) => ({
                  stagingPath: event.stagingPath,
                  fileName: event.fileName,
                  sizeBytes: event.sizeBytes,
                  messageId: event.messageId,
                }),
                error: undefined,
              }),
            },
          },
        },
        checking: {
          invoke: {
            src: "checkDataset",
            input: ({ context }) => ({
              userId: context.userId,
              stagingPath: context.upload!.stagingPath,
              fileName: context.upload!.fileName,
              features: context.model!.features,
            }),
            onDone: {
              target: "#prediction.RUNNING_PREDICTION",
              actions: assign(({ context, event }) => {
                const runs = context.runs + 1;
                return {
                  dataset: event.output,
                  replyTo: context.upload?.messageId,
                  upload: undefined,
                  runs,
                  jobId: `${context.workflowId}-p${runs}`,
                  predictionColumn: context.predictionColumn ?? `${context.model!.target}_predicted`,
                };
              }),
            },
            onError: {
              target: "idle",
              actions: assign({ error: ({ event }) => event.error as ErrorInfo, upload: undefined }),
            },
          },
        },
      },
    },
    RUNNING_PREDICTION: {
      invoke: {
        src: "runPrediction",
        input: ({ context }) => ({
          jobId: context.jobId!,
          userId: context.userId,
          modelUri: context.model!.uri,
          dataUri: context.dataset!.uri,
          inputFileName: context.dataset!.fileName,
          predictionColumn: context.predictionColumn!,
        }),
        onDone: { target: "COMPLETE", actions: assign({ result: ({ event }) => event.output }) },
        onError: { target: "FAILED", actions: assign({ error: ({ event }) => event.error as ErrorInfo }) },
      },
    },
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});
