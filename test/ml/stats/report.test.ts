/**
 * A test on a loaded table: the right columns and rows reach the test, the assumptions are checked (and name
 * what to use instead), problems are reported instead of thrown, and each answer's chart draws those data.
 */
import { describe, expect, it } from "vitest";
import { svgToPng } from "../../../src/ml/index.js";
import {
  chiSquareIndependence,
  correlationMatrix,
  kruskalWallis,
  mannWhitneyU,
  oneWayAnova,
  pairedTTest,
  pearson,
  reportChartSvg,
  runStatsTest,
  type StatsReport,
  shapiroWilk,
  statsOverview,
  welchTTest,
} from "../../../src/ml/stats/index.js";
import type { Frame } from "../../../src/ml/types.js";
import { elements, num, pngSize, texts } from "../charts/svg-parse.js";
import { csvFrame, loadFixture } from "../helpers/fixtures.js";

function report(frame: Frame, test: StatsReport["test"], columns: string[]): StatsReport {
  const outcome = runStatsTest(frame, test, columns);
  if (!outcome.ok) throw new Error(`unexpected problem ${JSON.stringify(outcome.problem)}`);
  return outcome.report;
}

/** values by group: A is skewed and small, B normal-ish; a missing value and a missing group are dropped. */
const SKEWED = [
  "score,team,before,after",
  ...[1, 1, 1, 2, 1, 1, 30, 1, 2, 1].map((v, i) => `${v},A,${10 + i},${11 + i * 1.1}`),
  ...[5, 6, 7, 6, 5, 8, 7, 6, 5, 7].map((v, i) => `${v},B,${20 + i},${19 + i * 0.9}`),
  ",A,1,2",
  "4,,3,4",
].join("\n");

describe("runStatsTest", () => {
  it("Welch's t-test takes the values by group, drops incomplete rows and suggests Mann-Whitney for skewed small groups", async () => {
    const f = await csvFrame(SKEWED);
    const r = report(f, "welch", ["score", "team"]);
    const a = [1, 1, 1, 2, 1, 1, 30, 1, 2, 1];
    const b = [5, 6, 7, 6, 5, 8, 7, 6, 5, 7];
    const direct = welchTTest(Float64Array.from(a), Float64Array.from(b));
    expect(r.statistic).toBe(direct.t);
    expect(r.pValue).toBe(direct.pValue);
    expect(r.n).toBe(20);
    expect(r.dropped).toBe(2);
    expect(r.groups?.map((g) => [g.name, g.n])).toEqual([
      ["A", 10],
      ["B", 10],
    ]);
    expect(r.effect?.name).toBe("cohensD");
    const normal = r.assumptions.find((c) => c.id === "normalGroups");
    expect(normal).toMatchObject({ ok: false, instead: "mannWhitney", detail: { group: "A" } });
  });

  it("Mann-Whitney, paired t-test and regression use the same rows as a direct call", async () => {
    const f = await csvFrame(SKEWED);
    const mw = report(f, "mannWhitney", ["score", "team"]);
    const direct = mannWhitneyU(
      Float64Array.of(1, 1, 1, 2, 1, 1, 30, 1, 2, 1),
      Float64Array.of(5, 6, 7, 6, 5, 8, 7, 6, 5, 7),
    );
    expect(mw.statistic).toBe(direct.u);
    expect(mw.pValue).toBe(direct.pValue);
    expect(mw.effect).toMatchObject({ name: "rankBiserial", value: direct.rankBiserial });

    const paired = report(f, "paired", ["before", "after"]);
    expect(paired.n).toBe(22);
    expect(paired.dropped).toBe(0);
    expect(paired.difference?.ci[0]).toBeLessThan(paired.difference!.value);

    const reg = report(f, "regression", ["after", "before"]);
    expect(reg.regression?.slope).toBeGreaterThan(0.8);
    expect(reg.effect?.name).toBe("rSquared");
    expect(reg.assumptions.map((c) => c.id)).toEqual(["normalResiduals", "constantSpread", "outliers"]);
    const p = pairedTTest(Float64Array.of(1), Float64Array.of(1));
    expect(Number.isNaN(p.t)).toBe(true);
  });

  it("ANOVA on penguins: Welch's variant beside it, and unequal variances point to it", async () => {
    const f = await loadFixture("penguins");
    const r = report(f, "anova", ["Body Mass (g)", "Species"]);
    expect(r.groups?.map((g) => g.name)).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(r.dropped).toBe(2);
    expect(r.df).toEqual([2, 339]);
    expect(r.pValue).toBeLessThan(1e-50);
    expect(r.welch?.pValue).toBeLessThan(1e-50);
    expect(r.effect).toMatchObject({ name: "etaSquared", magnitude: "large" });
    const variances = r.assumptions.find((c) => c.id === "equalVariances");
    expect(variances).toMatchObject({ ok: false, instead: "welchAnova" });
    const k = report(f, "kruskal", ["Body Mass (g)", "Species"]);
    const direct = kruskalWallis(
      r.groups!.map((g) => Float64Array.from(rowsOf(f, "Body Mass (g)", "Species", g.name))),
    );
    expect(k.statistic).toBeCloseTo(direct.h, 12);
    expect(oneWayAnova([Float64Array.of(1, 2), Float64Array.of(3, 4)]).df2).toBe(2);
  });

  it("chi-square on a 2×2 table with a zero cell applies Yates and points to Fisher's exact test", async () => {
    const rows = [...Array(12).fill("a,x"), ...Array(5).fill("b,x"), ...Array(9).fill("b,y")];
    const f = await csvFrame(["g,h", ...rows].join("\n"));
    const r = report(f, "chiSquare", ["g", "h"]);
    expect(r.table).toEqual({
      rows: ["a", "b"],
      columns: ["x", "y"],
      counts: [
        [12, 0],
        [5, 9],
      ],
      yates: true,
    });
    expect(r.statistic).toBe(
      chiSquareIndependence([
        [12, 0],
        [5, 9],
      ]).chi2,
    );
    // 12·9/26 ≈ 4.2 is expected where the zero is: one cell in four below 5 breaks Cochran's rule.
    expect(r.assumptions[0]).toMatchObject({ id: "expectedCounts", ok: false, instead: "fisherExact" });
    const larger = [
      ...Array(20).fill("a,x"),
      ...Array(15).fill("a,y"),
      ...Array(10).fill("b,x"),
      ...Array(25).fill("b,y"),
    ];
    const fine = report(await csvFrame(["g,h", ...larger].join("\n")), "chiSquare", ["g", "h"]);
    expect(fine.assumptions[0]).toMatchObject({ id: "expectedCounts", ok: true });
    expect(fine.effect?.name).toBe("cramersV");
  });

  it("normality tests describe the sample's shape; D'Agostino below 20 values points to Shapiro-Wilk", async () => {
    const f = await loadFixture("diabetes");
    const s = report(f, "shapiro", ["bmi"]);
    const values = Float64Array.from(numbers(f, "bmi"));
    expect(s.statistic).toBe(shapiroWilk(values).w);
    expect(s.shape?.skewness).toBeGreaterThan(0);
    expect(s.assumptions[0]).toMatchObject({ id: "sampleSize", ok: true });
    const small = await csvFrame(["v", ...[3, 1, 4, 1, 5, 9, 2, 6, 5, 3].map(String)].join("\n"));
    expect(report(small, "dagostino", ["v"]).assumptions[0]).toMatchObject({ ok: false, instead: "shapiro" });
  });

  it("reports problems instead of throwing: one group, too few values, no variation", async () => {
    const f = await csvFrame(["v,g,c", "1,a,5", "2,a,5", "3,a,5", ",b,5"].join("\n"));
    expect(runStatsTest(f, "welch", ["v", "g"])).toEqual({
      ok: false,
      problem: { key: "oneGroup", params: { column: "g" } },
    });
    expect(runStatsTest(f, "dagostino", ["v"])).toMatchObject({
      ok: false,
      problem: { key: "tooFewValues", params: { n: 3, min: 8 } },
    });
    expect(runStatsTest(f, "shapiro", ["c"])).toMatchObject({ ok: false, problem: { key: "noVariation" } });
  });
});

describe("charts of the answers", () => {
  it("box plots draw one box per group with its quartiles; the PNG is 1080 px wide", async () => {
    const f = await loadFixture("penguins");
    const r = report(f, "anova", ["Body Mass (g)", "Species"]);
    const svg = reportChartSvg(f, r);
    const boxes = elements(svg, "rect", "box");
    expect(boxes.map((b) => b["data-group"])).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(boxes.map((b) => num(b, "data-n"))).toEqual(r.groups!.map((g) => g.n));
    for (const b of boxes) expect(num(b, "data-q1")).toBeLessThanOrEqual(num(b, "data-q3"));
    expect(texts(svg)).toContain("Body Mass (g) by Species");
    expect(pngSize(svgToPng(svg)).width).toBe(1080);
  });

  it("the histogram counts every value, and its normal curve has the sample's mean", async () => {
    const f = await loadFixture("diabetes");
    const r = report(f, "shapiro", ["bmi"]);
    const svg = reportChartSvg(f, r, "pt");
    const bars = elements(svg, "rect", "bar");
    expect(bars.reduce((s, b) => s + num(b, "data-count"), 0)).toBe(442);
    expect(num(elements(svg, "polyline", "normal-curve")[0], "data-mean")).toBeCloseTo(r.shape!.mean, 9);
    expect(texts(svg)).toContain("Distribuição de bmi");
  });

  it("the contingency heatmap has a cell per count, and the scatter plot the fitted line", async () => {
    const f = await csvFrame(SKEWED);
    const r = report(f, "regression", ["after", "before"]);
    const line = elements(reportChartSvg(f, r), "line", "fit")[0];
    expect(num(line, "data-slope")).toBe(r.regression!.slope);
    const p = await loadFixture("penguins");
    const c = report(p, "chiSquare", ["Island", "Species"]);
    const cells = elements(reportChartSvg(p, c), "rect", "cell");
    expect(cells.map((e) => num(e, "data-count"))).toEqual(c.table!.counts.flat());
  });
});

describe("statsOverview", () => {
  it("summarises every column and lists the strongest correlations first", async () => {
    const f = await loadFixture("penguins");
    const o = statsOverview(f);
    expect(o.summary.map((c) => c.name)).toEqual(f.columns.map((c) => c.name));
    const mass = o.summary.find((c) => c.name === "Body Mass (g)")!;
    expect(mass).toMatchObject({ count: 342, missing: 2 });
    expect(mass.numbers?.min).toBe(2700);
    const species = o.summary.find((c) => c.name === "Species")!;
    expect(species.top?.[0]).toEqual({ value: "Adelie", share: 152 / 344 });
    const strongest = o.correlations.strongest;
    expect(strongest[0]).toMatchObject({ a: "Flipper Length (mm)", b: "Body Mass (g)" });
    const m = correlationMatrix(f);
    expect(strongest[0].pearson.r).toBe(Math.max(...m.pairs.map((p) => Math.abs(p.pearson.r))));
    const x = rowsOfPair(f, "Flipper Length (mm)", "Body Mass (g)");
    expect(strongest[0].pearson.r).toBeCloseTo(pearson(x[0], x[1]).r, 14);
    const cells = elements(o.heatmapSvg!, "rect", "cell");
    expect(cells).toHaveLength(m.columns.length ** 2);
  });

  it("computes the correlations of a large table on a seeded sample of rows, and says so", async () => {
    const f = await loadFixture("penguins");
    const full = correlationMatrix(f);
    expect(full.sampledRows).toBeUndefined();
    const sampled = correlationMatrix(f, 12, 100);
    expect(sampled.sampledRows).toBe(100);
    expect(sampled.pairs[0].n).toBeLessThanOrEqual(100);
    expect(correlationMatrix(f, 12, 100).pairs).toEqual(sampled.pairs);
    expect(Math.abs(sampled.pairs[0].pearson.r - full.pairs[0].pearson.r)).toBeLessThan(0.1);
  });

  it("keeps at most 12 numeric columns in the heatmap and says how many were left out", async () => {
    const header = Array.from({ length: 15 }, (_, j) => `c${j}`).join(",");
    const rows = Array.from({ length: 30 }, (_, i) =>
      Array.from({ length: 15 }, (_, j) => ((i * (j + 3)) % 17) + j).join(","),
    );
    const o = statsOverview(await csvFrame([header, ...rows].join("\n")));
    expect(o.correlations.columns).toHaveLength(12);
    expect(o.correlations.omitted).toBe(3);
  });
});

function numbers(f: Frame, name: string): number[] {
  const col = f.columns.find((c) => c.name === name)!;
  return "values" in col ? Array.from(col.values).filter((v) => !Number.isNaN(v)) : [];
}

function rowsOf(f: Frame, values: string, groups: string, label: string): number[] {
  const v = f.columns.find((c) => c.name === values)!;
  const g = f.columns.find((c) => c.name === groups)!;
  if (!("values" in v) || !("codes" in g)) throw new Error("types");
  const out: number[] = [];
  g.codes.forEach((code, i) => {
    if (code >= 0 && g.levels[code] === label && !Number.isNaN(v.values[i])) out.push(v.values[i]);
  });
  return out;
}

function rowsOfPair(f: Frame, a: string, b: string): [Float64Array, Float64Array] {
  const x = f.columns.find((c) => c.name === a)!;
  const y = f.columns.find((c) => c.name === b)!;
  if (!("values" in x) || !("values" in y)) throw new Error("types");
  const keep = Array.from(x.values.keys()).filter(
    (i) => !Number.isNaN(x.values[i]) && !Number.isNaN(y.values[i]),
  );
  return [Float64Array.from(keep, (i) => x.values[i]), Float64Array.from(keep, (i) => y.values[i])];
}
