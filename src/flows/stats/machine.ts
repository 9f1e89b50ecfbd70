/**
 * The stats workflow. Pure; actors come from `statsActors(ports)`.
 *
 *   CHOOSING_DATA_SOURCE → AWAITING_DATA (reading: summary card + correlations) → CHOOSING_TEST
 *   → PICKING_COLUMNS (one column per role of the test) → RUNNING_TEST → SHOWING_RESULT → CHOOSING_TEST … →
 *   COMPLETE;   FAILED and CANCELLED wherever something can fail or be cancelled.
 *
 * The data steps are the shared ones (../shared/choosing-data.ts, with the skeleton's guards and actions),
 * without templates and with a reader that also describes the data. A dataset chosen in /datasets skips the
 * source step. A test that cannot run on the chosen columns (too few values, no variation) goes back to the
 * column step with a notice saying why.
 */
import { assign, fromPromise, setup } from "xstate";
import { fitsKind, isStatsTest, TEST_ROLES } from "../../ml/stats/index.js";
import type { StoredDatasetChoice } from "../ports.js";
import { dataSteps } from "../shared/choosing-data.js";
import { resolveColumn } from "../shared/columns.js";
import { firstAttempt, ingestInput } from "../shared/ingest.js";
import { flowActions, flowGuards, notProvided } from "../shared/skeleton.js";
import type {
  DescribeInput,
  StatsContext,
  StatsEvent,
  StatsInput,
  StatsOverviewResult,
  TestInput,
  TestOutcome,
} from "./types.js";

export type { StatsContext, StatsEvent, StatsInput } from "./types.js";

/** Bump when states or context change shape (src/state migrates or closes older snapshots). */
export const STATS_MACHINE_VERSION = 1;

/** The column a pick or typed text names, if it can fill the next role of the chosen test. */
export function columnForNextRole(context: StatsContext, event: StatsEvent): string | undefined {
  const names = context.dataset?.columns.map((c) => c.name) ?? [];
  const column =
    event.type === "user.pickColumn"
      ? event.column
      : event.type === "user.typedText"
        ? resolveColumn(event.text, names)
        : undefined;
  const info = context.dataset?.columns.find((c) => c.name === column);
  const role = context.test ? TEST_ROLES[context.test][context.picked.length] : undefined;
  if (!info || !role || context.picked.includes(info.name) || !fitsKind(role.kind, info)) return undefined;
  return info.name;
}

export const statsMachine = setup({
  types: {
    context: {} as StatsContext,
    events: {} as StatsEvent,
    input: {} as StatsInput,
  },
  actors: {
    loadSources: fromPromise<{ datasets: StoredDatasetChoice[] }, { userId: number }>(
      notProvided("loadSources"),
    ),
    describeDataset: fromPromise<StatsOverviewResult, DescribeInput>(notProvided("describeDataset")),
    runTest: fromPromise<TestOutcome, TestInput>(notProvided("runTest")),
  },
  guards: {
    ...flowGuards,
    preselectedDataset: ({ context, event }) => {
      const datasets = (event as unknown as { output: { datasets: StoredDatasetChoice[] } }).output.datasets;
      return Boolean(context.datasetId && datasets.some((d) => d.datasetId === context.datasetId));
    },
    isTest: ({ event }) => event.type === "user.pickTest" && isStatsTest(event.test),
    fitsNextRole: ({ context, event }) => columnForNextRole(context, event) !== undefined,
    allColumnsPicked: ({ context }) =>
      Boolean(context.test && context.picked.length === TEST_ROLES[context.test].length),
    hasPicked: ({ context }) => context.picked.length > 0,
    testRan: ({ event }) => (event as unknown as { output: TestOutcome }).output.ok,
  },
  actions: {
    ...flowActions<StatsContext, StatsEvent>(),
    takeSources: assign({
      datasets: ({ event }) =>
        (event as unknown as { output: { datasets: StoredDatasetChoice[] } }).output.datasets,
    }),
    noSources: assign({ datasets: [] }),
    forgetError: assign({ error: undefined }),
    /** The dataset /datasets opened the workflow with. */
    takePreselected: assign(({ context }) => {
      const d = (context.datasets ?? []).find((x) => x.datasetId === context.datasetId)!;
      return {
        upload: { stagingPath: "", fileName: d.name, sizeBytes: d.sizeBytes, storedUri: d.uri },
        ...firstAttempt(context),
      };
    }),
    /** The reader's output: the dataset and its overview (summary card, correlations). */
    takeDataset: assign(({ event }) => {
      const { dataset, ...overview } = (event as unknown as { output: StatsOverviewResult }).output;
      return { dataset, overview, upload: undefined, error: undefined, page: 0 };
    }),
    pickColumn: assign(({ context, event }) => ({
      picked: [...context.picked, columnForNextRole(context, event)!],
      notice: undefined,
      page: 0,
    })),
  },
}).createMachine({
  id: "stats",
  context: ({ input }) => ({ ...input, history: [], page: 0, picked: [], runs: 0 }),
  initial: "CHOOSING_DATA_SOURCE",
  on: {
    "user.cancel": {
      target: ".CANCELLED",
      actions: assign(({ context }) => ({ summary: summaryOf(context, "cancelled") })),
    },
  },
  states: {
    ...dataSteps("stats", {
      loaded: [
        {
          guard: "preselectedDataset",
          target: "#stats.AWAITING_DATA.reading",
          actions: ["takeSources", "takePreselected"],
        },
        { target: "ready", actions: "takeSources" },
      ],
      // Listing is a convenience: without it the user can still upload.
      loadFailed: { target: "ready", actions: "noSources" },
      fileAnytime: true,
      reader: {
        src: "describeDataset",
        input: ({ context }: { context: StatsContext }) => ({
          ...ingestInput(context),
          workflowId: context.workflowId,
          language: context.language,
        }),
      },
      afterReading: "CHOOSING_TEST",
      backFromUpload: { target: "#stats.CHOOSING_DATA_SOURCE.ready", actions: "forgetError" },
    }),
    CHOOSING_TEST: {
      on: {
        "user.pickTest": {
          guard: "isTest",
          target: "PICKING_COLUMNS",
          actions: assign(({ event }) => ({
            test: event.test,
            picked: [],
            page: 0,
            notice: undefined,
            error: undefined,
          })),
        },
        "user.back": {
          target: "CHOOSING_DATA_SOURCE.ready",
          actions: assign({ dataset: undefined, overview: undefined, result: undefined, notice: undefined }),
        },
        "user.done": {
          target: "COMPLETE",
          actions: assign(({ context }) => ({ summary: summaryOf(context, "complete") })),
        },
      },
    },
    PICKING_COLUMNS: {
      // Checked after every pick: the last role filled starts the test.
      always: {
        guard: "allColumnsPicked",
        target: "RUNNING_TEST",
        actions: assign(({ context }) => ({ runs: context.runs + 1 })),
      },
      on: {
        "user.pickColumn": [
          { guard: "fitsNextRole", actions: "pickColumn" },
          {
            actions: assign(({ event }) => ({
              notice: { key: "notThisColumn", params: { column: event.column } },
            })),
          },
        ],
        "user.typedText": [
          { guard: "fitsNextRole", actions: "pickColumn" },
          {
            actions: assign(({ event }) => ({
              notice: { key: "notThisColumn", params: { column: event.text.trim() } },
            })),
          },
        ],
        "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
        "user.back": [
          {
            guard: "hasPicked",
            actions: assign(({ context }) => ({
              picked: context.picked.slice(0, -1),
              page: 0,
              notice: undefined,
            })),
          },
          { target: "CHOOSING_TEST", actions: assign({ test: undefined, notice: undefined }) },
        ],
      },
    },
    RUNNING_TEST: {
      invoke: {
        src: "runTest",
        input: ({ context }) => ({
          userId: context.userId,
          jobId: `${context.workflowId}-s${context.runs}`,
          datasetUri: context.dataset!.uri,
          fileName: context.dataset!.fileName,
          test: context.test!,
          columns: context.picked,
          language: context.language,
        }),
        onDone: [
          {
            guard: "testRan",
            target: "SHOWING_RESULT",
            actions: assign(({ event }) => {
              const o = event.output as Extract<TestOutcome, { ok: true }>;
              return { result: { report: o.report, chartUri: o.chartUri } };
            }),
          },
          {
            target: "PICKING_COLUMNS",
            actions: assign(({ event }) => {
              const o = event.output as Extract<TestOutcome, { ok: false }>;
              return { picked: [], notice: { key: o.problem.key, params: o.problem.params } };
            }),
          },
        ],
        onError: {
          target: "CHOOSING_TEST",
          actions: ["recordError", assign({ test: undefined, picked: [] })],
        },
      },
    },
    SHOWING_RESULT: {
      on: {
        "user.anotherTest": {
          target: "CHOOSING_TEST",
          actions: assign({ test: undefined, picked: [], result: undefined, notice: undefined }),
        },
        "user.done": {
          target: "COMPLETE",
          actions: assign(({ context }) => ({ summary: summaryOf(context, "complete") })),
        },
      },
    },
    COMPLETE: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});

/** What /history shows: the file and how many tests ran. */
function summaryOf(context: StatsContext, status: string): Record<string, unknown> {
  return { status, file: context.dataset?.fileName ?? context.upload?.fileName, tests: context.runs };
}
