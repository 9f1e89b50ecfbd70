/**
 * The prediction machine's setup: actors (placeholders; `predictionActors(ports)` provides them), guards
 * and actions, named so the state chart refers to them by name. The shared steps' guards and actions come
 * from ../shared/skeleton.ts.
 */
import { assign, fromPromise, setup } from "xstate";
import type { BudgetLimits } from "../../cloud/budget.js";
import type {
  ComputeOffer,
  DatasetSummary,
  ModelChoice,
  StoredDatasetChoice,
  TemplateChoice,
} from "../ports.js";
import type { DatasetSource } from "../shared/datasets.js";
import { flowActions, flowGuards, notProvided } from "../shared/skeleton.js";
import { backTo, columnNameProblem, compatibility, forward } from "./steps.js";
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

type Sources = { models: ModelChoice[]; datasets: StoredDatasetChoice[]; templates: TemplateChoice[] };

export const predictionSetup = setup({
  types: {
    context: {} as PredictionContext,
    events: {} as PredictionEvent,
    input: {} as PredictionInput,
  },
  actors: {
    loadSources: fromPromise<Sources, { userId: number }>(notProvided("loadSources")),
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
    ...flowGuards,
    hasModels: ({ event }) => (event as unknown as { output: Sources }).output.models.length > 0,
    preselectedFits: ({ context }) =>
      Boolean(context.modelId && context.compatible?.includes(context.modelId)),
    oneModelFits: ({ context }) => context.compatible?.length === 1,
    someModelFits: ({ context }) => (context.compatible?.length ?? 0) > 0,
    columnFixed: ({ context }) => Boolean(context.templateColumn),
    isCompatibleModel: ({ context, event }) =>
      event.type === "user.pickModel" && Boolean(context.compatible?.includes(event.modelId)),
    isValidColumnName: ({ context, event }) =>
      event.type === "user.typedText" && columnNameProblem(context, event.text) === undefined,
    foundDrift: ({ event }) => Boolean((event as unknown as { output: DriftSummary | null }).output),
  },
  actions: {
    ...flowActions<PredictionContext, PredictionEvent>(),
    takeSources: assign(({ context, event }) => {
      const { models, datasets, templates } = (event as unknown as { output: Sources }).output;
      const template = templates.find((t) => t.name === context.template);
      const config = template?.config as unknown as PredictionTemplateConfig | undefined;
      return {
        models,
        datasets,
        templates,
        modelId: config?.modelId ?? context.modelId,
        templateColumn: config?.predictionColumn,
      };
    }),
    noModels: assign({
      error: {
        code: 0,
        errorClass: "NoModels",
        message: "You have no trained models yet.",
        recovery: "Send /train first.",
      },
    }),
    takeTemplate: assign(({ context, event }) => {
      const { name } = event as Extract<PredictionEvent, { type: "user.useTemplate" }>;
      const config = context.templates!.find((t) => t.name === name)!
        .config as unknown as PredictionTemplateConfig;
      return { template: name, modelId: config.modelId, templateColumn: config.predictionColumn };
    }),
    takeDataset: assign(({ context, event }) => {
      const dataset = (event as unknown as { output: DatasetSummary }).output;
      return {
        dataset,
        replyTo: context.upload?.messageId,
        upload: undefined,
        ...compatibility(context.models, dataset),
        ...forward(context, "CHOOSING_DATA_SOURCE"),
      };
    }),
    goBack: assign(({ context }, params: { to: string }) => backTo(context, params.to)),
    clearRun: assign({ notice: undefined, error: undefined, drift: undefined }),
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
});
