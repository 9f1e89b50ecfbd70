/**
 * The first two steps of every job workflow, built once: CHOOSING_DATA_SOURCE (upload, a stored dataset or a
 * saved template) and AWAITING_DATA (reading the file in the sandbox, retried once when it ran out of room).
 * Actions and guards are named; the machine's setup has them (skeleton.ts, plus its own `takeSources`,
 * `takeTemplate` and `takeDataset`).
 */
import { backTransitions } from "./back.js";
import { ingestInput, type ReadingContext } from "./ingest.js";

export interface DataStepOptions<TLoaded, TLoadFailed> {
  /** The onDone transitions of listing the user's sources. */
  loaded: TLoaded;
  /** The onError transition of listing them. */
  loadFailed: TLoadFailed;
  /** Where a chosen template leads. */
  templateTarget: string;
  /**
   * Whether a file sent while the sources are still listed (or browsed) is read at once. Prediction waits
   * until the list is in: it needs the models to check the data against.
   */
  fileAnytime: boolean;
}

export function dataSteps<const TLoaded, const TLoadFailed>(
  machineId: string,
  options: DataStepOptions<TLoaded, TLoadFailed>,
) {
  const takeFile = { target: `#${machineId}.AWAITING_DATA.reading`, actions: "takeUpload" } as const;
  const anytime = options.fileAnytime ? { "user.fileReceived": takeFile } : {};
  const whenReady = options.fileAnytime ? {} : { "user.fileReceived": takeFile };
  return {
    CHOOSING_DATA_SOURCE: {
      initial: "loading",
      on: anytime,
      states: {
        loading: {
          invoke: {
            src: "loadSources",
            input: ({ context }: { context: { userId: number } }) => ({ userId: context.userId }),
            onDone: options.loaded,
            onError: options.loadFailed,
          },
        },
        ready: {
          on: {
            ...whenReady,
            "user.chooseUpload": { target: `#${machineId}.AWAITING_DATA` },
            "user.browseDatasets": { target: "datasets" },
            "user.browseTemplates": { target: "templates" },
          },
        },
        datasets: {
          on: {
            "user.pickDataset": { guard: "isKnownDataset", ...takeFile, actions: "takeStoredDataset" },
            "user.page": { actions: "setPage" },
            "user.back": { target: "ready", actions: "firstPage" },
          },
        },
        templates: {
          on: {
            "user.useTemplate": {
              guard: "isKnownTemplate",
              target: options.templateTarget,
              actions: "takeTemplate",
            },
            "user.back": { target: "ready" },
          },
        },
      },
    },
    AWAITING_DATA: {
      initial: "idle",
      on: { "user.back": backTransitions(machineId, "CHOOSING_DATA_SOURCE") },
      states: {
        idle: { on: { "user.fileReceived": { target: "reading", actions: "takeUpload" } } },
        reading: {
          invoke: {
            src: "ingestDataset",
            input: ({ context }: { context: ReadingContext }) => ingestInput(context),
            onDone: { target: `#${machineId}.CONFIRMING_SCHEMA`, actions: "takeDataset" },
            onError: [
              { guard: "canRetryIngest", target: "reading", reenter: true, actions: "retryIngest" },
              { target: "idle", actions: "ingestFailed" },
            ],
          },
        },
      },
    },
  } as const;
}
