/**
 * Pure helpers of the training machine: BACK bookkeeping, and the context updates that choosing a dataset,
 * a target or features makes. Kept apart from machine.ts so the state chart stays readable.
 */
import type { Task } from "../../ml/types.js";
import type { DatasetSummary } from "../ports.js";
import { popHistoryTo } from "../shared/back.js";
import { parseColumnList, resolveColumn } from "../shared/columns.js";
import { modelDisplayName, setHyperparameter } from "../shared/models.js";
import type { TrainingContext, TrainingTemplateConfig } from "./types.js";

/** The forward steps, in order. BACK to a step clears what it and the steps after it set. */
export const STEP_ORDER = [
  "CHOOSING_DATA_SOURCE",
  "AWAITING_DATA",
  "CONFIRMING_SCHEMA",
  "SELECTING_MODEL_CATEGORY",
  "CONFIRMING_MODEL",
  "COLLECTING_HYPERPARAMETERS",
  "CHOOSING_TRAINING_LOCATION",
  "CONFIRMING_INSTANCE_TYPE",
] as const;

type Step = (typeof STEP_ORDER)[number];

/** What each step sets in context. */
const OWNED: Record<Step, Partial<TrainingContext>> = {
  CHOOSING_DATA_SOURCE: {},
  AWAITING_DATA: {
    dataset: undefined,
    target: undefined,
    task: undefined,
    features: undefined,
    templateConfig: undefined,
    page: 0,
  },
  CONFIRMING_SCHEMA: {},
  SELECTING_MODEL_CATEGORY: { category: undefined },
  CONFIRMING_MODEL: {
    modelType: undefined,
    modelName: undefined,
    hyperparameters: {},
    editingParam: undefined,
  },
  COLLECTING_HYPERPARAMETERS: {},
  CHOOSING_TRAINING_LOCATION: { offers: undefined, offer: undefined, budget: undefined },
  CONFIRMING_INSTANCE_TYPE: {},
};

/** The context update of BACK to `to`: pop the history, clear what later steps set. */
export function backTo(context: TrainingContext, to: string): Partial<TrainingContext> {
  return popHistoryTo(context, to, STEP_ORDER, OWNED);
}

export function forwardFrom(context: TrainingContext, from: string): Pick<TrainingContext, "history"> {
  return { history: [...context.history, from] };
}

export function columnNames(dataset: DatasetSummary): string[] {
  return dataset.columns.map((c) => c.name);
}

/**
 * After a dataset is read: the suggestion, or a template's settings when the data has their columns.
 * Returns the context fields and a notice when the template did not fit.
 */
export function selectionFor(
  dataset: DatasetSummary,
  template?: TrainingTemplateConfig,
): Partial<TrainingContext> {
  const names = columnNames(dataset);
  if (template) {
    const missing = [template.target, ...template.features].filter((c) => !names.includes(c));
    if (missing.length === 0) {
      return {
        target: template.target,
        task: template.task,
        features: template.features,
        modelType: template.modelType,
        modelName: modelDisplayName(template.modelType),
        hyperparameters: template.hyperparameters,
        notice: undefined,
      };
    }
    return {
      ...suggested(dataset),
      templateConfig: undefined,
      notice: { key: "templateMismatch", params: { missing: missing.join(", ") } },
    };
  }
  return { ...suggested(dataset), notice: undefined };
}

/** The reader's suggestion of target, task and features. */
function suggested(dataset: DatasetSummary): Partial<TrainingContext> {
  const s = dataset.suggestion;
  return { target: s.target ?? undefined, task: s.task ?? undefined, features: s.features };
}

/**
 * Choosing a target: its task, and the features without it — plus the previous target, back among the
 * features when it can be one. Undefined when the column cannot be a target.
 */
export function withTarget(context: TrainingContext, column: string): Partial<TrainingContext> | undefined {
  const dataset = context.dataset;
  const info = dataset?.columns.find((c) => c.name === column);
  if (!dataset || !info?.task) return undefined;
  const previous = context.target;
  const chosen = new Set(context.features ?? []);
  if (previous && previous !== column && isUsableFeature(dataset, previous)) chosen.add(previous);
  chosen.delete(column);
  const features = columnNames(dataset).filter((c) => chosen.has(c));
  return { target: column, task: info.task, features, notice: undefined, page: 0 };
}

/** A column the suggestion would use as a feature: not an id, free or near-unique text, constant or empty. */
function isUsableFeature(dataset: DatasetSummary, column: string): boolean {
  const info = dataset.columns.find((c) => c.name === column);
  if (!info || info.type === "identifier" || info.type === "text") return false;
  return !dataset.suggestion.excluded?.some((e) => e.column === column);
}

export function targetProblem(context: TrainingContext, column: string): string | undefined {
  return context.dataset?.columns.find((c) => c.name === column)?.targetProblem;
}

/** A typed target: a column name or its number. */
export function typedTarget(context: TrainingContext, text: string): Partial<TrainingContext> {
  const column = resolveColumn(text, columnNames(context.dataset!));
  if (!column) return { notice: { key: "unknownColumns", params: { columns: text.trim() } } };
  return (
    withTarget(context, column) ?? {
      notice: { key: "notATarget", params: { column, reason: targetProblem(context, column) ?? "" } },
    }
  );
}

export function toggledFeature(context: TrainingContext, column: string): Partial<TrainingContext> {
  if (column === context.target) return { notice: { key: "targetIsNotAFeature", params: { column } } };
  const current = new Set(context.features ?? []);
  if (current.has(column)) current.delete(column);
  else current.add(column);
  return { features: columnNames(context.dataset!).filter((c) => current.has(c)), notice: undefined };
}

export function typedFeatures(context: TrainingContext, text: string): Partial<TrainingContext> {
  const parsed = parseColumnList(text, columnNames(context.dataset!));
  if (!parsed.ok)
    return { notice: { key: "unknownColumns", params: { columns: parsed.unknown.join(", ") } } };
  return setFeatures(context, parsed.columns);
}

export function setFeatures(context: TrainingContext, columns: string[]): Partial<TrainingContext> {
  return { features: columns.filter((c) => c !== context.target), notice: undefined };
}

/** A task override is allowed for numeric targets (regression ↔ classification); text targets are classes. */
export function canUseTask(context: TrainingContext, task: Task): boolean {
  const info = context.dataset?.columns.find((c) => c.name === context.target);
  if (!info?.task) return false;
  if (task === "classification") return info.unique >= 2 && info.unique <= 100;
  return ["numeric", "integer", "boolean"].includes(info.type);
}

/** A hyperparameter set from a button or typed: the new values, or a notice with the registry's message. */
export function paramUpdate(
  context: TrainingContext,
  name: string,
  value: unknown,
): Partial<TrainingContext> {
  const result = setHyperparameter(context.modelType!, context.hyperparameters, name, value);
  if (!result.ok) return { notice: { key: "badParam", params: { message: result.message } } };
  return { hyperparameters: result.values, editingParam: undefined, notice: undefined };
}
