/**
 * Renders workflow commits to the chat. Handlers never send screens themselves: they send an event, and every
 * committed change (from a user's action, or from a job reporting back) arrives here, in the process that
 * committed it. A new step is a new message (the previous one loses its buttons, so old menus cannot be
 * pressed); a change within a step caused by a button (a page, a toggle) edits the message in place. Training
 * progress is one message edited in place, throttled, and never edited to the same text.
 */
import { readFile, stat } from "node:fs/promises";
import { zipSync } from "fflate";
import { type Api, GrammyError, InputFile } from "grammy";
import type { PredictionContext } from "../flows/prediction/machine.js";
import type { StatsContext } from "../flows/stats/machine.js";
import type { TrainingContext } from "../flows/training/machine.js";
import type { Logger } from "../logger.js";
import type { AnySnapshot } from "../state/definitions.js";
import type { Commit } from "../state/state-manager.js";
import { type ConversationKey, keyString, type WorkflowStore } from "../state/store.js";
import type { Texts } from "./i18n/index.js";
import { asBackground } from "./throttle.js";
import { errorText, type View } from "./views/common.js";
import {
  columnView,
  compatibilityView,
  driftWarningView,
  predictionAwaitingView,
  predictionLocationView,
  predictionModelView,
  predictionResultView,
  predictionSourceView,
  readyView,
} from "./views/prediction.js";
import {
  completeView,
  failedView,
  progressDoneView,
  progressView,
  resultView,
  terminatingView,
} from "./views/results.js";
import {
  columnPickerView,
  correlationCaption,
  statsAwaitingView,
  statsResultView,
  statsSourceView,
  summaryCardText,
  testMenuView,
} from "./views/stats.js";
import {
  awaitingDataView,
  categoryView,
  confirmView,
  featurePickerView,
  locationView,
  modelPickerView,
  namingView,
  paramsView,
  schemaView,
  sourceView,
  targetPickerView,
} from "./views/training.js";

/** Per-conversation message bookkeeping, persisted so a restarted bot edits the same messages. */
interface UiState {
  screenMessageId?: number;
  /** Which step the screen message shows; a change within the step edits it. */
  screenKey?: string;
  /** Text and buttons of the screen message as last sent. */
  screenText?: string;
  progressMessageId?: number;
  progressText?: string;
  progressEditedAt?: number;
}

export interface RendererDeps {
  api: Api;
  store: WorkflowStore;
  logger: Logger;
  texts(userId: number): Promise<Texts>;
  /** Reads a stored file of the user's (charts of a model). */
  readFile(userId: number, uri: string): Promise<Uint8Array>;
  /** A download link for a file too large for Telegram, where the storage can make one. */
  linkFor?(userId: number, uri: string): Promise<string | undefined>;
  /** Largest document the bot may send (Telegram: 50 MB). */
  documentLimitBytes?: number;
  /** Shortest time between two edits of the progress message. */
  progressEditIntervalMs?: number;
  /** Pause before trying a predictions file again (times the tries so far). */
  deliveryRetryMs?: number;
}

/** At most one progress edit per chat this often (Telegram allows about one message per second per chat). */
export const PROGRESS_EDIT_INTERVAL_MS = 3000;
/** Telegram's upload limit for bots. */
const DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;
/** Tries at sending a predictions file, the next one after DELIVERY_RETRY_MS × the tries so far. */
const DELIVERY_ATTEMPTS = 3;
const DELIVERY_RETRY_MS = 1000;

type Screen = { key: string; view: View } | { progress: "start" | "update" | "terminating" } | undefined;

export class Renderer {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: RendererDeps) {}

  private get api(): Api {
    return this.deps.api;
  }

  /** Queues the rendering of a commit; renders for one conversation happen in commit order. */
  render(commit: Commit): Promise<void> {
    return this.enqueue(commit.key, () => this.renderNow(commit));
  }

  /** Shows the running job's progress again, as a new message (for /status). */
  async showProgress(key: ConversationKey, context: TrainingContext): Promise<void> {
    const t = await this.deps.texts(key.userId);
    await this.enqueue(key, () => this.startProgress(key, progressView(t, context, Date.now())));
  }

  private enqueue(key: ConversationKey, work: () => Promise<void>): Promise<void> {
    const k = keyString(key);
    const run = (this.queues.get(k) ?? Promise.resolve()).then(() =>
      work().catch((error) => this.deps.logger.error({ err: error, conv: k }, "render failed")),
    );
    this.queues.set(k, run);
    void run.then(() => {
      if (this.queues.get(k) === run) this.queues.delete(k);
    });
    return run;
  }

  private async renderNow(commit: Commit): Promise<void> {
    if (commit.event?.replaced) return; // superseded by a new workflow, whose screen follows
    const t = await this.deps.texts(commit.key.userId);
    const prev = commit.prev ? statePath(commit.prev) : undefined;
    const next = statePath(commit.next);
    const key = commit.key;
    if (commit.workflowType === "training") {
      const c = commit.next.context as TrainingContext;
      if (next === "TRAINING_COMPLETE.idle" && prev === "TERMINATING") {
        await this.finishProgress(key, progressDoneView(t, c));
        await this.sendCharts(key, c);
      }
      if (["FAILED", "CANCELLED"].includes(next)) await this.finishProgress(key);
      await this.show(key, trainingScreen(t, c, next, prev), commit);
    } else if (commit.workflowType === "prediction") {
      const c = commit.next.context as PredictionContext;
      // The file first, tried on its own: a result screen that fails cannot lose it.
      if (next === "COMPLETE" && prev !== next) await this.deliverPredictions(t, key, c);
      await this.show(key, predictionScreen(t, c, next), commit);
    } else if (commit.workflowType === "stats") {
      const c = commit.next.context as StatsContext;
      if (next === "CHOOSING_TEST" && prev === "AWAITING_DATA.reading") await this.sendOverview(t, key, c);
      if (next === "SHOWING_RESULT" && prev !== next) await this.sendPhoto(key, c.result!.chartUri, "chart");
      await this.show(key, statsScreen(t, c, next), commit);
    }
  }

  private async show(key: ConversationKey, screen: Screen, commit: Commit): Promise<void> {
    if (!screen) return;
    const t = await this.deps.texts(key.userId);
    if ("progress" in screen) {
      const c = commit.next.context as TrainingContext;
      if (screen.progress === "start") return this.startProgress(key, progressView(t, c, Date.now()));
      if (screen.progress === "terminating") return this.updateProgress(key, terminatingView(t, c), true);
      // Progress can wait (and is coalesced while it does); anyone's answer goes first.
      return asBackground(() => this.updateProgress(key, progressView(t, c, Date.now())));
    }
    const ui = await this.ui(key);
    const fingerprint = screenFingerprint(screen.view);
    const sameStep = ui.screenKey === screen.key && ui.screenMessageId !== undefined;
    if (sameStep && ui.screenText === fingerprint && commit.event?.type !== "user.typedText") return;
    // Within a step, a button edits the screen in place; typed input gets a fresh screen below the message.
    if (sameStep && commit.event?.type !== "user.typedText" && commit.source !== "live") {
      try {
        await this.api.editMessageText(key.chatId, ui.screenMessageId!, screen.view.text, {
          parse_mode: "HTML",
          reply_markup: screen.view.keyboard,
          link_preview_options: { is_disabled: true },
        });
        await this.saveUi(key, { ...ui, screenText: fingerprint });
        return;
      } catch (error) {
        if (error instanceof GrammyError && error.description.includes("message is not modified")) return;
        this.deps.logger.debug({ err: String(error) }, "screen edit failed; sending a new one");
      }
    }
    await this.sendScreen(key, ui, screen.key, screen.view);
  }

  private async sendScreen(key: ConversationKey, ui: UiState, screenKey: string, view: View): Promise<void> {
    if (ui.screenMessageId)
      await this.api.editMessageReplyMarkup(key.chatId, ui.screenMessageId).catch(() => undefined);
    const sent = await this.api.sendMessage(key.chatId, view.text, {
      parse_mode: "HTML",
      reply_markup: view.keyboard,
      link_preview_options: { is_disabled: true },
    });
    await this.saveUi(key, {
      ...ui,
      screenMessageId: view.keyboard ? sent.message_id : undefined,
      screenKey: view.keyboard ? screenKey : undefined,
      screenText: screenFingerprint(view),
    });
  }

  private async startProgress(key: ConversationKey, view: View): Promise<void> {
    const ui = await this.ui(key);
    if (ui.screenMessageId)
      await this.api.editMessageReplyMarkup(key.chatId, ui.screenMessageId).catch(() => undefined);
    const sent = await this.api.sendMessage(key.chatId, view.text, {
      parse_mode: "HTML",
      reply_markup: view.keyboard,
    });
    await this.saveUi(key, {
      progressMessageId: sent.message_id,
      progressText: view.text,
      progressEditedAt: Date.now(),
    });
  }

  /** Edits the progress message, at most every PROGRESS_EDIT_INTERVAL_MS; the latest text always lands. */
  private async updateProgress(key: ConversationKey, view: View, now = false): Promise<void> {
    const k = keyString(key);
    const ui = await this.ui(key);
    if (!ui.progressMessageId) return this.startProgress(key, view);
    if (ui.progressText === view.text) return;
    const interval = this.deps.progressEditIntervalMs ?? PROGRESS_EDIT_INTERVAL_MS;
    const wait = now ? 0 : (ui.progressEditedAt ?? 0) + interval - Date.now();
    clearTimeout(this.trailing.get(k));
    if (wait > 0) {
      const timer = setTimeout(() => {
        this.trailing.delete(k);
        void this.enqueue(key, () => this.updateProgress(key, view));
      }, wait);
      timer.unref();
      this.trailing.set(k, timer);
      return;
    }
    await this.editProgress(key, ui, view);
  }

  private async finishProgress(key: ConversationKey, view?: View): Promise<void> {
    const k = keyString(key);
    clearTimeout(this.trailing.get(k));
    this.trailing.delete(k);
    const ui = await this.ui(key);
    if (!ui.progressMessageId) return;
    if (view) await this.editProgress(key, ui, view).catch(() => undefined);
    else await this.api.editMessageReplyMarkup(key.chatId, ui.progressMessageId).catch(() => undefined);
    await this.saveUi(key, {
      ...(await this.ui(key)),
      progressMessageId: undefined,
      progressText: undefined,
    });
  }

  private async editProgress(key: ConversationKey, ui: UiState, view: View): Promise<void> {
    try {
      await this.api.editMessageText(key.chatId, ui.progressMessageId!, view.text, {
        parse_mode: "HTML",
        reply_markup: view.keyboard,
      });
    } catch (error) {
      if (!(error instanceof GrammyError && error.description.includes("message is not modified")))
        throw error;
    }
    await this.saveUi(key, { ...ui, progressText: view.text, progressEditedAt: Date.now() });
  }

  /** The model's charts (rendered by the worker into the model directory), as photos. */
  private async sendCharts(key: ConversationKey, c: TrainingContext): Promise<void> {
    const charts = (c.result?.summary.charts ?? []) as Array<{ name: string; uri: string; caption?: string }>;
    for (const chart of charts.slice(0, 4)) await this.sendPhoto(key, chart.uri, chart.name, chart.caption);
  }

  /** The summary card, then the correlation heatmap with the strongest pairs as its caption. */
  private async sendOverview(t: Texts, key: ConversationKey, c: StatsContext): Promise<void> {
    const ui = await this.ui(key);
    if (ui.screenMessageId)
      await this.api.editMessageReplyMarkup(key.chatId, ui.screenMessageId).catch(() => undefined);
    await this.saveUi(key, { ...ui, screenMessageId: undefined, screenKey: undefined });
    // Long cards (many columns) are cut to Telegram's limit by the fitting transformer (fit.ts).
    await this.api.sendMessage(key.chatId, summaryCardText(t, c), { parse_mode: "HTML" });
    if (c.overview?.heatmapUri)
      await this.sendPhoto(key, c.overview.heatmapUri, "correlations", correlationCaption(t, c));
  }

  /** A chart from the user's storage as a photo; a chart that cannot be read is logged, not fatal. */
  private async sendPhoto(key: ConversationKey, uri: string, name: string, caption?: string): Promise<void> {
    try {
      const bytes = await this.deps.readFile(key.userId, uri);
      await this.api.sendPhoto(key.chatId, new InputFile(bytes, `${name}.png`), {
        caption,
        parse_mode: caption ? "HTML" : undefined,
      });
    } catch (error) {
      this.deps.logger.warn({ err: String(error), chart: name }, "chart not sent");
    }
  }

  /** Sends the predictions file, a few times if it must (auto-retry already rides out 429s and 5xx). */
  private async deliverPredictions(t: Texts, key: ConversationKey, c: PredictionContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendPredictions(t, key, c);
      } catch (error) {
        this.deps.logger.warn({ err: String(error), attempt }, "predictions file not sent");
        if (attempt >= DELIVERY_ATTEMPTS) return;
        await new Promise((r) => setTimeout(r, (this.deps.deliveryRetryMs ?? DELIVERY_RETRY_MS) * attempt));
      }
    }
  }

  /** The predictions file as a reply to the user's data; zipped when large, a link when still too large. */
  private async sendPredictions(t: Texts, key: ConversationKey, c: PredictionContext): Promise<void> {
    const r = c.result!;
    const reply = c.replyTo ? { message_id: c.replyTo, allow_sending_without_reply: true } : undefined;
    const limit = this.deps.documentLimitBytes ?? DOCUMENT_LIMIT_BYTES;
    const size = (await stat(r.localPath)).size;
    if (size <= limit) {
      await this.api.sendDocument(key.chatId, new InputFile(r.localPath, r.fileName), {
        reply_parameters: reply,
      });
      return;
    }
    const zipped = zipSync({ [r.fileName]: new Uint8Array(await readFile(r.localPath)) }, { level: 6 });
    if (zipped.byteLength <= limit) {
      await this.api.sendDocument(key.chatId, new InputFile(zipped, `${r.fileName}.zip`), {
        reply_parameters: reply,
        caption: t.predict.zipped,
      });
      return;
    }
    const link = await this.deps.linkFor?.(key.userId, r.outputUri);
    await this.api.sendMessage(
      key.chatId,
      link ? t.predict.link(link) : t.files.tooBig(size / 1e6, limit / 1e6),
      {
        reply_parameters: reply,
      },
    );
  }

  private async ui(key: ConversationKey): Promise<UiState> {
    return (await this.deps.store.getUserDoc<UiState>(key.userId, `ui:${key.chatId}`)) ?? {};
  }

  private async saveUi(key: ConversationKey, ui: UiState): Promise<void> {
    await this.deps.store.setUserDoc(key.userId, `ui:${key.chatId}`, ui);
  }
}

function trainingScreen(t: Texts, c: TrainingContext, state: string, prev: string | undefined): Screen {
  const screen = (key: string, view: View) => ({ key, view });
  switch (state) {
    case "CHOOSING_DATA_SOURCE.ready":
    case "CHOOSING_DATA_SOURCE.datasets":
    case "CHOOSING_DATA_SOURCE.templates":
      return screen(state, sourceView(t, c, state));
    case "AWAITING_DATA.idle":
      return screen(state, awaitingDataView(t, c));
    case "CONFIRMING_SCHEMA":
      return screen(state, schemaView(t, c));
    case "SELECTING_TARGET":
      return screen(state, targetPickerView(t, c));
    case "SELECTING_FEATURES":
      return screen(state, featurePickerView(t, c));
    case "SELECTING_MODEL_CATEGORY":
      return screen(state, categoryView(t, c));
    case "CONFIRMING_MODEL":
      return screen(state, modelPickerView(t, c));
    case "COLLECTING_HYPERPARAMETERS.choosing":
    case "COLLECTING_HYPERPARAMETERS.typing":
      return screen("COLLECTING_HYPERPARAMETERS", paramsView(t, c, state.endsWith("typing")));
    case "CHOOSING_TRAINING_LOCATION.ready":
      return screen(state, locationView(t, c, false));
    case "CONFIRMING_INSTANCE_TYPE":
      return screen(state, confirmView(t, c));
    case "LAUNCHING_TRAINING":
      return prev === state ? undefined : { progress: "start" };
    case "MONITORING_TRAINING":
      return { progress: "update" };
    case "TERMINATING":
      return { progress: "terminating" };
    case "TRAINING_COMPLETE.idle":
      return screen(state, resultView(t, c));
    case "TRAINING_COMPLETE.namingTemplate":
      return screen(state, namingView(t, c, "template"));
    case "NAMING_MODEL.typing":
      return screen(state, namingView(t, c, "model"));
    case "COMPLETE":
      return screen(state, completeView(t, c, prev?.startsWith("NAMING_MODEL") ?? false));
    case "FAILED":
      return screen(state, failedView(t, c));
    case "CANCELLED":
      return screen(state, { text: t.cancelled });
    default:
      return undefined;
  }
}

function predictionScreen(t: Texts, c: PredictionContext, state: string): Screen {
  const screen = (key: string, view: View) => ({ key, view });
  switch (state) {
    case "CHOOSING_DATA_SOURCE.ready":
    case "CHOOSING_DATA_SOURCE.datasets":
    case "CHOOSING_DATA_SOURCE.templates":
      return screen(state, predictionSourceView(t, c, state));
    case "AWAITING_DATA.idle":
      return screen(state, predictionAwaitingView(t, c));
    case "CONFIRMING_SCHEMA":
      return screen(state, compatibilityView(t, c));
    case "SELECTING_MODEL":
      return screen(state, predictionModelView(t, c));
    case "CONFIRMING_PREDICTION_COLUMN":
      return screen(state, columnView(t, c));
    case "CHOOSING_PREDICTION_LOCATION.ready":
      return screen(state, predictionLocationView(t, c, false));
    case "READY_TO_RUN.idle":
    case "READY_TO_RUN.namingTemplate":
      return screen(state, readyView(t, c, state.endsWith("namingTemplate")));
    case "CHECKING_DRIFT":
      return screen(state, { text: t.drift.checking });
    case "DRIFT_WARNING":
      return screen(state, driftWarningView(t, c));
    case "RUNNING_PREDICTION":
      return screen(state, { text: t.predict.running });
    case "COMPLETE":
      return screen(state, predictionResultView(t, c));
    case "FAILED":
      return screen(state, { text: c.error ? errorText(t, c.error) : t.failed });
    case "CANCELLED":
      return screen(state, { text: t.cancelled });
    default:
      return undefined;
  }
}

function statsScreen(t: Texts, c: StatsContext, state: string): Screen {
  const screen = (key: string, view: View) => ({ key, view });
  switch (state) {
    case "CHOOSING_DATA_SOURCE.ready":
    case "CHOOSING_DATA_SOURCE.datasets":
      return screen(state, statsSourceView(t, c, state));
    case "AWAITING_DATA.idle":
      return screen(state, statsAwaitingView(t, c));
    case "CHOOSING_TEST":
      return screen(state, testMenuView(t, c));
    case "PICKING_COLUMNS":
      return screen(state, columnPickerView(t, c));
    case "RUNNING_TEST":
      return screen(state, { text: t.stats.running });
    case "SHOWING_RESULT":
      return screen(state, statsResultView(t, c));
    case "FAILED":
      return screen(state, { text: c.error ? errorText(t, c.error) : t.failed });
    case "CANCELLED":
      return screen(state, { text: t.cancelled });
    case "COMPLETE":
      return screen(state, { text: t.stats.finished });
    default:
      return undefined;
  }
}

/** What a screen shows, to skip edits that would change nothing ("message is not modified"). */
function screenFingerprint(view: View): string {
  return JSON.stringify([view.text, view.keyboard?.inline_keyboard ?? null]);
}

/** "AWAITING_DATA.idle", "CONFIRMING_SCHEMA", … */
export function statePath(snapshot: AnySnapshot): string {
  const parts: string[] = [];
  let value: unknown = snapshot.value;
  while (value && typeof value === "object") {
    const [k, v] = Object.entries(value as Record<string, unknown>)[0];
    parts.push(k);
    value = v;
  }
  if (typeof value === "string") parts.push(value);
  return parts.join(".");
}
