/**
 * Renders workflow commits to the chat. Handlers never send screens themselves: they send an event, and every
 * committed change (from a user event, or from a job reporting back) arrives here, in the process that
 * committed it. Progress goes into one message edited in place, throttled and never edited to the same text.
 */
import { type Api, GrammyError, InputFile } from "grammy";
import type { PredictionContext } from "../flows/prediction/machine.js";
import type { TrainingContext } from "../flows/training/machine.js";
import type { Logger } from "../logger.js";
import type { AnySnapshot } from "../state/definitions.js";
import type { Commit } from "../state/state-manager.js";
import { type ConversationKey, keyString, type WorkflowStore } from "../state/store.js";
import { fitMessage } from "./html.js";
import { en, type Texts } from "./texts/en.js";
import type { View } from "./views/common.js";
import { errorText } from "./views/common.js";
import { awaitingPredictionDataView, modelChoiceView, predictionResultView } from "./views/prediction.js";
import {
  awaitingDataView,
  modelPickerView,
  progressDoneView,
  progressView,
  resultView,
  schemaView,
} from "./views/training.js";

/** Per-conversation message bookkeeping, persisted so a restarted bot edits the same messages. */
interface UiState {
  screenMessageId?: number;
  progressMessageId?: number;
  progressText?: string;
  progressEditedAt?: number;
}

/** At most one progress edit per chat this often (Telegram allows about one message per second per chat). */
export const PROGRESS_EDIT_INTERVAL_MS = 3000;

export class Renderer {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly api: Api,
    private readonly store: WorkflowStore,
    private readonly logger: Logger,
    private readonly texts: (userId: number) => Promise<Texts> = async () => en,
  ) {}

  /** Queues the rendering of a commit; renders for one conversation happen in commit order. */
  render(commit: Commit): Promise<void> {
    const k = keyString(commit.key);
    const run = (this.queues.get(k) ?? Promise.resolve()).then(() =>
      this.renderNow(commit).catch((error) => this.logger.error({ err: error, conv: k }, "render failed")),
    );
    this.queues.set(k, run);
    void run.then(() => {
      if (this.queues.get(k) === run) this.queues.delete(k);
    });
    return run;
  }

  private async renderNow(commit: Commit): Promise<void> {
    const t = await this.texts(commit.key.userId);
    const prev = commit.prev ? statePath(commit.prev) : undefined;
    const next = statePath(commit.next);
    const changed = prev !== next || commit.prev?.context.error !== commit.next.context.error;
    if (commit.event?.replaced) return; // superseded by a new workflow, whose screen follows
    if (commit.workflowType === "training") {
      await this.renderTraining(t, commit.key, commit.next.context as TrainingContext, next, changed);
    } else if (commit.workflowType === "prediction") {
      await this.renderPrediction(t, commit.key, commit.next.context as PredictionContext, next, changed);
    }
  }

  private async renderTraining(
    t: Texts,
    key: ConversationKey,
    c: TrainingContext,
    state: string,
    changed: boolean,
  ) {
    switch (state) {
      case "AWAITING_DATA.idle":
        if (changed) await this.screen(key, awaitingDataView(t, c));
        return;
      case "CONFIRMING_SCHEMA":
        if (changed) await this.screen(key, schemaView(t, c));
        return;
      case "CONFIRMING_MODEL":
        if (changed) await this.screen(key, modelPickerView(t, c));
        return;
      case "LAUNCHING_TRAINING":
        if (changed) await this.startProgress(key, progressView(t, c, Date.now()));
        return;
      case "MONITORING_TRAINING":
        await this.updateProgress(key, progressView(t, c, Date.now()));
        return;
      case "TRAINING_COMPLETE":
        if (!changed) return;
        await this.finishProgress(key, progressDoneView(t, c));
        await this.screen(key, resultView(t, c));
        return;
      case "COMPLETE":
        if (changed) await this.screen(key, { text: t.finished });
        return;
      case "FAILED":
        if (!changed) return;
        await this.finishProgress(key);
        await this.screen(key, { text: c.error ? errorText(t, c.error) : t.failed });
        return;
      case "CANCELLED":
        if (!changed) return;
        await this.finishProgress(key);
        await this.screen(key, { text: t.cancelled });
        return;
    }
  }

  private async renderPrediction(
    t: Texts,
    key: ConversationKey,
    c: PredictionContext,
    state: string,
    changed: boolean,
  ) {
    if (!changed) return;
    switch (state) {
      case "SELECTING_MODEL.ready":
        await this.screen(key, modelChoiceView(t, c));
        return;
      case "AWAITING_DATA.idle":
        await this.screen(key, awaitingPredictionDataView(t, c));
        return;
      case "RUNNING_PREDICTION":
        await this.screen(key, { text: t.predicting });
        return;
      case "COMPLETE":
        await this.screen(key, predictionResultView(t, c));
        await this.api.sendDocument(key.chatId, new InputFile(c.result!.localPath, c.result!.fileName), {
          reply_parameters: c.replyTo
            ? { message_id: c.replyTo, allow_sending_without_reply: true }
            : undefined,
        });
        return;
      case "FAILED":
        await this.screen(key, { text: c.error ? errorText(t, c.error) : t.failed });
        return;
      case "CANCELLED":
        await this.screen(key, { text: t.cancelled });
        return;
    }
  }

  /** Sends a new screen and takes the buttons off the previous one, so old menus cannot be pressed. */
  private async screen(key: ConversationKey, view: View): Promise<void> {
    const ui = await this.ui(key);
    if (ui.screenMessageId) {
      await this.api.editMessageReplyMarkup(key.chatId, ui.screenMessageId).catch(() => undefined);
    }
    const sent = await this.api.sendMessage(key.chatId, fitMessage(view.text), {
      parse_mode: "HTML",
      reply_markup: view.keyboard,
      link_preview_options: { is_disabled: true },
    });
    await this.saveUi(key, { ...ui, screenMessageId: view.keyboard ? sent.message_id : undefined });
  }

  private async startProgress(key: ConversationKey, view: View): Promise<void> {
    const ui = await this.ui(key);
    if (ui.screenMessageId) {
      await this.api.editMessageReplyMarkup(key.chatId, ui.screenMessageId).catch(() => undefined);
    }
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
  private async updateProgress(key: ConversationKey, view: View): Promise<void> {
    const k = keyString(key);
    const ui = await this.ui(key);
    if (!ui.progressMessageId) return this.startProgress(key, view);
    if (ui.progressText === view.text) return;
    const wait = (ui.progressEditedAt ?? 0) + PROGRESS_EDIT_INTERVAL_MS - Date.now();
    clearTimeout(this.trailing.get(k));
    if (wait > 0) {
      const timer = setTimeout(() => {
        this.trailing.delete(k);
        const run = (this.queues.get(k) ?? Promise.resolve()).then(() =>
          this.updateProgress(key, view).catch((error) =>
            this.logger.warn({ err: error }, "progress edit failed"),
          ),
        );
        this.queues.set(k, run);
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
    if (view) await this.editProgress(key, ui, view);
    else await this.api.editMessageReplyMarkup(key.chatId, ui.progressMessageId).catch(() => undefined);
    await this.saveUi(key, { ...ui, progressMessageId: undefined, progressText: undefined });
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

  private async ui(key: ConversationKey): Promise<UiState> {
    return (await this.store.getUserDoc<UiState>(key.userId, `ui:${key.chatId}`)) ?? {};
  }

  private async saveUi(key: ConversationKey, ui: UiState): Promise<void> {
    await this.store.setUserDoc(key.userId, `ui:${key.chatId}`, ui);
  }
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
