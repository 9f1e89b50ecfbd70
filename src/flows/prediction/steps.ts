/**
 * Pure helpers of the prediction machine: BACK bookkeeping, which models fit the data, and the prediction
 * column's name.
 */
import type { DatasetSummary, ModelChoice } from "../ports.js";
import { popHistoryTo } from "../shared/back.js";
import { missingColumns } from "../shared/compatibility.js";
import type { PredictionContext } from "./types.js";

const COLUMN_NAME = /^[\p{L}\p{N} _.()-]{1,64}$/u;

/** The forward steps, in order. BACK to a step clears what it and the steps after it set. */
const STEP_ORDER = [
  "CHOOSING_DATA_SOURCE",
  "AWAITING_DATA",
  "CONFIRMING_SCHEMA",
  "SELECTING_MODEL",
  "CONFIRMING_PREDICTION_COLUMN",
  "CHOOSING_PREDICTION_LOCATION",
  "READY_TO_RUN",
] as const;

/** What each step sets in context. */
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

/** The context update of BACK to `to`: pop the history, clear what later steps set. */
export function backTo(context: PredictionContext, to: string): Partial<PredictionContext> {
  return popHistoryTo(context, to, STEP_ORDER, OWNED);
}

export function forward(context: PredictionContext, from: string): Pick<PredictionContext, "history"> {
  return { history: [...context.history, from] };
}

/** Models whose features the data has, and what each of the others lacks. */
export function compatibility(models: ModelChoice[], dataset: DatasetSummary): Partial<PredictionContext> {
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

export function columnNameProblem(context: PredictionContext, text: string): string | undefined {
  const name = text.trim();
  if (!COLUMN_NAME.test(name)) return "badColumnName";
  if (context.dataset?.columns.some((c) => c.name.toLowerCase() === name.toLowerCase()))
    return "columnExists";
  return undefined;
}

/** The default column name, with a suffix if the data already has a column of that name. */
export function uniqueColumn(context: PredictionContext, base: string): string {
  const taken = new Set(context.dataset?.columns.map((c) => c.name.toLowerCase()) ?? []);
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}_${i}`;
  return name;
}
