/**
 * The stats workflow. Pure; actors come from `statsActors(ports)`.
 *
 *   CHOOSING_DATA_SOURCE → AWAITING_DATA (reading: summary card + correlations) → CHOOSING_TEST
 *   → PICKING_COLUMNS (one column per role of the test) → RUNNING_TEST → SHOWING_RESULT → CHOOSING_TEST … →
 *   COMPLETE;   FAILED and CANCELLED wherever something can fail or be cancelled.
 *
 * A dataset chosen in /datasets skips the source step. A test that cannot run on the chosen columns (too few
 * values, no variation) goes back to the column step with a notice saying why.
 */
import { assign, fromPromise, setup } from "xstate";
import { fitsKind, isStatsTest, TEST_ROLES } from "../../ml/stats/index.js";
import type { ErrorInfo, StoredDatasetChoice } from "../ports.js";
import { resolveColumn } from "../shared/columns.js";
import { canRetryIngest, firstAttempt, ingestInput, nextAttempt } from "../shared/ingest.js";
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

const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

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
    preselectedDataset: ({ context, event }) => {
      const datasets = (event as unknown as { output: { datasets: StoredDatasetChoice[] } }).output.datasets;
      return Boolean(context.datasetId && datasets.some((d) => d.datasetId === context.datasetId));
    },
    isKnownDataset: ({ context, event }) =>
      event.type === "user.pickDataset" &&
      Boolean(context.datasets?.some((d) => d.datasetId === event.datasetId)),
    isTest: ({ event }) => event.type === "user.pickTest" && isStatsTest(event.test),
    fitsNextRole: ({ context, event }) => columnForNextRole(context, event) !== undefined,
    allColumnsPicked: ({ context }) =>
      Boolean(context.test && context.picked.length === TEST_ROLES[context.test].length),
    hasPicked: ({ context }) => context.picked.length > 0,
    testRan: ({ event }) => (event as unknown as { output: TestOutcome }).output.ok,
    canRetryIngest: ({ context, event }) =>
      canRetryIngest(context, (event as unknown as { error: ErrorInfo }).error),
  },
  actions: {
    takeUpload: assign(({ context, event }) => {
      const e = event as Extract<StatsEvent, { type: "user.fileReceived" }>;
      return {
        upload: {
          stagingPath: e.stagingPath,
          fileName: e.fileName,
          sizeBytes: e.sizeBytes,
          messageId: e.messageId,
        },
        ...firstAttempt(context),
        error: undefined,
      };
    }),
    takeStoredDataset: assign(({ context, event }, params: { datasetId?: string }) => {
      const id = params.datasetId ?? (event as { datasetId?: string }).datasetId;
      const d = (context.datasets ?? []).find((x) => x.datasetId === id)!;
      return {
        upload: { stagingPath: "", fileName: d.name, sizeBytes: d.sizeBytes, storedUri: d.uri },
        ...firstAttempt(context),
      };
    }),
    pickColumn: assign(({ context, event }) => ({
      picked: [...context.picked, columnForNextRole(context, event)!],
      notice: undefined,
      page: 0,
    })),
    recordError: assign({ error: ({ event }) => (event as unknown as { error: ErrorInfo }).error }),
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
    CHOOSING_DATA_SOURCE: {
      initial: "loading",
      on: { "user.fileReceived": { target: "AWAITING_DATA.reading", actions: "takeUpload" } },
      states: {
        loading: {
          invoke: {
            src: "loadSources",
            input: ({ context }) => ({ userId: context.userId }),
            onDone: [
              {
                guard: "preselectedDataset",
                target: "#stats.AWAITING_DATA.reading",
                actions: [
                  assign({ datasets: ({ event }) => event.output.datasets }),
                  { type: "takeStoredDataset", params: ({ context }) => ({ datasetId: context.datasetId }) },
                ],
              },
              { target: "ready", actions: assign({ datasets: ({ event }) => event.output.datasets }) },
            ],
            // Listing is a convenience: without it the user can still upload.
            onError: { target: "ready", actions: assign({ datasets: [] }) },
          },
        },
        ready: {
          on: {
            "user.chooseUpload": { target: "#stats.AWAITING_DATA" },
            "user.browseDatasets": { target: "datasets" },
          },
        },
        datasets: {
          on: {
            "user.pickDataset": {
              guard: "isKnownDataset",
              target: "#stats.AWAITING_DATA.reading",
              actions: { type: "takeStoredDataset", params: {} },
            },
            "user.page": { actions: assign({ page: ({ event }) => Math.max(0, event.page) }) },
            "user.back": { target: "ready", actions: assign({ page: 0 }) },
          },
        },
      },
    },
    AWAITING_DATA: {
      initial: "idle",
      on: { "user.back": { target: "CHOOSING_DATA_SOURCE.ready", actions: assign({ error: undefined }) } },
      states: {
        idle: { on: { "user.fileReceived": { target: "reading", actions: "takeUpload" } } },
        reading: {
          invoke: {
            src: "describeDataset",
            input: ({ context }) => ({
              ...ingestInput(context),
              workflowId: context.workflowId,
              language: context.language,
            }),
            onDone: {
              target: "#stats.CHOOSING_TEST",
              actions: assign(({ event }) => {
                const { dataset, ...overview } = event.output;
                return { dataset, overview, upload: undefined, error: undefined, page: 0 };
              }),
            },
            onError: [
              {
                guard: "canRetryIngest",
                target: "reading",
                reenter: true,
                actions: assign(({ context }) => nextAttempt(context)),
              },
              {
                target: "idle",
                actions: assign({ error: ({ event }) => event.error as ErrorInfo, upload: undefined }),
              },
            ],
          },
        },
      },
    },
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
