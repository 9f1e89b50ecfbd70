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
import { assign, fromPromise, setup } from "xstate";
import type { BudgetLimits } from "../../cloud/budget.js";
import type {
  ComputeOffer,
  DatasetSummary,
  ErrorInfo,
  ModelChoice,
  StoredDatasetChoice,
  TemplateChoice,
} from "../ports.js";
import { backTransitions, popHistoryTo } from "../shared/back.js";
import { missingColumns } from "../shared/compatibility.js";
import type { DatasetSource } from "../shared/datasets.js";
import { canRetryIngest, firstAttempt, ingestInput, nextAttempt } from "../shared/ingest.js";
import { overBudgetNotice, withinBudget } from "../shared/quote.js";
import type {
  DriftInput,
  DriftSummary,
  PredictionContext,
  PredictionEvent,
  PredictionInput,
  PredictionOutcome,
  PredictionTemplateConfig,
  RunInput,
} from "./types.js";

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

const COLUMN_NAME = /^[\p{L}\p{N} _.()-]{1,64}$/u;
const TEMPLATE_NAME = /^[\p{L}\p{N} _-]{1,40}$/u;

const STEP_ORDER = [
  "CHOOSING_DATA_SOURCE",
  "AWAITING_DATA",
  "CONFIRMING_SCHEMA",
  "SELECTING_MODEL",
  "CONFIRMING_PREDICTION_COLUMN",
  "CHOOSING_PREDICTION_LOCATION",
  "READY_TO_RUN",
] as const;

const OWNED: Record<string, Partial<PredictionContext>> = {
  CHOOSING_DATA_SOURCE: {
    dataset: undefined,
    compatible: undefined,
    missingByModel: undefined,
    replyTo: undefined,
  },
  CONFIRMING_SCHEMA: {},
  SELECTING_MODEL: { model: undefined },
  CONFIRMING_PREDICTION_COLUMN: { predictionColumn: undefined },
  CHOOSING_PREDICTION_LOCATION: { offers: undefined, offer: undefined, budget: undefined },
  READY_TO_RUN: { drift: undefined },
};

const back = (...targets: string[]) => backTransitions("prediction", ...targets);
const forward = (context: PredictionContext, from: string) => ({ history: [...context.history, from] });

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
    loadSources: fromPromise<
      { models: ModelChoice[]; datasets: StoredDatasetChoice[]; templates: TemplateChoice[] },
      { userId: number }
    >(notProvided("loadSources")),
    ingestDataset: fromPromise<DatasetSummary, DatasetSource>(notProvided("ingestDataset")),
    quotePrediction: fromPromise<
      { offers: ComputeOffer[]; budget: BudgetLimits },
      { userId: number; modelType: string; dataset: DatasetSummary }
    >(notProvided("quotePrediction")),
    checkDrift: fromPromise<DriftSummary | null, DriftInput>(notProvided("checkDrift")),
    runPrediction: fromPromise<PredictionOutcome, RunInput>(notProvided("runPrediction")),
    saveTemplate: fromPromise<void, { userId: number; name: string; config: PredictionTemplateConfig }>(
      notProvided("saveTemplate"),
    ),
  },
  guards: {
    cameFrom: ({ context }, params: { state: string }) => context.history.at(-1) === params.state,
    hasModels: ({ event }) =>
      (event as unknown as { output: { models: unknown[] } }).output.models.length > 0,
    preselectedFits: ({ context }) =>
      Boolean(context.modelId && context.compatible?.includes(context.modelId)),
    oneModelFits: ({ context }) => context.compatible?.length === 1,
    someModelFits: ({ context }) => (context.compatible?.length ?? 0) > 0,
    columnFixed: ({ context }) => Boolean(context.templateColumn),
    isCompatibleModel: ({ context, event }) =>
      event.type === "user.pickModel" && Boolean(context.compatible?.includes(event.modelId)),
    isValidColumnName: ({ context, event }) =>
      event.type === "user.typedText" && columnNameProblem(context, event.text) === undefined,
    onlyFreeOffer: ({ event }) => {
      const offers = (event as unknown as { output: { offers: ComputeOffer[] } }).output.offers;
      return offers.length === 1 && offers[0].estimatedCost === 0;
    },
    isOffer: ({ context, event }) =>
      event.type === "user.pickOffer" &&
      Number.isInteger(event.index) &&
      Boolean(context.offers?.[event.index]),
    isWithinBudget: ({ context }) => withinBudget(context.offer?.estimatedCost ?? 0, context.budget),
    foundDrift: ({ event }) => Boolean((event as unknown as { output: DriftSummary | null }).output),
    isValidTemplateName: ({ event }) =>
      event.type === "user.typedText" && TEMPLATE_NAME.test(event.text.trim()),
    isKnownDataset: ({ context, event }) =>
      event.type === "user.pickDataset" &&
      Boolean(context.datasets?.some((d) => d.datasetId === event.datasetId)),
    isKnownTemplate: ({ context, event }) =>
      event.type === "user.useTemplate" && Boolean(context.templates?.some((t) => t.name === event.name)),
    canRetryIngest: ({ context, event }) =>
      canRetryIngest(context, (event as unknown as { error: ErrorInfo }).error),
  },
  actions: {
    goBack: assign(({ context }, params: { to: string }) =>
      popHistoryTo(context, params.to, STEP_ORDER, OWNED),
    ),
    takeUpload: assign(({ context, event }) => {
      const e = event as Extract<PredictionEvent, { type: "user.fileReceived" }>;
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
    recordError: assign({ error: ({ event }) => (event as unknown as { error: ErrorInfo }).error }),
    startRun: assign(({ context }) => {
      const runs = context.runs + 1;
      return { runs, jobId: `${context.workflowId}-p${runs}`, notice: undefined, error: undefined };
    }),
    selectPreselected: assign(({ context }) => ({
      model: context.models.find((m) => m.modelId === context.modelId),
      ...forward(context, "CONFIRMING_SCHEMA"),
    })),
    selectOnlyFit: assign(({ context }) => ({
      model: context.models.find((m) => m.modelId === context.compatible![0]),
      ...forward(context, "CONFIRMING_SCHEMA"),
    })),
  },
}).createMachine({
  id: "prediction",
  context: ({ input }) => ({ ...input, history: [], models: [], runs: 0, page: 0 }),
  initial: "CHOOSING_DATA_SOURCE",
  on: {
    "user.cancel": { target: ".CANCELLED", actions: assign({ summary: () => ({ status: "cancelled" }) }) },
  },
  states: {
    CHOOSING_DATA_SOURCE: {
      initial: "loading",
      states: {
        loading: {
          invoke: {
            src: "loadSources",
            input: ({ context }) => ({ userId: context.userId }),
            onDone: [
              {
                guard: "hasModels",
                target: "ready",
                actions: assign(({ context, event }) => {
                  const template = event.output.templates.find((t) => t.name === context.template);
                  const config = template?.config as unknown as PredictionTemplateConfig | undefined;
                  return {
                    models: event.output.models,
                    datasets: event.output.datasets,
                    templates: event.output.templates,
                    modelId: config?.modelId ?? context.modelId,
                    templateColumn: config?.predictionColumn,
                  };
                }),
              },
              {
                target: "#prediction.FAILED",
                actions: assign({
                  error: {
                    code: 0,
                    errorClass: "NoModels",
                    message: "You have no trained models yet.",
                    recovery: "Send /train first.",
                  },
                }),
              },
            ],
            onError: { target: "#prediction.FAILED", actions: "recordError" },
          },
        },
        ready: {
          on: {
            "user.fileReceived": { target: "#prediction.AWAITING_DATA.reading", actions: "takeUpload" },
            "user.chooseUpload": { target: "#prediction.AWAITING_DATA" },
            "user.browseDatasets": { target: "datasets" },
            "user.browseTemplates": { target: "templates" },
          },
        },
        datasets: {
          on: {
            "user.pickDataset": {
              guard: "isKnownDataset",
              target: "#prediction.AWAITING_DATA.reading",
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
              target: "ready",
              actions: assign(({ context, event }) => {
                const config = context.templates!.find((t) => t.name === event.name)!
                  .config as unknown as PredictionTemplateConfig;
                return {
                  template: event.name,
                  modelId: config.modelId,
                  templateColumn: config.predictionColumn,
                };
              }),
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
        idle: { on: { "user.fileReceived": { target: "reading", actions: "takeUpload" } } },
        reading: {
          invoke: {
            src: "ingestDataset",
            input: ({ context }) => ingestInput(context),
            onDone: {
              target: "#prediction.CONFIRMING_SCHEMA",
              actions: assign(({ context, event }) => ({
                dataset: event.output,
                replyTo: context.upload?.messageId,
                upload: undefined,
                ...compatibility(context.models, event.output),
                ...forward(context, "CHOOSING_DATA_SOURCE"),
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
    CHOOSING_PREDICTION_LOCATION: {
      initial: "quoting",
      on: { "user.back": back("CONFIRMING_PREDICTION_COLUMN", "SELECTING_MODEL", "CONFIRMING_SCHEMA") },
      states: {
        quoting: {
          invoke: {
            src: "quotePrediction",
            input: ({ context }) => ({
              userId: context.userId,
              modelType: context.model!.modelType,
              dataset: context.dataset!,
            }),
            onDone: [
              {
                guard: "onlyFreeOffer",
                target: "#prediction.READY_TO_RUN",
                actions: assign(({ event }) => ({
                  offers: event.output.offers,
                  offer: event.output.offers[0],
                  budget: event.output.budget,
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
            onError: { target: "#prediction.FAILED", actions: "recordError" },
          },
        },
        ready: {
          on: {
            "user.pickOffer": {
              guard: "isOffer",
              target: "#prediction.READY_TO_RUN",
              actions: assign(({ context, event }) => ({
                offer: context.offers![event.index],
                ...forward(context, "CHOOSING_PREDICTION_LOCATION"),
              })),
            },
          },
        },
      },
    },
    READY_TO_RUN: {
      initial: "idle",
      on: {
        "user.run": [
          {
            guard: "isWithinBudget",
            target: "CHECKING_DRIFT",
            actions: assign({ notice: undefined, error: undefined, drift: undefined }),
          },
          {
            actions: assign({
              notice: ({ context }) => overBudgetNotice(context.offer?.estimatedCost ?? 0, context.budget),
            }),
          },
        ],
        "user.back": back(
          "CHOOSING_PREDICTION_LOCATION",
          "CONFIRMING_PREDICTION_COLUMN",
          "SELECTING_MODEL",
          "CONFIRMING_SCHEMA",
        ),
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
          },
        },
        savingTemplate: {
          invoke: {
            src: "saveTemplate",
            input: ({ context }) => ({
              userId: context.userId,
              name: context.templateName!,
              config: { modelId: context.model!.modelId, predictionColumn: context.predictionColumn! },
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

function compatibility(models: ModelChoice[], dataset: DatasetSummary): Partial<PredictionContext> {
  const columns = dataset.columns.map((c) => c.name);
  const missingByModel: Record<string, string[]> = {};
  const compatible: string[] = [];
  for (const m of models) {
    const missing = missingColumns(m.features, columns);
    if (missing.length === 0) compatible.push(m.modelId);
    else missingByModel[m.modelId] = missing;
  }
  return { compatible, missingByModel };
}

function columnNameProblem(context: PredictionContext, text: string): string | undefined {
  const name = text.trim();
  if (!COLUMN_NAME.test(name)) return "badColumnName";
  if (context.dataset?.columns.some((c) => c.name.toLowerCase() === name.toLowerCase()))
    return "columnExists";
  return undefined;
}

/** The default column name, with a suffix if the data already has a column of that name. */
function uniqueColumn(context: PredictionContext, base: string): string {
  const taken = new Set(context.dataset?.columns.map((c) => c.name.toLowerCase()) ?? []);
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}_${i}`;
  return name;
}
