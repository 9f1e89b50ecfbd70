/**
 * The training workflow. Pure: every side effect is an invoked actor whose implementation is provided by
 * `trainingActors(ports)` (src/flows/training/actors.ts). Context holds only JSON.
 *
 *   AWAITING_DATA ─file→ (ingesting) → CONFIRMING_SCHEMA ─accept→ CONFIRMING_MODEL ─pick→ LAUNCHING_TRAINING
 *   → MONITORING_TRAINING → TRAINING_COMPLETE ─done→ COMPLETE;   FAILED and CANCELLED from anywhere that can.
 */
import { assign, fromCallback, fromPromise, setup } from "xstate";
import type { TrainingJob, TrainingStatus } from "../../cloud/provider-interface.js";
import type { Task } from "../../ml/types.js";
import type { DatasetSummary, ErrorInfo } from "../ports.js";

export const TRAINING_MACHINE_VERSION = 1;

export interface TrainingInput {
  workflowId: string;
  userId: number;
  chatId: number;
  startedAt: string;
}

export interface TrainingJobState {
  jobId: string;
  modelId: string;
  provider: "local" | "aws" | "runpod";
  computeType: string;
  hourlyRate: number;
  deadline: string;
  launchedAt?: string;
  status: TrainingStatus["status"];
  progress: number;
  phase?: string;
  message?: string;
  queuePosition?: number;
  logTail: string[];
  costSoFar: number;
  runtimeSeconds: number;
}

export interface TrainingResult {
  modelId: string;
  modelUri: string;
  summary: Record<string, unknown>;
  runtimeSeconds: number;
  cost: number;
}

export interface TrainingContext extends TrainingInput {
  history: string[];
  upload?: { stagingPath: string; fileName: string; sizeBytes: number };
  dataset?: DatasetSummary;
  target?: string;
  task?: Task;
  features?: string[];
  modelType?: string;
  hyperparameters: Record<string, unknown>;
  job?: TrainingJobState;
  result?: TrainingResult;
  error?: ErrorInfo;
  /** Attempts so far, used to derive a fresh, deterministic job id per launch. */
  launches: number;
}

export type TrainingEvent =
  | {
      type: "user.fileReceived";
      stagingPath: string;
      fileName: string;
      sizeBytes: number;
      messageId?: number;
    }
  | { type: "user.acceptSchema" }
  | { type: "user.pickModel"; modelType: string }
  | { type: "user.done" }
  | { type: "user.cancel"; replaced?: boolean }
  | { type: "job.progress"; status: TrainingStatus }
  | { type: "job.completed"; status: TrainingStatus }
  | { type: "job.failed"; error: ErrorInfo };

export interface LaunchInput {
  jobId: string;
  modelId: string;
  userId: number;
  provider: TrainingJobState["provider"];
  computeType: string;
  datasetUri: string;
  modelType: string;
  task: Task;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
}

export interface MonitorInput {
  jobId: string;
  provider: TrainingJobState["provider"];
  deadline: string;
}

const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

export const trainingMachine = setup({
  types: {
    context: {} as TrainingContext,
    events: {} as TrainingEvent,
    input: {} as TrainingInput,
  },
  actors: {
    ingestDataset: fromPromise<DatasetSummary, { userId: number; stagingPath: string; fileName: string }>(
      notProvided("ingestDataset"),
    ),
    launchTraining: fromPromise<TrainingJob, LaunchInput>(notProvided("launchTraining")),
    monitorTraining: fromCallback<TrainingEvent, MonitorInput>(notProvided("monitorTraining")),
    terminateTraining: fromPromise<void, { jobId: string; provider: TrainingJobState["provider"] }>(
      notProvided("terminateTraining"),
    ),
  },
  guards: {
    hasSuggestedTarget: ({ context }) =>
      Boolean(context.dataset?.suggestion.target && context.dataset.suggestion.task),
    hasTarget: ({ context }) => Boolean(context.target && context.task && context.features?.length),
    isKnownModel: ({ event }) => event.type === "user.pickModel" && /^[a-z_]{2,40}$/.test(event.modelType),
  },
  actions: {
    recordError: assign({
      error: ({ event }) => (event as unknown as { error: unknown }).error as ErrorInfo,
    }),
  },
}).createMachine({
  id: "training",
  context: ({ input }) => ({ ...input, history: [], hyperparameters: {}, launches: 0 }),
  initial: "AWAITING_DATA",
  on: {
    "user.cancel": { target: ".CANCELLED" },
  },
  states: {
    AWAITING_DATA: {
      initial: "idle",
      states: {
        idle: {
          on: {
            "user.fileReceived": {
              target: "ingesting",
              actions: assign({
                upload: ({ event }) => ({
                  stagingPath: event.stagingPath,
                  fileName: event.fileName,
                  sizeBytes: event.sizeBytes,
                }),
                error: undefined,
              }),
            },
          },
        },
        ingesting: {
          invoke: {
            src: "ingestDataset",
            input: ({ context }) => ({
              userId: context.userId,
              stagingPath: context.upload!.stagingPath,
              fileName: context.upload!.fileName,
            }),
            onDone: {
              target: "#training.CONFIRMING_SCHEMA",
              actions: assign({ dataset: ({ event }) => event.output, upload: undefined }),
            },
            onError: {
              target: "idle",
              actions: assign({ error: ({ event }) => event.error as ErrorInfo, upload: undefined }),
            },
          },
        },
      },
    },
    CONFIRMING_SCHEMA: {
      on: {
        "user.acceptSchema": {
          guard: "hasSuggestedTarget",
          target: "CONFIRMING_MODEL",
          actions: assign({
            target: ({ context }) => context.dataset!.suggestion.target!,
            task: ({ context }) => context.dataset!.suggestion.task!,
            features: ({ context }) => context.dataset!.suggestion.features,
            history: ({ context }) => [...context.history, "CONFIRMING_SCHEMA"],
          }),
        },
      },
    },
    CONFIRMING_MODEL: {
      on: {
        "user.pickModel": {
          guard: "isKnownModel",
          target: "LAUNCHING_TRAINING",
          actions: assign(({ context, event }) => {
            const launches = context.launches + 1;
            const jobId = `${context.workflowId}-t${launches}`;
            return {
              modelType: event.modelType,
              launches,
              history: [...context.history, "CONFIRMING_MODEL"],
              error: undefined,
              job: {
                jobId,
                modelId: `m-${jobId}`,
                provider: "local" as const,
                computeType: "local",
                hourlyRate: 0,
                deadline: "",
                status: "launching" as const,
                progress: 0,
                logTail: [],
                costSoFar: 0,
                runtimeSeconds: 0,
              },
            };
          }),
        },
      },
    },
    LAUNCHING_TRAINING: {
      invoke: {
        src: "launchTraining",
        input: ({ context }) => ({
          jobId: context.job!.jobId,
          modelId: context.job!.modelId,
          userId: context.userId,
          provider: context.job!.provider,
          computeType: context.job!.computeType,
          datasetUri: context.dataset!.uri,
          modelType: context.modelType!,
          task: context.task!,
          target: context.target!,
          features: context.features!,
          hyperparameters: context.hyperparameters,
        }),
        onDone: {
          target: "MONITORING_TRAINING",
          actions: assign({
            job: ({ context, event }) => ({
              ...context.job!,
              launchedAt: event.output.launchTime,
              deadline: event.output.deadline,
              hourlyRate: event.output.hourlyRate,
              status: event.output.status === "queued" ? "queued" : "running",
            }),
          }),
        },
        onError: { target: "FAILED", actions: "recordError" },
      },
      on: { "user.cancel": { target: "CANCELLING" } },
    },
    MONITORING_TRAINING: {
      invoke: {
        src: "monitorTraining",
        input: ({ context }) => ({
          jobId: context.job!.jobId,
          provider: context.job!.provider,
          deadline: context.job!.deadline,
        }),
      },
      on: {
        "job.progress": {
          actions: assign({ job: ({ context, event }) => mergeStatus(context.job!, event.status) }),
        },
        "job.completed": {
          target: "TRAINING_COMPLETE",
          actions: assign(({ context, event }) => ({
            job: mergeStatus(context.job!, event.status),
            result: {
              modelId: context.job!.modelId,
              modelUri: event.status.outputUri ?? "",
              summary: event.status.summary ?? {},
              runtimeSeconds: event.status.runtimeSeconds,
              cost: event.status.costSoFar,
            },
          })),
        },
        "job.failed": { target: "FAILED", actions: "recordError" },
        "user.cancel": { target: "CANCELLING" },
      },
    },
    CANCELLING: {
      invoke: {
        src: "terminateTraining",
        input: ({ context }) => ({ jobId: context.job!.jobId, provider: context.job!.provider }),
        onDone: { target: "CANCELLED" },
        onError: { target: "CANCELLED", actions: "recordError" },
      },
      on: { "user.cancel": {} },
    },
    TRAINING_COMPLETE: {
      // The model is saved: leaving this screen completes the workflow rather than cancelling anything.
      on: { "user.done": { target: "COMPLETE" }, "user.cancel": { target: "COMPLETE" } },
    },
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});

function mergeStatus(job: TrainingJobState, status: TrainingStatus): TrainingJobState {
  return {
    ...job,
    status: status.status,
    progress: status.progress,
    phase: status.phase,
    message: status.message,
    queuePosition: status.queuePosition,
    logTail: status.logs.slice(-3),
    costSoFar: status.costSoFar,
    runtimeSeconds: status.runtimeSeconds,
  };
}
