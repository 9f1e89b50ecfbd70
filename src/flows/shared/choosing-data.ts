/**
 * The first two steps of every data workflow, built once: CHOOSING_DATA_SOURCE (upload, a stored dataset or a
 * saved template) and AWAITING_DATA (reading the file in the sandbox, retried once when it ran out of room).
 * Actions and guards are named; the machine's setup has them (skeleton.ts, plus its own `takeSources`,
 * `takeTemplate` and `takeDataset`). Training and prediction use the defaults; stats has no templates, reads
 * with its own actor (which describes the data too) and goes on to its tests.
 */
import { backTransitions } from "./back.js";
import { ingestInput, type ReadingContext } from "./ingest.js";

/** The invoke of the reading step: an actor name and its input from the machine's context. */
interface Reader {
  src: string;
  input: (args: { context: never }) => unknown;
}

const INGEST = {
  src: "ingestDataset",
  input: ({ context }: { context: ReadingContext }) => ingestInput(context),
} as const;

export interface DataStepOptions<TLoaded, TLoadFailed, TTemplate, TReader extends Reader, TBack> {
  /** The onDone transitions of listing the user's sources. */
  loaded: TLoaded;
  /** The onError transition of listing them. */
  loadFailed: TLoadFailed;
  /** Where a chosen template leads; without one, templates are not offered. */
  templateTarget?: TTemplate;
  /**
   * Whether a file sent while the sources are still listed (or browsed) is read at once. Prediction waits
   * until the list is in: it needs the models to check the data against.
   */
  fileAnytime: boolean;
  /** The reading actor and its input (default: `ingestDataset` on the file alone). */
  reader?: TReader;
  /** The step after reading, whose input `takeDataset` takes (default CONFIRMING_SCHEMA). */
  afterReading?: string;
  /** BACK from the upload prompt (default: the step the history names). */
  backFromUpload?: TBack;
}

/** Choosing a saved template, for the machines that have them. */
const templatesStep = (target: string) =>
  ({
    templates: {
      on: {
        "user.useTemplate": { guard: "isKnownTemplate", target, actions: "takeTemplate" },
        "user.back": { target: "ready" },
      },
    },
  }) as const;

/** The template step's type when the machine has one (a conditional type: no `undefined` state is added). */
type TemplatesStep<T> = T extends string ? ReturnType<typeof templatesStep> : Record<never, never>;

export function dataSteps<
  const TLoaded,
  const TLoadFailed,
  const TTemplate extends string | undefined = undefined,
  const TReader extends Reader = typeof INGEST,
  const TBack = ReturnType<typeof backTransitions>,
>(machineId: string, options: DataStepOptions<TLoaded, TLoadFailed, TTemplate, TReader, TBack>) {
  const takeFile = { target: `#${machineId}.AWAITING_DATA.reading`, actions: "takeUpload" } as const;
  const anytime = options.fileAnytime ? { "user.fileReceived": takeFile } : {};
  const whenReady = options.fileAnytime ? {} : { "user.fileReceived": takeFile };
  const { templateTarget } = options;
  const browseTemplates =
    templateTarget === undefined ? {} : ({ "user.browseTemplates": { target: "templates" } } as const);
  const templateStep = (
    templateTarget === undefined ? {} : templatesStep(templateTarget)
  ) as TemplatesStep<TTemplate>;
  const reader = options.reader ?? (INGEST as unknown as TReader);
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
            ...browseTemplates,
          },
        },
        datasets: {
          on: {
            "user.pickDataset": { guard: "isKnownDataset", ...takeFile, actions: "takeStoredDataset" },
            "user.page": { actions: "setPage" },
            "user.back": { target: "ready", actions: "firstPage" },
          },
        },
        ...templateStep,
      },
    },
    AWAITING_DATA: {
      initial: "idle",
      on: {
        "user.back": options.backFromUpload ?? (backTransitions(machineId, "CHOOSING_DATA_SOURCE") as TBack),
      },
      states: {
        idle: { on: { "user.fileReceived": { target: "reading", actions: "takeUpload" } } },
        reading: {
          invoke: {
            ...reader,
            onDone: {
              target: `#${machineId}.${options.afterReading ?? "CONFIRMING_SCHEMA"}`,
              actions: "takeDataset",
            },
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
