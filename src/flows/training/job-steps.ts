/**
 * The training job's steps: launching (with capacity failover), monitoring, terminating until the provider
 * confirms, the result, and naming the model.
 */
import { assign } from "xstate";
import { cleanName } from "../../state/names.js";
import { templateNamingStates } from "../shared/naming-template.js";
import { costCap } from "../shared/quote.js";
import { historySummary, mergeStatus, rankedFrom } from "./job.js";
import { trainingSetup } from "./setup.js";
import type { TrainingContext } from "./types.js";

/** Cancelling a launched job ends it through TERMINATING, like every other ending. */
const cancelJob = {
  target: "TERMINATING",
  actions: { type: "endAs", params: { outcome: "cancelled" } },
} as const;

export const LAUNCHING_TRAINING = trainingSetup.createStateConfig({
  invoke: {
    src: "launchTraining",
    input: ({ context }) => ({
      jobId: context.job!.jobId,
      modelId: context.job!.modelId,
      userId: context.userId,
      offers: rankedFrom(context),
      datasetUri: context.dataset!.uri,
      modelType: context.modelType!,
      task: context.task!,
      target: context.target!,
      features: context.features!,
      hyperparameters: context.hyperparameters,
      language: context.language,
    }),
    onDone: {
      target: "MONITORING_TRAINING",
      actions: assign({
        job: ({ context, event }) => ({
          ...context.job!,
          provider: event.output.offer.provider,
          computeType: event.output.offer.computeType,
          launchedAt: event.output.job.launchTime,
          deadline: event.output.job.deadline,
          hourlyRate: event.output.job.hourlyRate,
          attempts: event.output.attempts,
          status: event.output.job.status === "queued" ? ("queued" as const) : ("running" as const),
        }),
        offer: ({ event }) => event.output.offer,
      }),
    },
    // A failed launch may still have left something behind (a create that timed out): terminate it too.
    onError: {
      target: "TERMINATING",
      actions: ["recordError", { type: "endAs", params: { outcome: "failed" } }],
    },
  },
  on: {
    "user.cancel": cancelJob,
  },
});

export const MONITORING_TRAINING = trainingSetup.createStateConfig({
  invoke: {
    src: "monitorTraining",
    input: ({ context }) => ({
      jobId: context.job!.jobId,
      userId: context.userId,
      provider: context.job!.provider,
      deadline: context.job!.deadline,
      maxCost: costCap(context.budget),
    }),
  },
  on: {
    "job.progress": {
      actions: assign({ job: ({ context, event }) => mergeStatus(context.job!, event.status) }),
    },
    "job.log": {
      actions: assign({
        job: ({ context, event }) => ({ ...context.job!, logTail: event.lines.slice(-3) }),
      }),
    },
    "job.completed": {
      target: "TERMINATING",
      actions: assign(({ context, event }) => {
        const summary = event.status.summary ?? {};
        const result = {
          modelId: context.job!.modelId,
          modelUri: event.status.outputUri ?? "",
          name: String(summary.name ?? context.modelType),
          summary,
          runtimeSeconds: event.status.runtimeSeconds,
          cost: event.status.costSoFar,
          trainedOn: context.offer?.label ?? "local",
        };
        return {
          job: { ...mergeStatus(context.job!, event.status), metrics: undefined },
          result,
          ending: { outcome: "complete" as const, attempts: 0 },
        };
      }),
    },
    "job.failed": {
      target: "TERMINATING",
      actions: [
        "recordError",
        assign({
          job: ({ context, event }) => ({
            ...context.job!,
            diagnostics: event.diagnostics,
            metrics: undefined,
          }),
        }),
        { type: "endAs", params: { outcome: "failed" } },
      ],
    },
    "user.cancel": cancelJob,
  },
});

export const TERMINATING = trainingSetup.createStateConfig({
  invoke: {
    src: "terminateTraining",
    input: ({ context }) => ({
      jobId: context.job!.jobId,
      provider: context.job!.provider,
      userId: context.userId,
      costSoFar: context.job!.costSoFar,
    }),
  },
  on: {
    "terminate.retrying": {
      actions: assign({
        ending: ({ context, event }) => ({
          ...context.ending!,
          attempts: event.attempt,
          lastError: event.reason,
        }),
      }),
    },
    "terminate.confirmed": [
      {
        guard: { type: "endedAs", params: { outcome: "complete" } },
        target: "TRAINING_COMPLETE",
        actions: assign(({ context, event }) => {
          const result = { ...context.result!, cost: Math.max(event.cost, context.result!.cost) };
          return { result, summary: historySummary(context, result.cost, "complete") };
        }),
      },
      {
        guard: { type: "endedAs", params: { outcome: "failed" } },
        target: "FAILED",
        actions: assign(({ context, event }) => ({
          summary: historySummary(context, event.cost, "failed"),
        })),
      },
      {
        target: "CANCELLED",
        actions: assign(({ context, event }) => ({
          summary: historySummary(context, event.cost, "cancelled"),
        })),
      },
    ],
    // The job is already ending; a second cancel changes nothing.
    "user.cancel": {},
  },
});

export const TRAINING_COMPLETE = trainingSetup.createStateConfig({
  initial: "idle",
  on: {
    "user.nameModel": { target: "NAMING_MODEL", actions: "clearNotice" },
    "user.done": { target: "COMPLETE" },
    // The model is saved: leaving this screen completes the workflow rather than cancelling anything.
    "user.cancel": { target: "COMPLETE" },
  },
  states: templateNamingStates(
    ({ context }: { context: TrainingContext }) => ({
      userId: context.userId,
      name: context.templateName!,
      config: {
        target: context.target!,
        task: context.task!,
        features: context.features!,
        modelType: context.modelType!,
        hyperparameters: context.hyperparameters,
      },
    }),
    { backToIdle: true },
  ),
});

export const NAMING_MODEL = trainingSetup.createStateConfig({
  initial: "typing",
  on: { "user.back": { target: "TRAINING_COMPLETE", actions: "clearNotice" } },
  states: {
    typing: {
      on: {
        "user.typedText": [
          {
            guard: "isValidModelName",
            target: "saving",
            actions: assign(({ context, event }) => ({
              result: { ...context.result!, name: cleanName(event.text) },
              notice: undefined,
            })),
          },
          { actions: assign({ notice: { key: "badModelName" } }) },
        ],
      },
    },
    saving: {
      invoke: {
        src: "renameModel",
        input: ({ context }) => ({
          userId: context.userId,
          modelId: context.result!.modelId,
          name: context.result!.name,
        }),
        onDone: { target: "#training.COMPLETE" },
        onError: { target: "typing", actions: "showError" },
      },
    },
  },
});
