/** Screens of the training workflow, built from its context only. */
import { InlineKeyboard } from "grammy";
import type { TrainingContext } from "../../flows/training/machine.js";
import { MODEL_REGISTRY } from "../../ml/index.js";
import type { FeatureImportance, Metrics } from "../../ml/types.js";
import { A, pack } from "../callback-data.js";
import { b, code, duration, esc, num, pct, progressBar } from "../html.js";
import type { Texts } from "../texts/en.js";
import { cancelRow, errorText, type View } from "./common.js";

const TYPE_ICONS: Record<string, string> = {
  numeric: "🔢",
  integer: "🔢",
  boolean: "☑️",
  categorical: "🏷️",
  datetime: "📅",
  text: "📝",
  identifier: "🆔",
};

export function awaitingDataView(t: Texts, c: TrainingContext): View {
  const text = c.error ? `${errorText(t, c.error)}\n\n${t.tryAnotherFile}` : t.askForData;
  return { text, keyboard: cancelRow(t, c.workflowId) };
}

export function schemaView(t: Texts, c: TrainingContext): View {
  const d = c.dataset!;
  const s = d.suggestion;
  const typeCounts = new Map<string, number>();
  for (const col of d.columns) typeCounts.set(col.type, (typeCounts.get(col.type) ?? 0) + 1);
  const lines = [
    t.schemaCard.title(d.fileName),
    `${t.schemaCard.shape(d.nRows, d.nColumns)} · ${t.schemaCard.missing(d.missingCells)}`,
    `${t.schemaCard.types}: ${[...typeCounts].map(([type, n]) => `${TYPE_ICONS[type] ?? ""} ${esc(type)} ${n}`).join(" · ")}`,
    "",
  ];
  const keyboard = new InlineKeyboard();
  if (s.target && s.task) {
    lines.push(
      t.schemaCard.suggestion(s.target, s.task),
      t.schemaCard.features(s.features.length),
      `<i>${esc(s.reason)}</i>`,
    );
    keyboard.text(t.schemaCard.accept, pack({ wf: c.workflowId, action: A.acceptSchema }));
  } else {
    lines.push(t.schemaCard.noTarget);
  }
  return { text: lines.join("\n"), keyboard: cancelRow(t, c.workflowId, keyboard) };
}

export function modelPickerView(t: Texts, c: TrainingContext): View {
  const keyboard = new InlineKeyboard();
  const models = MODEL_REGISTRY.filter((m) => m.tasks.includes(c.task!));
  models.forEach((m, index) => {
    const star = m.recommended?.includes(c.task!) ? ` ${t.recommended}` : "";
    keyboard.text(`${m.displayName}${star}`, pack({ wf: c.workflowId, action: A.pickModel, arg: m.id }));
    if (index % 2 === 1) keyboard.row();
  });
  keyboard.row();
  return { text: t.pickModel(c.task!), keyboard: cancelRow(t, c.workflowId, keyboard) };
}

export function progressView(t: Texts, c: TrainingContext, nowMs: number): View {
  const job = c.job!;
  const started = job.launchedAt ? Date.parse(job.launchedAt) : nowMs;
  const phase = t.phase[job.status as keyof Texts["phase"]] ?? job.status;
  const lines = [
    t.progressTitle(modelName(c.modelType!)),
    "",
    `${progressBar(job.progress)}`,
    `${esc(phase)}${job.message ? ` — ${esc(job.message)}` : ""}`,
    t.elapsed(duration((nowMs - started) / 1000)),
  ];
  return { text: lines.join("\n"), keyboard: cancelRow(t, c.workflowId) };
}

export function progressDoneView(t: Texts, c: TrainingContext): View {
  return {
    text: [
      t.progressTitle(modelName(c.modelType!)),
      "",
      progressBar(100),
      t.doneIn(duration(c.result?.runtimeSeconds ?? 0)),
    ].join("\n"),
  };
}

export function resultView(t: Texts, c: TrainingContext): View {
  const r = c.result!;
  const summary = r.summary as {
    metrics?: Metrics;
    importance?: FeatureImportance[];
    facts?: { testRows?: number };
    name?: string;
  };
  const metrics = summary.metrics ?? {};
  const lines = [
    t.resultTitle(summary.name ?? modelName(c.modelType!)),
    "",
    t.heldOut(summary.facts?.testRows ?? 0),
  ];
  lines.push(...metricLines(t, metrics));
  const top = (summary.importance ?? []).slice(0, 5);
  if (top.length > 0) {
    lines.push("", t.topFeatures);
    for (const [index, f] of top.entries())
      lines.push(`${index + 1}. ${code(f.feature)} ${num(f.importance)}`);
  }
  lines.push("", `⏱ ${duration(r.runtimeSeconds)}`, t.modelId(r.modelId));
  const keyboard = new InlineKeyboard()
    .text(t.predictNow, pack({ wf: c.workflowId, action: A.predictNow }))
    .text(t.trainAnother, pack({ wf: c.workflowId, action: A.trainAnother }))
    .row()
    .text(t.done, pack({ wf: c.workflowId, action: A.done }));
  return { text: lines.join("\n"), keyboard };
}

export function metricLines(t: Texts, m: Metrics): string[] {
  const lines: string[] = [];
  if (m.r2 !== undefined) lines.push(`• R² ${b(num(m.r2))} — ${t.hints.r2(pct(Math.max(0, m.r2), 0))}`);
  if (m.rmse !== undefined) lines.push(`• RMSE ${b(num(m.rmse))}`);
  if (m.mae !== undefined) lines.push(`• MAE ${b(num(m.mae))}`);
  if (m.accuracy !== undefined)
    lines.push(`• Accuracy ${b(pct(m.accuracy))} — ${t.hints.accuracy(pct(m.accuracy, 0))}`);
  if (m.f1 !== undefined) lines.push(`• F1 ${b(num(m.f1))}`);
  if (m.f1Macro !== undefined && m.f1 === undefined) lines.push(`• F1 (macro) ${b(num(m.f1Macro))}`);
  if (m.rocAuc !== undefined) lines.push(`• ROC-AUC ${b(num(m.rocAuc))}`);
  return lines;
}

export function modelName(modelType: string): string {
  return MODEL_REGISTRY.find((m) => m.id === modelType)?.displayName ?? modelType;
}
