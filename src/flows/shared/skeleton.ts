/**
 * What every job workflow shares: the context fields its common steps use, and the guards and actions those
 * steps refer to by name. Each machine spreads `flowGuards` and `flowActions<Context, Event>()` into its
 * `setup`, and builds its common states with the factories in choosing-data.ts, choosing-location.ts and
 * naming-template.ts, so training and prediction choose data, read it, choose where to run and confirm the
 * cost in one way.
 */
import { type AnyEventObject, assign, type EventObject } from "xstate";
import type { BudgetLimits } from "../../cloud/budget.js";
import { nameProblem } from "../../state/names.js";
import type { ComputeOffer, ErrorInfo, Notice, StoredDatasetChoice, TemplateChoice } from "../ports.js";
import { canRetryIngest, firstAttempt, nextAttempt } from "./ingest.js";
import { overBudgetNotice, withinBudget } from "./quote.js";

/** The file being read: a fresh upload (stagingPath) or a stored dataset (storedUri). */
export interface UploadRef {
  stagingPath: string;
  fileName: string;
  sizeBytes: number;
  messageId?: number;
  storedUri?: string;
  /** Which try at reading it this is (ingest.ts). */
  attempt?: number;
}

/** The context fields of the shared steps; the training and prediction contexts extend it. */
export interface FlowContext {
  workflowId: string;
  userId: number;
  /** Steps visited, for BACK. */
  history: string[];
  /** Page of the current picker (kept here so a restart shows the same page). */
  page: number;
  upload?: UploadRef;
  /** Ingest attempts started in this workflow (each gets its own sandbox job). */
  ingests?: number;
  datasets?: StoredDatasetChoice[];
  templates?: TemplateChoice[];
  offers?: ComputeOffer[];
  offer?: ComputeOffer;
  /** The caps for this job, in dollars, fetched with the offers. */
  budget?: BudgetLimits;
  error?: ErrorInfo;
  /** Feedback on the last input (a bad typed value), shown on the current screen. */
  notice?: Notice;
  /** The name being given to a new template. */
  templateName?: string;
}

/** The events of the shared steps; each flow's event union includes them. */
export type FlowEvent =
  | {
      type: "user.fileReceived";
      stagingPath: string;
      fileName: string;
      sizeBytes: number;
      messageId?: number;
    }
  | { type: "user.chooseUpload" }
  | { type: "user.browseDatasets" }
  | { type: "user.pickDataset"; datasetId: string }
  | { type: "user.browseTemplates" }
  | { type: "user.useTemplate"; name: string }
  | { type: "user.acceptSchema" }
  | { type: "user.pickOffer"; index: number }
  | { type: "user.typedText"; text: string }
  | { type: "user.saveTemplate" }
  | { type: "user.page"; page: number }
  | { type: "user.back" }
  | { type: "user.done" }
  | { type: "user.cancel"; replaced?: boolean };

type FileReceived = { stagingPath: string; fileName: string; sizeBytes: number; messageId?: number };
type Quoted = { output: { offers: ComputeOffer[]; budget: BudgetLimits } };

/** Events carry their fields loosely here; each machine's own event union is the strict one. */
const field = <T>(event: AnyEventObject) => event as unknown as T;

/** An actor placeholder in a machine's setup: the real one comes from the flow's actors (ports). */
export const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

/** The guards the shared steps name. */
export const flowGuards = {
  cameFrom: ({ context }: { context: FlowContext }, params: { state: string }) =>
    context.history.at(-1) === params.state,
  isKnownDataset: ({ context, event }: { context: FlowContext; event: AnyEventObject }) =>
    event.type === "user.pickDataset" &&
    Boolean(context.datasets?.some((d) => d.datasetId === event.datasetId)),
  isKnownTemplate: ({ context, event }: { context: FlowContext; event: AnyEventObject }) =>
    event.type === "user.useTemplate" && Boolean(context.templates?.some((t) => t.name === event.name)),
  canRetryIngest: ({ context, event }: { context: FlowContext; event: AnyEventObject }) =>
    canRetryIngest(context, field<{ error: ErrorInfo }>(event).error),
  /** Only this machine: nothing to choose, nothing to pay. */
  onlyFreeOffer: ({ event }: { event: AnyEventObject }) => {
    const offers = field<Quoted>(event).output.offers;
    return offers.length === 1 && offers[0].estimatedCost === 0;
  },
  isOffer: ({ context, event }: { context: FlowContext; event: AnyEventObject }) =>
    event.type === "user.pickOffer" &&
    Number.isInteger(event.index) &&
    Boolean(context.offers?.[event.index]),
  isWithinBudget: ({ context }: { context: FlowContext }) =>
    withinBudget(context.offer?.estimatedCost ?? 0, context.budget),
  isValidTemplateName: ({ event }: { event: AnyEventObject }) =>
    event.type === "user.typedText" && nameProblem(event.text, "template") === undefined,
};

/** The actions the shared steps name, typed for one machine's context and events. */
export function flowActions<C extends FlowContext, E extends EventObject>() {
  // One cast, here: the shared fields are a part of every flow's context.
  const update = (change: (args: { context: C; event: E }) => Partial<FlowContext>) =>
    assign<C, E, undefined, E, never>((args) => change(args) as unknown as Partial<C>);
  return {
    takeUpload: update(({ context, event }) => {
      const e = field<FileReceived>(event);
      const upload = {
        stagingPath: e.stagingPath,
        fileName: e.fileName,
        sizeBytes: e.sizeBytes,
        messageId: e.messageId,
      };
      return { upload, ...firstAttempt(context), error: undefined };
    }),
    takeStoredDataset: update(({ context, event }) => {
      const d = context.datasets!.find((x) => x.datasetId === field<{ datasetId: string }>(event).datasetId)!;
      const upload = { stagingPath: "", fileName: d.name, sizeBytes: d.sizeBytes, storedUri: d.uri };
      return { upload, ...firstAttempt(context) };
    }),
    retryIngest: update(({ context }) => nextAttempt(context)),
    ingestFailed: update(({ event }) => ({
      error: field<{ error: ErrorInfo }>(event).error,
      upload: undefined,
    })),
    recordError: update(({ event }) => ({ error: field<{ error: ErrorInfo }>(event).error })),
    setPage: update(({ event }) => ({ page: Math.max(0, field<{ page: number }>(event).page) })),
    firstPage: update(() => ({ page: 0 })),
    takeOffers: update(({ event }) => {
      const { offers, budget } = field<Quoted>(event).output;
      return { offers, budget };
    }),
    takeOnlyOffer: update(({ event }) => {
      const { offers, budget } = field<Quoted>(event).output;
      return { offers, budget, offer: offers[0] };
    }),
    /** The picked offer; `from` is the location step, kept in history for BACK. */
    takeOffer: assign<C, E, { from: string }, E, never>(({ context, event }, params) => {
      const offer = context.offers![field<{ index: number }>(event).index];
      return { offer, history: [...context.history, params.from] } as unknown as Partial<C>;
    }),
    refuseOverBudget: update(({ context }) => ({
      notice: overBudgetNotice(context.offer?.estimatedCost ?? 0, context.budget),
    })),
    clearNotice: update(() => ({ notice: undefined })),
    takeTemplateName: update(({ event }) => ({
      templateName: field<{ text: string }>(event).text.trim(),
      notice: undefined,
    })),
    refuseTemplateName: update(() => ({ notice: { key: "badTemplateName" } })),
    templateSaved: update(({ context }) => ({
      notice: { key: "templateSaved", params: { name: context.templateName! } },
    })),
    /** A failed save, shown on the screen the user is on. */
    showError: update(({ event }) => ({
      notice: { key: "error", params: { message: field<{ error: ErrorInfo }>(event).error.message } },
    })),
  };
}
