/** Screens of the prediction workflow, built from its context only. */
import { InlineKeyboard } from "grammy";
import type { PredictionContext } from "../../flows/prediction/machine.js";
import type { FeatureDrift } from "../../ml/index.js";
import { b, duration, esc, i, money, num, pct, pre, pText } from "../html.js";
import type { Texts } from "../i18n/index.js";
import { predictionButtons } from "./buttons.js";
import { navRow, offerName, short, type View, withFeedback } from "./common.js";
import { datasetLines } from "./datasets.js";
import { sourceScreen } from "./sources.js";
import { listNames, minutes } from "./training.js";

const MAX_MODEL_LINES = 8;

export function predictionSourceView(t: Texts, c: PredictionContext, state: string): View {
  const intro = [c.template ? t.source.template(c.template) : t.source.predict];
  const preselected = c.models.find((m) => m.modelId === c.modelId);
  if (preselected) {
    intro.push(
      t.predict.readyModel(preselected.name),
      t.schema.features(preselected.features.length, listNames(preselected.features, 10)),
    );
  }
  return sourceScreen(t, c, state, intro);
}

export function predictionAwaitingView(t: Texts, c: PredictionContext): View {
  const lines = c.error ? [t.source.tryAnother] : [t.source.predict];
  return {
    text: withFeedback(t, lines, c),
    keyboard: navRow(t, c.workflowId, new InlineKeyboard(), { back: true }),
  };
}

export function compatibilityView(t: Texts, c: PredictionContext): View {
  const wf = c.workflowId;
  const lines = datasetLines(t, c.dataset!);
  const compatible = c.models.filter((m) => c.compatible?.includes(m.modelId));
  const others = c.models.filter((m) => !c.compatible?.includes(m.modelId));
  lines.push("");
  if (compatible.length > 0) {
    lines.push(t.predict.compatible);
    for (const m of compatible.slice(0, MAX_MODEL_LINES)) lines.push(`• ${b(m.name)}${metric(m.metric)}`);
  }
  if (others.length > 0) {
    lines.push(compatible.length > 0 ? "" : t.predict.noneFit, t.predict.incompatible);
    for (const m of others.slice(0, MAX_MODEL_LINES)) {
      lines.push(`• ${esc(m.name)}: ${t.predict.missing(listNames(c.missingByModel?.[m.modelId] ?? [], 4))}`);
    }
  }
  const keyboard = new InlineKeyboard();
  if (compatible.length > 0) keyboard.text(t.buttons.continue, predictionButtons.pack(wf, "acceptSchema"));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function predictionModelView(t: Texts, c: PredictionContext): View {
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard();
  c.models.forEach((m, index) => {
    if (!c.compatible?.includes(m.modelId)) return;
    keyboard
      .text(
        `${short(m.name, 40)}${metric(m.metric)}`,
        predictionButtons.pack(wf, "pickPredictionModel", String(index)),
      )
      .row();
  });
  return {
    text: withFeedback(t, [t.predict.pickModel], c),
    keyboard: navRow(t, wf, keyboard, { back: true }),
  };
}

export function columnView(t: Texts, c: PredictionContext): View {
  const wf = c.workflowId;
  const name = `${c.model!.target}_predicted`;
  const keyboard = new InlineKeyboard().text(
    t.buttons.useThisName,
    predictionButtons.pack(wf, "useDefaultColumn"),
  );
  return {
    text: withFeedback(t, [t.predict.column(name), t.predict.columnHint], c),
    keyboard: navRow(t, wf, keyboard, { back: true }),
  };
}

export function predictionLocationView(t: Texts, c: PredictionContext, quoting: boolean): View {
  const wf = c.workflowId;
  if (quoting) return { text: t.location.quoting };
  const keyboard = new InlineKeyboard();
  const lines = [t.location.title, ""];
  (c.offers ?? []).forEach((offer, index) => {
    const cost = offer.estimatedCost === 0 ? t.location.free : money(offer.estimatedCost);
    lines.push(
      `${index + 1}. ${t.location.offer(esc(offerName(t, offer)), minutes(offer.estimatedMinutes), cost)}`,
    );
    keyboard
      .text(
        `${index + 1}. ${short(offerName(t, offer), 30)}`,
        predictionButtons.pack(wf, "pickOffer", String(index)),
      )
      .row();
  });
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function readyView(t: Texts, c: PredictionContext, naming: boolean): View {
  const wf = c.workflowId;
  if (naming) {
    return {
      text: withFeedback(t, [t.result.templatePrompt], c),
      keyboard: new InlineKeyboard().text(t.buttons.back, predictionButtons.pack(wf, "back")),
    };
  }
  const offer = c.offer;
  const lines = [
    t.predict.ready,
    "",
    t.predict.readyModel(c.model!.name),
    t.predict.readyData(c.dataset!.fileName, c.dataset!.nRows),
    t.predict.readyColumn(c.predictionColumn!),
    t.predict.readyWhere(
      offer?.label ?? "local",
      offer && offer.estimatedCost > 0 ? money(offer.estimatedCost) : t.location.free,
    ),
  ];
  const keyboard = new InlineKeyboard()
    .text(t.buttons.run, predictionButtons.pack(wf, "run"))
    .text(t.buttons.saveTemplate, predictionButtons.pack(wf, "saveTemplate"));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
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
  const lines = [t.predict.title(r.numPredictions), ""];
  if (r.fallback)
    lines.push(t.predict.fallback(t.predict.cloudNames[r.fallback.provider], r.fallback.reason), "");
  if (summary.distribution) {
    lines.push(t.predict.classes);
    for (const d of summary.distribution.slice(0, 10)) {
      lines.push(`• ${esc(d.label)}: ${d.count} (${pct(d.count / Math.max(1, r.numPredictions))})`);
    }
  } else if (summary.mean !== undefined) {
    lines.push(
      t.predict.stats,
      `mean ${b(num(summary.mean))} · std ${num(summary.std ?? 0)}`,
      `min ${num(summary.min ?? 0)} · median ${num(summary.median ?? 0)} · max ${num(summary.max ?? 0)}`,
    );
  }
  const outside = Number((r.summary as { outsideTrainingDomain?: number }).outsideTrainingDomain ?? 0);
  if (outside > 0) lines.push("", t.predict.outsideDomain(outside));
  lines.push(
    "",
    t.predict.preview,
    pre(previewTable(r.preview, c.predictionColumn ?? "")),
    t.predict.time(duration(r.executionTime)),
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

function metric(m: { name: string; value: number } | undefined): string {
  if (!m) return "";
  return m.name === "r2" ? ` · R² ${num(m.value, 2)}` : ` · ${pct(m.value, 0)}`;
}

/** The drift warning: the features that differ from the training data, in plain words, and the choice. */
export function driftWarningView(t: Texts, c: PredictionContext): View {
  const wf = c.workflowId;
  const d = c.drift!;
  const lines = [t.drift.title, ""];
  for (const f of d.drifting) lines.push(t.drift.feature(f.feature, driftDetail(t, f)));
  if (d.more > 0) lines.push(t.drift.more(d.more));
  lines.push("", t.drift.advice, "", b(t.drift.question));
  const keyboard = new InlineKeyboard().text(
    t.buttons.predictAnyway,
    predictionButtons.pack(wf, "predictAnyway"),
  );
  return { text: lines.join("\n"), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

/** One feature's drift: what is outside, unseen or moved, with PSI and the KS p-value. */
function driftDetail(t: Texts, f: FeatureDrift): string {
  const parts: string[] = [];
  if (f.reasons.includes("range") && f.outside)
    parts.push(t.drift.outside(pct(f.outside.share, 0), num(f.outside.min), num(f.outside.max)));
  if (f.reasons.includes("unseen") && f.unseen)
    parts.push(t.drift.unseen(f.unseen.count, f.unseen.examples.join(", "), pct(f.unseen.share, 0)));
  if (f.reasons.includes("psi") || f.reasons.includes("ks")) {
    parts.push(f.median ? t.drift.moved(num(f.median.training), num(f.median.now)) : t.drift.mix);
  }
  const ks = f.ks ? ` · KS ${pText(f.ks.pValue)}` : "";
  return `${parts.join("; ")} ${i(`(PSI ${num(f.psi, 2)}${ks})`)}`;
}
