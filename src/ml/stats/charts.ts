/** The chart that goes with each test's answer, drawn from the same columns the test used. */
import type { ChartLanguage } from "../charts/i18n.js";
import { boxPlotSvg, contingencySvg, normalHistogramSvg, scatterFitSvg } from "../charts/stats-charts.js";
import type { Frame } from "../types.js";
import { present } from "./descriptive.js";
import { completePairs, groupsOf, numbersOf, splitByGroup } from "./extract.js";
import type { StatsReport } from "./report.js";

export function reportChartSvg(frame: Frame, report: StatsReport, language: ChartLanguage = "en"): string {
  const o = { language };
  const [first, second] = report.columns;
  switch (report.test) {
    case "welch":
    case "mannWhitney":
    case "anova":
    case "kruskal": {
      const groups = groupsOf(frame, second);
      const { samples } = splitByGroup(numbersOf(frame, first), groups);
      const named = samples
        .map((values, k) => ({ name: groups.labels[k], values }))
        .filter((g) => g.values.length);
      return boxPlotSvg(first, second, named, o);
    }
    case "paired": {
      const p = completePairs(numbersOf(frame, first), numbersOf(frame, second));
      return boxPlotSvg(
        "",
        "",
        [
          { name: first, values: p.x },
          { name: second, values: p.y },
        ],
        { ...o, title: `${first} · ${second}` },
      );
    }
    case "chiSquare":
      return contingencySvg(first, second, report.table!, o);
    case "shapiro":
    case "dagostino":
      return normalHistogramSvg(first, present(numbersOf(frame, first)), o);
    case "regression": {
      const p = completePairs(numbersOf(frame, second), numbersOf(frame, first));
      return scatterFitSvg(second, first, p.x, p.y, report.regression!, o);
    }
  }
}
