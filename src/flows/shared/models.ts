/** Model families for the picker, and typed hyperparameter values checked against the registry. */
import { getModelSpec, MODEL_REGISTRY, validateHyperparameters } from "../../ml/index.js";
import type { Task } from "../../ml/types.js";
import { toErrorInfo } from "./errors.js";

export type ModelCategory = "linear" | "trees" | "other" | "neural" | "auto";

const CATEGORY_OF: Record<string, ModelCategory> = {
  linear: "linear",
  ridge: "linear",
  lasso: "linear",
  elasticnet: "linear",
  polynomial: "linear",
  logistic: "linear",
  decision_tree: "trees",
  random_forest: "trees",
  gradient_boosting: "trees",
  hist_gradient_boosting: "trees",
  xgboost: "trees",
  lightgbm: "trees",
  catboost: "trees",
  mlp: "neural",
  auto: "auto",
};

export function categoryOf(modelType: string): ModelCategory {
  return CATEGORY_OF[modelType] ?? "other";
}

export const CATEGORY_ORDER: readonly ModelCategory[] = ["auto", "linear", "trees", "other", "neural"];

/** Models offered for a task in a category, in registry order. */
export function modelsFor(task: Task, category?: ModelCategory) {
  return MODEL_REGISTRY.filter((m) => m.tasks.includes(task) && (!category || categoryOf(m.id) === category));
}

/** Categories that have at least one model for the task. */
export function categoriesFor(task: Task): ModelCategory[] {
  return CATEGORY_ORDER.filter((c) => modelsFor(task, c).length > 0);
}

export function isModelFor(modelType: string, task: Task): boolean {
  return MODEL_REGISTRY.some((m) => m.id === modelType && m.tasks.includes(task));
}

export function hasHyperparameters(modelType: string): boolean {
  return Object.keys(getModelSpec(modelType).params.shape).length > 0;
}

/**
 * Sets one hyperparameter (a button value or typed text) on top of the current ones.
 * Returns the new set, or the registry's error message for the value.
 */
export function setHyperparameter(
  modelType: string,
  current: Record<string, unknown>,
  name: string,
  value: unknown,
): { ok: true; values: Record<string, unknown> } | { ok: false; message: string } {
  const typed = typeof value === "string" ? parseTyped(value) : value;
  const next = { ...current, [name]: typed };
  try {
    validateHyperparameters(modelType, next);
    return { ok: true, values: next };
  } catch (error) {
    return { ok: false, message: toErrorInfo(error).message };
  }
}

/** Text as the user typed it → number, boolean, null ("none") or the text itself. */
function parseTyped(text: string): unknown {
  const t = text.trim();
  if (/^(none|null|no limit|unlimited)$/i.test(t)) return null;
  if (/^(true|yes|on)$/i.test(t)) return true;
  if (/^(false|no|off)$/i.test(t)) return false;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return t;
}

export function hasParam(modelType: string, name: string): boolean {
  return name in getModelSpec(modelType).params.shape;
}

/** The name the pickers and progress cards show for a model type ("Random forest"). */
export function modelDisplayName(modelType: string): string {
  return MODEL_REGISTRY.find((m) => m.id === modelType)?.displayName ?? modelType;
}

/** What the hyperparameter screen shows for a model type: defaults, each one's description, button choices. */
export interface ParamForm {
  defaults: Record<string, unknown>;
  descriptions: Record<string, string>;
  choices: Record<string, ReadonlyArray<number | string | boolean>>;
}

export function paramForm(modelType: string): ParamForm {
  const spec = getModelSpec(modelType);
  const fields = spec.params.shape as Record<string, { description?: string }>;
  return {
    defaults: spec.params.parse({}) as Record<string, unknown>,
    descriptions: Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.description ?? ""])),
    choices: spec.choices ?? {},
  };
}
