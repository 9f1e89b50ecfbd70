/**
 * The training machine's setup: its actors (placeholders; `trainingActors(ports)` provides them), guards and
 * actions, named so the state chart (machine.ts and the step files) refers to them by name. The shared steps'
 * guards and actions come from ../shared/skeleton.ts.
 */
import { assign, fromCallback, fromPromise, setup } from "xstate";
import type { BudgetLimits } from "../../cloud/budget.js";
import type { Task } from "../../ml/types.js";
import { nameProblem } from "../../state/names.js";
import type { ComputeOffer, DatasetSummary, StoredDatasetChoice, TemplateChoice } from "../ports.js";
import type { DatasetSource } from "../shared/datasets.js";
import {
  categoriesFor,
  hasHyperparameters,
  hasParam,
  isModelFor,
  modelDisplayName,
  modelsFor,
  setHyperparameter,
} from "../shared/models.js";
import { flowActions, flowGuards, notProvided } from "../shared/skeleton.js";
import { historySummary, launchFields, spotFallbacks } from "./job.js";
import { backTo, canUseTask, forwardFrom, selectionFor, typedTarget, withTarget } from "./steps.js";
import type {
  LaunchInput,
  LaunchOutput,
  MonitorInput,
  TerminateInput,
  TrainingContext,
  TrainingEnding,
  TrainingEvent,
  TrainingInput,
  TrainingTemplateConfig,
} from "./types.js";

type Event<T extends TrainingEvent["type"]> = Extract<TrainingEvent, { type: T }>;

export const trainingSetup = setup({
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
    ...flowGuards,
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
    isValidModelName: ({ event }) =>
      event.type === "user.typedText" && nameProblem(event.text, "model") === undefined,
    endedAs: ({ context }, params: { outcome: TrainingEnding["outcome"] }) =>
      context.ending?.outcome === params.outcome,
    hasSpotFallback: ({ context }) => spotFallbacks(context).length > 0,
  },
  actions: {
    ...flowActions<TrainingContext, TrainingEvent>(),
    takeSources: assign(({ context, event }) => {
      const { datasets, templates } = (
        event as unknown as { output: { datasets: StoredDatasetChoice[]; templates: TemplateChoice[] } }
      ).output;
      const chosen = templates.find((t) => t.name === context.template);
      return { datasets, templates, templateConfig: chosen?.config as TrainingTemplateConfig | undefined };
    }),
    // Listing is a convenience: without it the user can still upload.
    noSources: assign({ datasets: [], templates: [] }),
    takeTemplate: assign(({ context, event }) => {
      const { name } = event as Event<"user.useTemplate">;
      const config = context.templates!.find((t) => t.name === name)!
        .config as unknown as TrainingTemplateConfig;
      return { template: name, templateConfig: config };
    }),
    takeDataset: assign(({ context, event }) => {
      const dataset = (event as unknown as { output: DatasetSummary }).output;
      return {
        dataset,
        upload: undefined,
        error: undefined,
        page: 0,
        ...selectionFor(dataset, context.templateConfig),
        ...forwardFrom(context, "CHOOSING_DATA_SOURCE"),
      };
    }),
    takeModel: assign(({ context, event }) => {
      const { modelType } = event as Event<"user.pickModel">;
      return {
        modelType,
        modelName: modelDisplayName(modelType),
        hyperparameters: {},
        ...forwardFrom(context, "CONFIRMING_MODEL"),
      };
    }),
    goBack: assign(({ context }, params: { to: string }) => backTo(context, params.to)),
    endAs: assign(({ context }, params: { outcome: TrainingEnding["outcome"] }) => ({
      ending: { outcome: params.outcome, attempts: 0 },
      summary: historySummary(context, context.job?.costSoFar ?? 0, params.outcome),
    })),
    /** The job is fixed before the launch actor starts: a re-run after a restart finds the same job. */
    prepareLaunch: assign(({ context }) => launchFields(context, context.offer!)),
    disallowSpot: assign({ allowSpot: false }),
  },
});
