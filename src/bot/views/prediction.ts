/** Screens of the prediction workflow, built from its context only. */
import { InlineKeyboard } from "grammy";
import type { PredictionContext } from "../../flows/prediction/machine.js";
import { A, pack } from "../callback-data.js";
import { b, duration, esc, num, pct, pre } from "../html.js";
import type { Texts } from "../texts/en.js";
import { cancelRow, errorText, type View } from "./common.js";

const MAX_MODEL_BUTTONS = 10;

export function modelChoiceView(t: Texts, c: PredictionContext): View {
  if (c.models.length === 0) return { text: t.noModels };
  const keyboard = new InlineKeyboard();
  c.models.slice(0, MAX_MODEL_BUTTONS).forEach((m, index) => {
    const metric = m.metric ? ` · ${m.metric.name === "r2" ? "R²" : "acc"} ${num(m.metric.value, 2)}` : "";
    keyboard
      .text(
        `${m.name}${metric}`,
        pack({ wf: c.workflowId, action: A.pickPredictionModel, arg: String(index) }),
      )
      .row();
  });
  return { text: t.pickPredictionModel, keyboard: cancelRow(t, c.workflowId, keyboard) };
}

export function awaitingPredictionDataView(t: Texts, c: PredictionContext): View {
  const ask = t.askForPredictionData(c.model!.name, c.model!.features);
  const text = c.error ? `${errorText(t, c.error)}\n\n${ask}` : ask;
  return { text, keyboard: cancelRow(t, c.workflowId) };
}

export function predictionResultView(t: Texts, c: PredictionContext): View {
  const r = c.result!;
  const summary = (r.summary ?? {}) as {
    mean?: number;
    std?: number;
    min?: number;
    median?: number;
    max?: number;
    distribution?: Array<{ label: string; count: number }>;
  };
  const lines = [t.predictionsTitle(r.numPredictions), ""];
  if (summary.distribution) {
    lines.push(t.predictionsClasses);
    for (const d of summary.distribution.slice(0, 10)) {
      lines.push(`• ${esc(d.label)}: ${d.count} (${pct(d.count / Math.max(1, r.numPredictions))})`);
    }
  } else if (summary.mean !== undefined) {
    lines.push(
      t.predictionsStats,
      `mean ${b(num(summary.mean))} · std ${num(summary.std ?? 0)}`,
      `min ${num(summary.min ?? 0)} · median ${num(summary.median ?? 0)} · max ${num(summary.max ?? 0)}`,
    );
  }
  lines.push(
    "",
    t.preview,
    pre(previewTable(r.preview, c.predictionColumn ?? "")),
    t.predictionTime(duration(r.executionTime)),
  );
  return { text: lines.join("\n") };
}

/** A monospace table of the first rows: up to three input columns and the prediction. */
export function previewTable(
  preview: { columns: string[]; rows: string[][] },
  predictionColumn: string,
): string {
  const predIndex = preview.columns.indexOf(predictionColumn);
  const inputs = preview.columns
    .map((_, index) => index)
    .filter((index) => index !== predIndex)
    .slice(0, 3);
  const indexes = predIndex >= 0 ? [...inputs, predIndex] : inputs;
  const cell = (s: string) => (s.length > 12 ? `${s.slice(0, 11)}…` : s);
  const rows = [
    indexes.map((k) => cell(preview.columns[k])),
    ...preview.rows.map((row) => indexes.map((k) => cell(row[k] ?? ""))),
  ];
  const widths = indexes.map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  return rows.map((row) => row.map((v, j) => v.padEnd(widths[j])).join("  ")).join("\n");
}
