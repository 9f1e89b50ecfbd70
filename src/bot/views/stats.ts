/** Screens of the stats workflow, built from its context only: the summary card, the test menu, the column
 * pickers and each test's answer in plain words. */
import { InlineKeyboard } from "grammy";
import type { StatsContext } from "../../flows/stats/machine.js";
import type { AssumptionCheck, StatsReport } from "../../ml/stats/index.js";
import { fitsKind, STATS_TESTS, TEST_ROLES } from "../../ml/stats/index.js";
import { CAPTION_LIMIT, visibleLength } from "../fit.js";
import { code, num, pct, pText } from "../html.js";
import type { Texts } from "../i18n/index.js";
import { statsButtons } from "./buttons.js";
import { navRow, PAGE_SIZE, pagerRow, short, type View, withFeedback } from "./common.js";
import { TYPE_ICONS } from "./datasets.js";
import { sourceScreen } from "./sources.js";

export function statsSourceView(t: Texts, c: StatsContext, state: string): View {
  return sourceScreen(t, c, state, [t.stats.source]);
}

export function statsAwaitingView(t: Texts, c: StatsContext): View {
  const lines = c.error ? [t.source.tryAnother] : [t.stats.source];
  return {
    text: withFeedback(t, lines, c),
    keyboard: navRow(t, c.workflowId, new InlineKeyboard(), { back: true }),
  };
}

/** Per column: type, count, missing, then mean ± SD and quartiles, or the top categories with shares. */
export function summaryCardText(t: Texts, c: StatsContext): string {
  const d = c.dataset!;
  const lines = [t.stats.summaryTitle(d.fileName), t.schema.shape(d.nRows, d.nColumns), ""];
  for (const col of c.overview?.summary ?? []) {
    const missing = col.missing > 0 ? t.stats.missing(String(col.missing)) : "";
    const type = `${TYPE_ICONS[col.type] ?? ""} ${col.type}`;
    if (col.numbers) {
      const n = col.numbers;
      lines.push(t.stats.numbers(col.name, type, String(col.count), num(n.mean), num(n.std)) + missing);
      lines.push(t.stats.quartiles(num(n.min), num(n.q1), num(n.median), num(n.q3), num(n.max)));
    } else {
      const top = (col.top ?? []).map((v) => `${short(v.value, 20)} ${pct(v.share, 0)}`).join(", ");
      lines.push(t.stats.categories(col.name, type, String(col.count), String(col.unique), top) + missing);
    }
  }
  const more = d.nColumns - (c.overview?.summary.length ?? 0);
  if (more > 0) lines.push(t.stats.moreColumns(more));
  return lines.join("\n");
}

/** The caption of the heatmap: the strongest pairs (fits Telegram's 1024-character caption). */
export function correlationCaption(t: Texts, c: StatsContext): string {
  const o = c.overview!.correlations;
  const lines = [t.stats.correlations];
  for (const p of o.strongest) {
    lines.push(
      t.stats.pair(
        p.a,
        p.b,
        num(p.pearson.r, 2),
        pText(p.pearson.pValue),
        num(p.spearman.r, 2),
        pText(p.spearman.pValue),
      ),
    );
  }
  if (o.omitted > 0) lines.push(t.stats.heatmapOmitted(o.omitted));
  if (o.sampledRows) lines.push(t.stats.sampled(o.sampledRows, c.dataset!.nRows));
  const caption = lines.join("\n");
  return visibleLength(caption) <= CAPTION_LIMIT ? caption : lines.slice(0, 3).join("\n");
}

export function testMenuView(t: Texts, c: StatsContext): View {
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard();
  const lines = [t.stats.menu, ""];
  STATS_TESTS.forEach((test, k) => {
    lines.push(`• <b>${t.stats.tests[test]}</b> — ${t.stats.testHints[test]}`);
    keyboard.text(t.stats.tests[test], statsButtons.pack(wf, "pickTest", test));
    if (k % 2 === 1) keyboard.row();
  });
  if (!c.overview?.correlations.columns.length) lines.push("", t.stats.noCorrelations);
  keyboard.row().text(t.buttons.done, statsButtons.pack(wf, "done"));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function columnPickerView(t: Texts, c: StatsContext): View {
  const wf = c.workflowId;
  const test = c.test!;
  const role = TEST_ROLES[test][Math.min(c.picked.length, TEST_ROLES[test].length - 1)];
  const columns = c.dataset!.columns;
  const keyboard = new InlineKeyboard();
  const start = c.page * PAGE_SIZE;
  columns.slice(start, start + PAGE_SIZE).forEach((col, k) => {
    const index = start + k;
    const fits = fitsKind(role.kind, col) && !c.picked.includes(col.name);
    const mark = fits ? (TYPE_ICONS[col.type] ?? "") : "🚫";
    keyboard.text(
      `${mark} ${index + 1}. ${short(col.name, 22)}`,
      statsButtons.pack(wf, "pickColumn", String(index)),
    );
    if (k % 2 === 1) keyboard.row();
  });
  pagerRow(t, wf, keyboard, c.page, columns.length);
  const ask = t.stats.ask[role.role];
  const lines = [`🧪 <b>${t.stats.tests[test]}</b>`, ask, t.stats.pickHint];
  if (c.picked.length > 0) lines.push(t.stats.chosen(c.picked.map((p) => code(p)).join(", ")));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function statsResultView(t: Texts, c: StatsContext): View {
  const wf = c.workflowId;
  const r = c.result!.report;
  const lines = [
    t.stats.header(t.stats.tests[r.test], r.columns.join(" · ")),
    t.stats.statistic(statisticLine(r)),
  ];
  // For a normality test "significant" means "not normal": its verdict says so in words instead.
  if (r.test !== "shapiro" && r.test !== "dagostino")
    lines.push(r.pValue < 0.05 ? t.stats.significant : t.stats.notSignificant);
  lines.push("", ...verdict(t, r));
  if (r.effect) {
    // The verdict gives the direction; the effect line gives the size.
    const name = t.stats.effects[r.effect.name as keyof Texts["stats"]["effects"]];
    lines.push(
      "",
      t.stats.effect(name, num(Math.abs(r.effect.value)), t.stats.magnitudes[r.effect.magnitude]),
    );
  }
  if (r.groups) {
    lines.push("");
    for (const g of r.groups)
      lines.push(t.stats.group(g.name, String(g.n), num(g.mean), num(g.sd), num(g.median)));
  }
  if (r.assumptions.length > 0) lines.push("", t.stats.checks, ...r.assumptions.map((a) => checkLine(t, a)));
  if (r.dropped > 0) lines.push("", t.stats.dropped(r.dropped));
  const keyboard = new InlineKeyboard()
    .text(t.buttons.anotherTest, statsButtons.pack(wf, "anotherTest"))
    .text(t.buttons.done, statsButtons.pack(wf, "done"));
  return { text: lines.join("\n"), keyboard: navRow(t, wf, keyboard) };
}

/** "t = 2.31 · df = 17.4 · p = 0.034" */
function statisticLine(r: StatsReport): string {
  const parts = [`${r.statisticName} = ${num(r.statistic)}`];
  if (r.df) parts.push(`df = ${r.df.map((d) => num(d, 1)).join(", ")}`);
  parts.push(pText(r.pValue));
  return parts.join(" · ");
}

function verdict(t: Texts, r: StatsReport): string[] {
  const s = t.stats;
  const significant = r.pValue < 0.05;
  const [first, second] = r.columns;
  switch (r.test) {
    case "welch": {
      const [a, b] = r.groups!;
      const d = r.difference!;
      if (!significant)
        return [s.noMeanDifference(first, a.name, b.name, num(d.value), num(d.ci[0]), num(d.ci[1]))];
      // Said as "higher in X than in Y", so the difference and its interval are turned positive.
      const [hi, lo, diff, low, high] =
        d.value >= 0 ? [a, b, d.value, d.ci[0], d.ci[1]] : [b, a, -d.value, -d.ci[1], -d.ci[0]];
      return [s.meanDifference(first, hi.name, lo.name, num(diff), num(low), num(high))];
    }
    case "paired": {
      const d = r.difference!;
      return [s.pairedDifference(second, first, num(d.value), num(d.ci[0]), num(d.ci[1]))];
    }
    case "mannWhitney": {
      if (!significant) return [s.noRankShift(first)];
      const [a, b] = r.groups!;
      return [
        r.effect!.value >= 0 ? s.rankShift(first, a.name, b.name) : s.rankShift(first, b.name, a.name),
        s.method[r.method!],
      ];
    }
    case "anova":
      return [
        significant ? s.groupsDiffer(first) : s.groupsSimilar(first),
        s.welchAnova(
          `F = ${num(r.welch!.f)} · df = ${r.welch!.df.map((d) => num(d, 1)).join(", ")} · ${pText(r.welch!.pValue)}`,
        ),
      ];
    case "kruskal":
      return [significant ? s.ranksDiffer(first) : s.ranksSimilar(first)];
    case "chiSquare":
      return [
        significant ? s.associated(first, second) : s.independent(first, second),
        ...(r.table!.yates ? [s.yates] : []),
      ];
    case "shapiro":
    case "dagostino": {
      const shape = r.shape!;
      return [
        significant ? s.notNormal(first) : s.normal(first),
        s.shape(num(shape.skewness), num(shape.excessKurtosis)),
      ];
    }
    case "regression": {
      const g = r.regression!;
      return [
        s.equation(first, num(g.intercept), num(g.slope), second),
        s.slope(second, first, num(g.slope), num(g.slopeCi[0]), num(g.slopeCi[1])),
        s.intercept(num(g.interceptCi[0]), num(g.interceptCi[1])),
        s.explained(second, first, pct(g.r * g.r)),
      ];
    }
  }
}

function checkLine(t: Texts, a: AssumptionCheck): string {
  const c = t.stats.check;
  const d = a.detail;
  const p = pText(Number(d.p));
  const failed: Record<string, () => string> = {
    normalGroups: () =>
      d.p === undefined ? c.tooSmall(String(d.group), Number(d.n)) : c.normalGroups(String(d.group), p),
    normalDifferences: () =>
      d.p === undefined ? c.tooSmall(String(d.group), Number(d.n)) : c.normalDifferences(String(d.group), p),
    normalResiduals: () =>
      d.p === undefined ? c.tooSmall(String(d.group), Number(d.n)) : c.normalResiduals(p),
    equalVariances: () => c.equalVariances(p),
    groupSize: () => c.groupSize(Number(d.n)),
    expectedCounts: () => c.expectedCounts(num(Number(d.min), 2), pct(Number(d.share), 0)),
    sampleSize: () => (d.max !== undefined ? c.sampleSizeLarge(Number(d.n)) : c.sampleSizeSmall(Number(d.n))),
    constantSpread: () => c.constantSpread(p),
    outliers: () => c.outliers(Number(d.count)),
  };
  const passed: Record<string, () => string> = {
    normalGroups: () => c.normalOk,
    normalDifferences: () => c.differencesOk,
    normalResiduals: () => c.residualsOk,
    equalVariances: () => c.equalVariancesOk(p),
    groupSize: () => c.groupSizeOk,
    expectedCounts: () => c.expectedCountsOk,
    sampleSize: () => c.sampleSizeOk,
    constantSpread: () => c.constantSpreadOk,
    outliers: () => c.outliersOk,
  };
  if (a.ok) return `✅ ${passed[a.id]()}`;
  const instead = a.instead ? `: ${t.stats.instead[a.instead]}` : "";
  return `⚠️ ${failed[a.id]()}${instead}`;
}
