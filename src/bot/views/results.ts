/** The training progress message and the result card. */
import { InlineKeyboard } from "grammy";
import type { TrainingContext } from "../../flows/training/machine.js";
import type { DatasetFacts, FeatureImportance, LeaderboardEntry, Metrics } from "../../ml/types.js";
import { b, code, duration, esc, money, num, pct, progressBar } from "../html.js";
import type { Texts } from "../i18n/index.js";
import { sharedButtons, trainingButtons } from "./buttons.js";
import { errorText, type View, withFeedback } from "./common.js";
import { minutes } from "./training.js";

export function progressView(t: Texts, c: TrainingContext, nowMs: number): View {
  const job = c.job!;
  const started = job.launchedAt ? Date.parse(job.launchedAt) : nowMs;
  const phase = t.progress.phase[job.status] ?? job.status;
  const detail =
    job.status === "queued" && job.queuePosition
      ? t.progress.queue(job.queuePosition)
      : job.message
        ? esc(job.message)
        : "";
  const lines = [t.progress.title(c.modelName ?? ""), t.progress.where(c.offer?.label ?? "local"), ""];
  for (const attempt of job.attempts) lines.push(t.progress.attempt(attempt.offer, attempt.reason));
  lines.push(progressBar(job.progress), `${esc(phase)}${detail ? ` — ${detail}` : ""}`);
  if (job.logTail.length > 0) lines.push(`<i>${esc(job.logTail.at(-1))}</i>`);
  const m = job.metrics;
  if (m?.gpuUtilization !== undefined && m.vramTotalGb) {
    lines.push(t.progress.gpu(m.gpuUtilization, num(m.vramUsedGb ?? 0, 2), num(m.vramTotalGb, 2)));
  }
  lines.push(t.progress.elapsed(duration((nowMs - started) / 1000)));
  if (job.hourlyRate > 0) lines.push(t.progress.cost(money(job.costSoFar)));
  const keyboard = new InlineKeyboard().text(t.buttons.stop, sharedButtons.pack(c.workflowId, "cancel"));
  return { text: lines.join("\n"), keyboard };
}

/** The job has ended and its compute is being terminated: nothing is final until the provider confirms. */
export function terminatingView(t: Texts, c: TrainingContext): View {
  const ending = c.ending;
  const lines = [t.progress.title(c.modelName ?? ""), t.progress.where(c.offer?.label ?? "local"), ""];
  lines.push(t.progress.stopping[ending?.outcome ?? "cancelled"]);
  if (ending?.lastError) lines.push(t.progress.stopRetry(ending.attempts, ending.lastError));
  return { text: lines.join("\n") };
}

/** The failure card: the error, and the tail of the machine's own log when it left one. */
export function failedView(t: Texts, c: TrainingContext): View {
  if (!c.error) return { text: t.failed };
  const log = c.job?.diagnostics ?? [];
  const tail = log.length > 0 ? ["", t.progress.machineLog, `<pre>${esc(log.join("\n"))}</pre>`] : [];
  return { text: [errorText(t, c.error), ...tail].join("\n") };
}

export function progressDoneView(t: Texts, c: TrainingContext): View {
  const lines = [t.progress.title(c.modelName ?? ""), t.progress.where(c.offer?.label ?? "local"), ""];
  for (const attempt of c.job?.attempts ?? []) lines.push(t.progress.attempt(attempt.offer, attempt.reason));
  lines.push(progressBar(100), t.progress.doneIn(duration(c.result?.runtimeSeconds ?? 0)));
  return { text: lines.join("\n") };
}

interface ResultSummary {
  metrics?: Metrics;
  importance?: FeatureImportance[];
  facts?: DatasetFacts;
  name?: string;
  leaderboard?: LeaderboardEntry[];
  /** What trained the model (src/ml/gpu/train.ts's ComputeUsed). */
  compute?: { device: "cpu" | "gpu"; label: string; fallback?: string };
}

export function resultView(t: Texts, c: TrainingContext): View {
  const r = c.result!;
  const summary = r.summary as ResultSummary;
  const lines = [t.result.title(r.name), "", t.result.heldOut(summary.facts?.testRows ?? 0)];
  lines.push(...metricLines(t, summary.metrics ?? {}));
  lines.push(...factLines(t, summary.facts), ...leaderboardLines(t, summary.leaderboard));
  const top = (summary.importance ?? []).slice(0, 5);
  if (top.length > 0) {
    lines.push("", t.result.topFeatures);
    for (const [index, f] of top.entries())
      lines.push(`${index + 1}. ${code(f.feature)} ${num(f.importance)}`);
  }
  lines.push("", t.result.footer(duration(r.runtimeSeconds), r.trainedOn, money(r.cost)));
  const compute = summary.compute;
  if (compute?.device === "gpu") lines.push(t.result.computeGpu(compute.label));
  else if (compute?.fallback) lines.push(t.result.computeCpu(compute.fallback));
  // The quote beside what it came to: the offer the job ran on.
  if (c.offer) lines.push(t.result.quoted(minutes(c.offer.estimatedMinutes), money(c.offer.estimatedCost)));
  lines.push(t.result.modelId(r.modelId));
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard()
    .text(t.buttons.nameModel, trainingButtons.pack(wf, "nameModel"))
    .text(t.buttons.predictNow, trainingButtons.pack(wf, "predictNow"))
    .row()
    .text(t.buttons.saveTemplate, trainingButtons.pack(wf, "saveTemplate"))
    .text(t.buttons.trainAnother, trainingButtons.pack(wf, "trainAnother"))
    .row()
    .text(t.buttons.done, trainingButtons.pack(wf, "done"));
  return { text: withFeedback(t, lines, c), keyboard };
}

/** Final screen after naming or Done: the model is ready; buttons start new workflows. */
export function completeView(t: Texts, c: TrainingContext, named: boolean): View {
  const wf = c.workflowId;
  const text = named && c.result ? t.result.named(c.result.name) : t.result.finished;
  const keyboard = new InlineKeyboard()
    .text(t.buttons.predictNow, trainingButtons.pack(wf, "predictNow"))
    .text(t.buttons.trainAnother, trainingButtons.pack(wf, "trainAnother"));
  return { text, keyboard: c.result ? keyboard : undefined };
}

export function metricLines(t: Texts, m: Metrics): string[] {
  const lines: string[] = [];
  if (m.r2 !== undefined)
    lines.push(`• R² ${b(num(m.r2))} — ${t.result.hints.r2(pct(Math.max(0, m.r2), 0))}`);
  if (m.rmse !== undefined) lines.push(`• RMSE ${b(num(m.rmse))} — ${t.result.hints.rmse}`);
  if (m.mae !== undefined) lines.push(`• MAE ${b(num(m.mae))} — ${t.result.hints.mae}`);
  if (m.mape !== undefined) lines.push(`• MAPE ${b(pct(m.mape))}`);
  if (m.accuracy !== undefined)
    lines.push(
      `• ${t.metrics.accuracy} ${b(pct(m.accuracy))} — ${t.result.hints.accuracy(pct(m.accuracy, 0))}`,
    );
  if (m.f1 !== undefined) lines.push(`• F1 ${b(num(m.f1))} — ${t.result.hints.f1}`);
  else if (m.f1Macro !== undefined) lines.push(`• F1 (macro) ${b(num(m.f1Macro))} — ${t.result.hints.f1}`);
  if (m.precision !== undefined && m.recall !== undefined)
    lines.push(`• ${t.metrics.precision} ${b(num(m.precision))} · ${t.metrics.recall} ${b(num(m.recall))}`);
  if (m.rocAuc !== undefined) lines.push(`• ROC-AUC ${b(num(m.rocAuc))} — ${t.result.hints.rocAuc}`);
  if (m.logLoss !== undefined) lines.push(`• ${t.metrics.logLoss} ${num(m.logLoss)}`);
  return lines;
}

/**
 * Auto mode: the winner, then the best other candidates by cross-validated score. The winner comes first even
 * when another scored higher: an ensemble's score is cross-validated with its weights chosen on other folds,
 * and it won against the single choice on the same folds.
 */
function leaderboardLines(t: Texts, board: LeaderboardEntry[] | undefined): string[] {
  if (!board?.length) return [];
  const ranked = [...board]
    .filter((e) => e.folds > 0)
    .sort((a, b) => Number(b.winner ?? false) - Number(a.winner ?? false) || b.cvMean - a.cvMean)
    .slice(0, 5);
  const lines = ["", t.result.leaderboard(board.length)];
  ranked.forEach((e, index) => {
    const score = e.metric === "r2" ? `R² ${num(e.cvMean)}` : pct(e.cvMean);
    lines.push(`${index + 1}. ${e.winner ? "🏆 " : ""}${esc(e.label)} — ${score} ± ${num(e.cvStd, 3)}`);
  });
  return lines;
}

function factLines(t: Texts, facts: DatasetFacts | undefined): string[] {
  if (!facts) return [];
  if (facts.classBalance?.length) {
    const total = facts.classBalance.reduce((s, x) => s + x.count, 0);
    const shown = facts.classBalance
      .slice(0, 6)
      .map((x) => `${esc(x.label)} ${pct(x.count / Math.max(1, total), 0)}`);
    return ["", `${t.result.balance} ${shown.join(" · ")}`];
  }
  if (facts.targetQuartiles) {
    const [q1, q2, q3] = facts.targetQuartiles.map((q) => num(q));
    return ["", t.result.quartiles(q1, q2, q3)];
  }
  return [];
}
