/**
 * The stats machine's actors. The computations are the pure functions of src/ml/stats on a loaded table;
 * charts are rendered here and stored under the user's results (the context keeps their URIs).
 */
import { svgToPng } from "../../ml/index.js";
import { reportChartSvg, runStatsTest, statsOverview } from "../../ml/stats/index.js";
import type { FlowPorts } from "../ports.js";
import { safePromise } from "../shared/actors.js";
import { ingestDataset, readStoredFrame } from "../shared/datasets.js";
import { listDatasetChoices } from "../shared/sources.js";
import type { DescribeInput, StatsOverviewResult, TestInput, TestOutcome } from "./types.js";

/** Columns on the summary card at most (Telegram's message limit shows about this many). */
export const SUMMARY_COLUMNS = 40;

export function statsActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => ({
      datasets: await listDatasetChoices(ports, userId),
    })),

    describeDataset: safePromise(async (input: DescribeInput): Promise<StatsOverviewResult> => {
      const dataset = await ingestDataset(ports, input);
      const frame = await readStoredFrame(ports, {
        userId: input.userId,
        datasetUri: dataset.uri,
        fileName: dataset.fileName,
      });
      const overview = statsOverview(frame, { maxColumns: SUMMARY_COLUMNS, language: input.language });
      const heatmapUri = overview.heatmapSvg
        ? await ports.storage.writeBytes(
            ports.storage.resultUri(input.userId, `${input.workflowId}-overview`, "correlations.png"),
            svgToPng(overview.heatmapSvg),
            { userId: input.userId },
          )
        : undefined;
      return { dataset, summary: overview.summary, correlations: overview.correlations, heatmapUri };
    }),

    runTest: safePromise(async (input: TestInput): Promise<TestOutcome> => {
      const frame = await readStoredFrame(ports, input);
      const outcome = runStatsTest(frame, input.test, input.columns);
      if (!outcome.ok) return outcome;
      const png = svgToPng(reportChartSvg(frame, outcome.report, input.language));
      const chartUri = await ports.storage.writeBytes(
        ports.storage.resultUri(input.userId, input.jobId, "chart.png"),
        png,
        {
          userId: input.userId,
        },
      );
      return { ok: true, report: outcome.report, chartUri };
    }),
  };
}
