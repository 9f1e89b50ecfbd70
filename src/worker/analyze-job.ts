/**
 * The analyze job: reads a user's table in the ingest sandbox (same limits, same memory cap and time limit)
 * and computes what /stats or the drift check at /predict asked for with src/ml's own code. The result is
 * plain JSON in the job's result summary; a chart is left as ANALYSIS_CHART in the spec's outputDir, for the
 * bot to store under the user's prefix.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AnalysisResults } from "../cloud/ingest-port.js";
import { ANALYSIS_CHART, type Analysis, type AnalyzeJobSpec } from "../cloud/job-spec.js";
import { encodeNonFinite } from "../cloud/json-numbers.js";
import { AppError } from "../errors.js";
// Not ../ml/index.js: the models are not needed here, and a sandbox starts for every analysis.
import { svgToPng } from "../ml/charts/render.js";
import { describeFrame } from "../ml/describe.js";
import { checkDrift } from "../ml/drift/index.js";
import { isStatsTest, reportChartSvg, runStatsTest, statsOverview } from "../ml/stats/index.js";
import type { Frame } from "../ml/types.js";
import { readStagedTable } from "./ingest-job.js";
import type { JobReporter } from "./reporter.js";

export async function runAnalyzeJob(
  spec: AnalyzeJobSpec,
  reporter: JobReporter,
): Promise<{ outputUri: string; summary: Record<string, unknown> }> {
  const frame = await readStagedTable(spec, reporter);
  await reporter.progress("running", "analyzing", 60, "Computing the statistics");
  const { result, chartSvg } = analyze(frame, spec.analysis);
  let outputUri = "";
  if (chartSvg) {
    await reporter.progress("running", "drawing", 85, "Drawing the chart");
    await mkdir(spec.outputDir, { recursive: true });
    outputUri = join(spec.outputDir, ANALYSIS_CHART);
    await writeFile(outputUri, svgToPng(chartSvg));
  }
  return { outputUri, summary: { result: encodeNonFinite(result), chart: Boolean(chartSvg) } };
}

/** The analysis of a table, and the chart that goes with it (as SVG). */
export function analyze(
  frame: Frame,
  analysis: Analysis,
): { result: AnalysisResults[Analysis["op"]]; chartSvg?: string } {
  switch (analysis.op) {
    case "overview": {
      const { maxColumns, language } = analysis;
      const { summary, correlations, heatmapSvg } = statsOverview(frame, { maxColumns, language });
      const result: AnalysisResults["overview"] = {
        description: describeFrame(frame),
        summary,
        correlations,
      };
      return { result, chartSvg: heatmapSvg };
    }
    case "test": {
      if (!isStatsTest(analysis.test))
        throw new AppError(`There is no test called "${analysis.test}".`, { test: analysis.test });
      const outcome = runStatsTest(frame, analysis.test, analysis.columns);
      const chartSvg = outcome.ok ? reportChartSvg(frame, outcome.report, analysis.language) : undefined;
      return { result: { outcome } satisfies AnalysisResults["test"], chartSvg };
    }
    case "drift": {
      const model = { features: analysis.features, trainingProfile: analysis.trainingProfile };
      return { result: { report: checkDrift(model, frame) } satisfies AnalysisResults["drift"] };
    }
  }
}
