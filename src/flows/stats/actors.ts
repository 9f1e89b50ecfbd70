/**
 * The stats machine's actors. The table is read and the statistics computed in the sandbox (the ingest
 * port's analyze, with src/ml/stats' own code); the charts it draws are stored under the user's results (the
 * context keeps their URIs). Nothing here parses the user's table.
 */
import { AppError } from "../../errors.js";
import type { FlowPorts } from "../ports.js";
import { safePromise } from "../shared/actors.js";
import { analyzeStaged, analyzeStored, readDataset } from "../shared/datasets.js";
import { listDatasetChoices } from "../shared/sources.js";
import type { DescribeInput, StatsOverviewResult, TestInput, TestOutcome } from "./types.js";

/** Columns on the summary card at most (Telegram's message limit shows about this many). */
export const SUMMARY_COLUMNS = 40;

export function statsActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => ({
      datasets: await listDatasetChoices(ports, userId),
    })),

    /** One sandbox run reads the file, describes it and computes the overview; an upload is then stored. */
    describeDataset: safePromise(async (input: DescribeInput): Promise<StatsOverviewResult> => {
      const analysis = {
        op: "overview",
        maxColumns: SUMMARY_COLUMNS,
        language: input.language ?? "en",
      } as const;
      const { dataset, result, chartUri } = await readDataset(ports, input, async (request) => {
        const overview = await analyzeStaged(ports, request, analysis, "correlations.png");
        return { ...overview, description: overview.result.description };
      });
      return { dataset, summary: result.summary, correlations: result.correlations, heatmapUri: chartUri };
    }),

    runTest: safePromise(async (input: TestInput): Promise<TestOutcome> => {
      const { test, columns } = input;
      const analysis = { op: "test", test, columns, language: input.language ?? "en" } as const;
      const { result, chartUri } = await analyzeStored(ports, input, analysis);
      if (!result.outcome.ok) return result.outcome;
      if (!chartUri) throw new AppError("The test ran, but its chart is missing.");
      return { ok: true, report: result.outcome.report, chartUri };
    }),
  };
}
