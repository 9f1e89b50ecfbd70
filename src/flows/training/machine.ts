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
import { assign, fromCallback, fromPromise, setup } from "xstate";
import type { BudgetLimits } from "../../cloud/budget.js";
import type { TrainingStatus } from "../../cloud/provider-interface.js";
import { getModelSpec } from "../../ml/index.js";
import type { Task } from "../../ml/types.js";
import type {
  ComputeOffer,
  DatasetSummary,
  ErrorInfo,
  StoredDatasetChoice,
  TemplateChoice,
} from "../ports.js";
import { backTransitions } from "../shared/back.js";
import type { DatasetSource } from "../shared/datasets.js";
import { canRetryIngest, firstAttempt, ingestInput, nextAttempt } from "../shared/ingest.js";
import {
  categoriesFor,
  hasHyperparameters,
  isModelFor,
  modelsFor,
  setHyperparameter,
} from "../shared/models.js";
import { costCap, overBudgetNotice, withinBudget } from "../shared/quote.js";
import {
  backTo,
  canUseTask,
  forwardFrom,
  selectionFor,
  setFeatures,
  toggledFeature,
  typedFeatures,
  typedTarget,
  withTarget,
} from "./steps.js";
import type {
  LaunchInput,
  LaunchOutput,
  MonitorInput,
  TerminateInput,
  TrainingContext,
  TrainingEnding,
  TrainingEvent,
  TrainingInput,
  TrainingJobState,
  TrainingTemplateConfig,
} from "./types.js";

export type { TrainingContext, TrainingEvent, TrainingInput, TrainingJobState } from "./types.js";

/** Bump when states or context change shape (src/state migrates or closes older snapshots). */
export const TRAINING_MACHINE_VERSION = 3;

/**
 * Version 2 → 3: TERMINATING replaced CANCELLING, and context gained optional fields. A workflow caught in
 * CANCELLING cannot resume there (its actor changed), so it is closed; every other state carries over.
 */
export function migrateTrainingSnapshot(fromVersion: number, persisted: unknown): unknown | undefined {
  if (fromVersion !== 2) return undefined;
  const value = (persisted as { value?: unknown })?.value;
  return value === "CANCELLING" ? undefined : persisted;
}

const MODEL_NAME = /^[\p{L}\p{N} _.()-]{3,100}$/u;
const TEMPLATE_NAME = /^[\p{L}\p{N} _-]{1,40}$/u;

const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

/** BACK to one of `targets`, whichever was the previous step. */
const back = (...targets: string[]) => backTransitions("training", ...targets);

export const trainingMachine = setup({
  types: {
    context: {} as TrainingContext,
    events: {} as TrainingEvent,
    input: {} as TrainingInput,
  },
  actors: {
    loadSources: fromPromise<
      { datasets: StoredDatasetChoice[]; templates: TemplateChoice[] },
      { userId: number }
    >(notProvided("loadSources")),
    ingestDataset: fromPromise<DatasetSummary, DatasetSource>(notProvided("ingestDataset")),
    quoteTraining: fromPromise<
      { offers: ComputeOffer[]; budget: BudgetLimits },
      {
        userId: number;
        modelType: string;
        dataset: DatasetSummary;
        hyperparameters: Record<string, unknown>;
        target?: string;
        task?: Task;
      }
    >(notProvided("quoteTraining")),
    launchTraining: fromPromise<LaunchOutput, LaunchInput>(notProvided("launchTraining")),
    monitorTraining: fromCallback<TrainingEvent, MonitorInput>(notProvided("monitorTraining")),
    terminateTraining: fromCallback<TrainingEvent, TerminateInput>(notProvided("terminateTraining")),
    renameModel: fromPromise<void, { userId: number; modelId: string; name: string }>(
      notProvided("renameModel"),
    ),
    saveTemplate: fromPromise<void, { userId: number; name: string; config: TrainingTemplateConfig }>(
      notProvided("saveTemplate"),
    ),
  },
  guards: {
    cameFrom: ({ context }, params: { state: string }) => context.history.at(-1) === params.state,
    hasTarget: ({ context }) => Boolean(context.target && context.task),
    hasFeatures: ({ context }) => (context.features?.length ?? 0) > 0,
    canStartModelChoice: ({ context }) =>
      Boolean(context.target && context.task && (context.features?.length ?? 0) > 0),
    templateReady: ({ context }) =>
      Boolean(context.templateConfig && context.modelType && isModelFor(context.modelType, context.task!)),
    isTypedTarget: ({ context, event }) =>
      event.type === "user.typedText" && typedTarget(context, event.text).notice === undefined,
    isTypedParam: ({ context, event }) =>
      event.type === "user.typedText" &&
      setHyperparameter(context.modelType!, context.hyperparameters, context.editingParam!, event.text).ok,
    isUsableTarget: ({ context, event }) =>
      event.type === "user.pickTarget" && withTarget(context, event.column) !== undefined,
    isAllowedTask: ({ context, event }) => event.type === "user.setTask" && canUseTask(context, event.task),
    isOfferedCategory: ({ context, event }) =>
      event.type === "user.pickCategory" && categoriesFor(context.task!).includes(event.category),
    isOfferedModel: ({ context, event }) =>
      event.type === "user.pickModel" &&
      modelsFor(context.task!, context.category).some((m) => m.id === event.modelType),
    modelHasNoParams: ({ context }) => !context.modelType || !hasHyperparameters(context.modelType),
    isKnownParam: ({ context, event }) =>
      event.type === "user.editParam" &&
      Boolean(context.modelType) &&
      hasParam(context.modelType!, event.name),
    onlyFreeOffer: ({ event }) => {
      const offers = (event as unknown as { output: { offers: ComputeOffer[] } }).output.offers;
      return offers.length === 1 && offers[0].estimatedCost === 0;
    },
    isOffer: ({ context, event }) =>
      event.type === "user.pickOffer" &&
      Number.isInteger(event.index) &&
      Boolean(context.offers?.[event.index]),
    isWithinBudget: ({ context }) => withinBudget(context.offer?.estimatedCost ?? 0, context.budget),
    isValidModelName: ({ event }) => event.type === "user.typedText" && MODEL_NAME.test(event.text.trim()),
    isValidTemplateName: ({ event }) =>
      event.type === "user.typedText" && TEMPLATE_NAME.test(event.text.trim()),
    isKnownDataset: ({ context, event }) =>
      event.type === "user.pickDataset" &&
      Boolean(context.datasets?.some((d) => d.datasetId === event.datasetId)),
    isKnownTemplate: ({ context, event }) =>
      event.type === "user.useTemplate" && Boolean(context.templates?.some((t) => t.name === event.name)),
    endedAs: ({ context }, params: { outcome: TrainingEnding["outcome"] }) =>
      context.ending?.outcome === params.outcome,
    hasSpotFallback: ({ context }) => spotFallbacks(context).length > 0,
    canRetryIngest: ({ context, event }) =>
      canRetryIngest(context, (event as unknown as { error: ErrorInfo }).error),
  },
  actions: {
    takeModel: assign(({ context, event }) => ({
      modelType: (event as Extract<TrainingEvent, { type: "user.pickModel" }>).modelType,
      hyperparameters: {},
      ...forwardFrom(context, "CONFIRMING_MODEL"),
    })),
    goBack: assign(({ context }, params: { to: string }) => backTo(context, params.to)),
    recordError: assign({ error: ({ event }) => (event as unknown as { error: ErrorInfo }).error }),
    endAs: assign(({ context }, params: { outcome: TrainingEnding["outcome"] }) => ({
      ending: { outcome: params.outcome, attempts: 0 },
      summary: historySummary(context, context.job?.costSoFar ?? 0, params.outcome),
    })),
    takeUpload: assign(({ context, event }) => {
      const e = event as Extract<TrainingEvent, { type: "user.fileReceived" }>;
      return {
        upload: {
          stagingPath: e.stagingPath,
          fileName: e.fileName,
          sizeBytes: e.sizeBytes,
          messageId: e.messageId,
        },
        ...firstAttempt(context),
        error: undefined,
      };
    }),
  },
}).createMachine({
  id: "training",
  context: ({ input }) => ({ ...input, history: [], hyperparameters: {}, launches: 0, page: 0 }),
  initial: "CHOOSING_DATA_SOURCE",
  on: {
    "user.cancel": { target: ".CANCELLED", actions: assign({ summary: () => ({ status: "cancelled" }) }) },
  },
  states: {
    CHOOSING_DATA_SOURCE: {
      initial: "loading",
      on: {
        "user.fileReceived": { target: "AWAITING_DATA.reading", actions: "takeUpload" },
      },
      states: {
        loading: {
          invoke: {
            src: "loadSources",
            input: ({ context }) => ({ userId: context.userId }),
            onDone: {
              target: "ready",
              actions: assign(({ context, event }) => {
                const templates = event.output.templates;
                const chosen = templates.find((t) => t.name === context.template);
                return {
                  datasets: event.output.datasets,
                  templates,
                  templateConfig: chosen?.config as TrainingTemplateConfig | undefined,
                };
              }),
            },
            // Listing is a convenience: without it the user can still upload.
            onError: { target: "ready", actions: assign({ datasets: [], templates: [] }) },
          },
        },
        ready: {
          on: {
            "user.chooseUpload": { target: "#training.AWAITING_DATA" },
            "user.browseDatasets": { target: "datasets" },
            "user.browseTemplates": { target: "templates" },
          },
        },
        datasets: {
          on: {
            "user.pickDataset": {
              guard: "isKnownDataset",
              target: "#training.AWAITING_DATA.reading",
              actions: assign(({ context, event }) => {
                const d = context.datasets!.find((x) => x.datasetId === event.datasetId)!;
                return {
                  upload: { stagingPath: "", fileName: d.name, sizeBytes: d.sizeBytes, storedUri: d.uri },
                  ...firstAttempt(context),
                };
              }),
            },
            "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
            "user.back": { target: "ready", actions: assign({ page: 0 }) },
          },
        },
        templates: {
          on: {
            "user.useTemplate": {
              guard: "isKnownTemplate",
              target: "#training.AWAITING_DATA",
              actions: assign(({ context, event }) => ({
                template: event.name,
                templateConfig: context.templates!.find((t) => t.name === event.name)!
                  .config as unknown as TrainingTemplateConfig,
              })),
            },
            "user.back": { target: "ready" },
          },
        },
      },
    },
    AWAITING_DATA: {
      initial: "idle",
      on: { "user.back": back("CHOOSING_DATA_SOURCE") },
      states: {
        idle: {
          on: { "user.fileReceived": { target: "reading", actions: "takeUpload" } },
        },
        reading: {
          invoke: {
            src: "ingestDataset",
            input: ({ context }) => ingestInput(context),
            onDone: {
              target: "#training.CONFIRMING_SCHEMA",
              actions: assign(({ context, event }) => ({
                dataset: event.output,
                upload: undefined,
                error: undefined,
                page: 0,
                ...selectionFor(event.output, context.templateConfig),
                ...forwardFrom(context, "CHOOSING_DATA_SOURCE"),
              })),
            },
            onError: [
              {
                guard: "canRetryIngest",
                target: "reading",
                reenter: true,
                actions: assign(({ context }) => nextAttempt(context)),
              },
              {
                target: "idle",
                actions: assign({ error: ({ event }) => event.error as ErrorInfo, upload: undefined }),
              },
            ],
          },
        },
      },
    },
    CONFIRMING_SCHEMA: {
      on: {
        "user.acceptSchema": [
          {
            guard: "templateReady",
            target: "CHOOSING_TRAINING_LOCATION",
            actions: assign(({ context }) => ({
              ...forwardFrom(context, "CONFIRMING_SCHEMA"),
              notice: undefined,
            })),
          },
          {
            guard: "canStartModelChoice",
            target: "SELECTING_MODEL_CATEGORY",
            actions: assign(({ context }) => ({
              ...forwardFrom(context, "CONFIRMING_SCHEMA"),
              notice: undefined,
            })),
          },
        ],
        "user.changeTarget": { target: "SELECTING_TARGET", actions: assign({ page: 0, notice: undefined }) },
        "user.chooseFeatures": [
          {
            guard: "hasTarget",
            target: "SELECTING_FEATURES",
            actions: assign({ page: 0, notice: undefined }),
          },
          { target: "SELECTING_TARGET", actions: assign({ page: 0, notice: undefined }) },
        ],
        "user.setTask": {
          guard: "isAllowedTask",
          actions: assign({ task: ({ event }) => event.task, modelType: undefined, category: undefined }),
        },
        "user.back": back("CHOOSING_DATA_SOURCE"),
      },
    },
    SELECTING_TARGET: {
      on: {
        "user.pickTarget": [
          {
            guard: "isUsableTarget",
            target: "CONFIRMING_SCHEMA",
            actions: assign(({ context, event }) => ({
              ...withTarget(context, event.column)!,
              templateConfig: undefined,
            })),
          },
          {
            actions: assign({
              notice: ({ event }) => ({
                key: "notATarget",
                params: { column: (event as { column: string }).column },
              }),
            }),
          },
        ],
        "user.typedText": [
          {
            guard: "isTypedTarget",
            target: "CONFIRMING_SCHEMA",
            actions: assign(({ context, event }) => ({
              ...typedTarget(context, event.text),
              templateConfig: undefined,
            })),
          },
          { actions: assign(({ context, event }) => typedTarget(context, event.text)) },
        ],
        "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
        "user.back": { target: "CONFIRMING_SCHEMA", actions: assign({ page: 0, notice: undefined }) },
      },
    },
    SELECTING_FEATURES: {
      on: {
        "user.toggleFeature": {
          actions: assign(({ context, event }) => toggledFeature(context, event.column)),
        },
        "user.setFeatures": { actions: assign(({ context, event }) => setFeatures(context, event.columns)) },
        "user.typedText": { actions: assign(({ context, event }) => typedFeatures(context, event.text)) },
        "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
        "user.featuresDone": [
          {
            guard: "hasFeatures",
            target: "CONFIRMING_SCHEMA",
            actions: assign({ page: 0, notice: undefined }),
          },
          { actions: assign({ notice: { key: "noFeatures" } }) },
        ],
        "user.back": [
          {
            guard: "hasFeatures",
            target: "CONFIRMING_SCHEMA",
            actions: assign({ page: 0, notice: undefined }),
          },
          { actions: assign({ notice: { key: "noFeatures" } }) },
        ],
      },
    },
    SELECTING_MODEL_CATEGORY: {
      on: {
        "user.pickCategory": {
          guard: "isOfferedCategory",
          target: "CONFIRMING_MODEL",
          actions: assign(({ context, event }) => ({
            category: event.category,
            ...forwardFrom(context, "SELECTING_MODEL_CATEGORY"),
          })),
        },
        "user.back": back("CONFIRMING_SCHEMA"),
      },
    },
    CONFIRMING_MODEL: {
      on: {
        "user.pickModel": [
          {
            guard: { type: "isOfferedModel" },
            target: "COLLECTING_HYPERPARAMETERS",
            actions: "takeModel",
          },
        ],
        "user.back": back("SELECTING_MODEL_CATEGORY"),
      },
    },
    COLLECTING_HYPERPARAMETERS: {
      initial: "choosing",
      // Models without hyperparameters skip this step (BACK from the next one returns to the model list).
      always: { guard: "modelHasNoParams", target: "CHOOSING_TRAINING_LOCATION" },
      on: {
        "user.paramsDone": {
          target: "CHOOSING_TRAINING_LOCATION",
          actions: assign(({ context }) => ({
            ...forwardFrom(context, "COLLECTING_HYPERPARAMETERS"),
            notice: undefined,
            editingParam: undefined,
          })),
        },
        "user.resetParams": {
          target: ".choosing",
          actions: assign({ hyperparameters: {}, notice: undefined }),
        },
        "user.setParam": {
          target: ".choosing",
          actions: assign(({ context, event }) => paramUpdate(context, event.name, event.value)),
        },
        "user.back": back("CONFIRMING_MODEL"),
      },
      states: {
        choosing: {
          on: {
            "user.editParam": {
              guard: "isKnownParam",
              target: "typing",
              actions: assign({ editingParam: ({ event }) => event.name, notice: undefined }),
            },
          },
        },
        typing: {
          on: {
            "user.typedText": [
              {
                guard: "isTypedParam",
                target: "choosing",
                actions: assign(({ context, event }) =>
                  paramUpdate(context, context.editingParam!, event.text),
                ),
              },
              {
                actions: assign(({ context, event }) =>
                  paramUpdate(context, context.editingParam!, event.text),
                ),
              },
            ],
          },
        },
      },
    },
    CHOOSING_TRAINING_LOCATION: {
      initial: "quoting",
      on: {
        "user.back": back("COLLECTING_HYPERPARAMETERS", "CONFIRMING_MODEL", "CONFIRMING_SCHEMA"),
      },
      states: {
        quoting: {
          invoke: {
            src: "quoteTraining",
            input: ({ context }) => ({
              userId: context.userId,
              modelType: context.modelType!,
              dataset: context.dataset!,
              hyperparameters: context.hyperparameters,
              target: context.target,
              task: context.task,
            }),
            onDone: [
              {
                // Only this machine: nothing to choose, nothing to pay.
                guard: "onlyFreeOffer",
                target: "#training.LAUNCHING_TRAINING",
                actions: assign(({ context, event }) => ({
                  offers: event.output.offers,
                  budget: event.output.budget,
                  offer: event.output.offers[0],
                  ...launchFields(context, event.output.offers[0]),
                })),
              },
              {
                target: "ready",
                actions: assign(({ event }) => ({
                  offers: event.output.offers,
                  budget: event.output.budget,
                })),
              },
            ],
            onError: { target: "#training.FAILED", actions: "recordError" },
          },
        },
        ready: {
          on: {
            "user.pickOffer": {
              guard: "isOffer",
              target: "#training.CONFIRMING_INSTANCE_TYPE",
              actions: assign(({ context, event }) => ({
                offer: context.offers![event.index],
                allowSpot: false,
                ...forwardFrom(context, "CHOOSING_TRAINING_LOCATION"),
              })),
            },
          },
        },
      },
    },
    CONFIRMING_INSTANCE_TYPE: {
      on: {
        "user.allowSpot": {
          guard: "hasSpotFallback",
          actions: assign({ allowSpot: ({ event }) => event.allow }),
        },
        "user.launch": [
          {
            guard: "isWithinBudget",
            target: "LAUNCHING_TRAINING",
            actions: assign(({ context }) => launchFields(context, context.offer!)),
          },
          {
            actions: assign({
              notice: ({ context }) => overBudgetNotice(context.offer?.estimatedCost ?? 0, context.budget),
            }),
          },
        ],
        "user.back": back("CHOOSING_TRAINING_LOCATION"),
      },
    },
    LAUNCHING_TRAINING: {
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
        "user.cancel": {
          target: "TERMINATING",
          actions: { type: "endAs", params: { outcome: "cancelled" } },
        },
      },
    },
    MONITORING_TRAINING: {
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
        "user.cancel": {
          target: "TERMINATING",
          actions: { type: "endAs", params: { outcome: "cancelled" } },
        },
      },
    },
    TERMINATING: {
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
    },
    TRAINING_COMPLETE: {
      initial: "idle",
      on: {
        "user.nameModel": { target: "NAMING_MODEL", actions: assign({ notice: undefined }) },
        "user.done": { target: "COMPLETE" },
        // The model is saved: leaving this screen completes the workflow rather than cancelling anything.
        "user.cancel": { target: "COMPLETE" },
      },
      states: {
        idle: {
          on: { "user.saveTemplate": { target: "namingTemplate", actions: assign({ notice: undefined }) } },
        },
        namingTemplate: {
          on: {
            "user.typedText": [
              {
                guard: "isValidTemplateName",
                target: "savingTemplate",
                actions: assign({ templateName: ({ event }) => event.text.trim(), notice: undefined }),
              },
              { actions: assign({ notice: { key: "badTemplateName" } }) },
            ],
            "user.back": { target: "idle", actions: assign({ notice: undefined }) },
          },
        },
        savingTemplate: {
          invoke: {
            src: "saveTemplate",
            input: ({ context }) => ({
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
            onDone: {
              target: "idle",
              actions: assign(({ context }) => ({
                notice: { key: "templateSaved", params: { name: context.templateName! } },
              })),
            },
            onError: {
              target: "namingTemplate",
              actions: assign({
                notice: ({ event }) => ({
                  key: "error",
                  params: { message: (event.error as ErrorInfo).message },
                }),
              }),
            },
          },
        },
      },
    },
    NAMING_MODEL: {
      initial: "typing",
      on: { "user.back": { target: "TRAINING_COMPLETE", actions: assign({ notice: undefined }) } },
      states: {
        typing: {
          on: {
            "user.typedText": [
              {
                guard: "isValidModelName",
                target: "saving",
                actions: assign(({ context, event }) => ({
                  result: { ...context.result!, name: event.text.trim() },
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
            onError: {
              target: "typing",
              actions: assign({
                notice: ({ event }) => ({
                  key: "error",
                  params: { message: (event.error as ErrorInfo).message },
                }),
              }),
            },
          },
        },
      },
    },
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});

function hasParam(modelType: string, name: string): boolean {
  return name in getModelSpec(modelType).params.shape;
}

function paramUpdate(context: TrainingContext, name: string, value: unknown): Partial<TrainingContext> {
  const result = setHyperparameter(context.modelType!, context.hyperparameters, name, value);
  if (!result.ok) return { notice: { key: "badParam", params: { message: result.message } } };
  return { hyperparameters: result.values, editingParam: undefined, notice: undefined };
}

/** The job is fixed before the launch actor starts: a re-run after a restart finds the same job. */
function launchFields(
  context: TrainingContext,
  offer: NonNullable<TrainingContext["offer"]>,
): Partial<TrainingContext> {
  const launches = context.launches + 1;
  const jobId = `${context.workflowId}-t${launches}`;
  return {
    launches,
    error: undefined,
    notice: undefined,
    job: {
      jobId,
      modelId: `m-${jobId}`,
      provider: offer.provider,
      computeType: offer.computeType,
      hourlyRate: offer.hourlyRate,
      deadline: "",
      status: "launching",
      progress: 0,
      logTail: [],
      costSoFar: 0,
      runtimeSeconds: 0,
      attempts: [],
    },
  };
}

/**
 * Offers of the chosen one's provider that may stand in for it when it has no capacity: another machine, at
 * most twice the price. An on-demand choice never falls back to spot unless the user allowed it.
 */
function fallbacks(context: TrainingContext): ComputeOffer[] {
  const chosen = context.offer!;
  return (context.offers ?? []).filter(
    (o) =>
      !(o.computeType === chosen.computeType && o.spot === chosen.spot) &&
      o.provider === chosen.provider &&
      o.estimatedCost <= Math.max(chosen.estimatedCost * 2, 0.01),
  );
}

/** The spot offers that could stand in for an on-demand choice: what the confirmation screen asks about. */
export function spotFallbacks(context: TrainingContext): ComputeOffer[] {
  if (!context.offer || context.offer.spot) return [];
  return fallbacks(context).filter((o) => o.spot);
}

/** The chosen offer, then its fallbacks in rank order (capacity failover). */
function rankedFrom(context: TrainingContext) {
  const spotAllowed = context.offer!.spot || context.allowSpot === true;
  return [context.offer!, ...fallbacks(context).filter((o) => spotAllowed || !o.spot)];
}

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

function historySummary(context: TrainingContext, cost: number, status: string): Record<string, unknown> {
  return {
    status,
    modelType: context.modelType,
    target: context.target,
    dataset: context.dataset?.fileName,
    where: context.offer?.label ?? "local",
    runtimeSeconds: context.job?.runtimeSeconds ?? 0,
    cost,
    // The quote the job ran on, kept beside what it came to.
    quotedMinutes: context.offer?.estimatedMinutes,
    quotedCost: context.offer?.estimatedCost,
  };
}
