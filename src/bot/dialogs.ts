/**
 * Short linear dialogs outside workflows, with @grammyjs/conversations: renaming a model from /models, setting
 * a budget cap, confirming a delete (/models, /datasets) and choosing a language. The first two ask one
 * question and check the typed answer: a command leaves the dialog (and runs), buttons and other updates pass
 * through to the features. The last two wait for a press of their own buttons: anything else ends the dialog
 * and is handled as usual (so "Keep" is the feature's own button back). The dialog's state is persisted (on
 * Redis with @grammyjs/storage-redis, else in the embedded store's user documents), so a restart mid-dialog
 * resumes it.
 * Training, prediction and stats are not dialogs: their typed answers are steps of the workflow machine.
 */
import {
  type Conversation,
  type ConversationData,
  type ConversationStorage,
  conversations,
  createConversation,
  type VersionedState,
} from "@grammyjs/conversations";
import { RedisAdapter } from "@grammyjs/storage-redis";
import { Composer, InlineKeyboard, type Middleware } from "grammy";
import { ObjectNotFoundError } from "../errors.js";
import { parseDollars } from "../state/amounts.js";
import { nameProblem } from "../state/names.js";
import { RedisWorkflowStore } from "../state/redis-store.js";
import { keyString, type WorkflowStore } from "../state/store.js";
import { type Press, screenButtons } from "./callback-data.js";
import type { BotContext, BotDeps, DialogContext } from "./context.js";
import { money } from "./html.js";
import { LANGUAGES, type Language } from "./i18n/index.js";

/** An unanswered question is forgotten after this long; the next message goes where it would have gone. */
export const DIALOG_TIMEOUT_MS = 15 * 60_000;
/** Bumped when a dialog's steps change, so that a stored half-dialog of the old shape is dropped. */
const DIALOG_VERSION = 1;

export type BudgetField = "perTrainingJob" | "perPrediction" | "monthly";

const CAP_OF = {
  perTrainingJob: "maxTrainingCost",
  perPrediction: "maxPredictionCost",
  monthly: "monthlyBudget",
} as const;

/** The operator's cap on a user's budget field: what a user may set at most. */
export function operatorCap(ctx: DialogContext, field: BudgetField): number {
  return ctx.deps.config.budget[CAP_OF[field]];
}

/** The Yes of a delete confirmation, one action per kind of thing deleted; the argument is its id. */
export const deleteButtons = screenButtons({ model: "mdy", dataset: "ddy" });
export type Deletable = keyof typeof deleteButtons.vocabulary;
/** /language buttons; the argument is a language code. */
export const languageButtons = screenButtons({ choose: "lang" });

type Dialog = Conversation<BotContext, DialogContext>;

/** The next update when it is a press of the codec's buttons; anything else ends the dialog and goes on. */
async function pressOf<A extends string>(
  conversation: Dialog,
  codec: { unpack(data: string): Press<A> | undefined },
): Promise<{ ctx: DialogContext; press: Press<A> }> {
  const ctx = await conversation.wait({ maxMilliseconds: DIALOG_TIMEOUT_MS });
  const press = codec.unpack(ctx.callbackQuery?.data ?? "");
  if (press) return { ctx, press };
  return conversation.halt({ next: true });
}

/** The next typed answer; a command instead ends the dialog and is handled as usual. */
async function answer(conversation: Dialog): Promise<string> {
  const reply = await conversation.waitFor("message:text", {
    next: true,
    maxMilliseconds: DIALOG_TIMEOUT_MS,
  });
  const text = reply.message.text.trim();
  if (text.startsWith("/")) await conversation.halt({ next: true });
  return text;
}

async function renameModel(conversation: Dialog, ctx: DialogContext, modelId: string, name: string) {
  await ctx.reply(ctx.texts.models.renamePrompt(name), { parse_mode: "HTML" });
  let text = await answer(conversation);
  while (nameProblem(text, "model") !== undefined) {
    await ctx.reply(ctx.texts.notices.badModelName());
    text = await answer(conversation);
  }
  await conversation.external(() => ctx.deps.catalog.rename(ctx.conv!.userId, modelId, text));
  await ctx.reply(ctx.texts.models.renamed(text), { parse_mode: "HTML" });
}

async function setBudgetCap(
  conversation: Dialog,
  ctx: DialogContext,
  field: BudgetField,
): Promise<{ field: BudgetField; value: number }> {
  const max = operatorCap(ctx, field);
  await ctx.reply(ctx.texts.budget.prompt(ctx.texts.budget.what[field], money(max)));
  for (;;) {
    const value = parseDollars(await answer(conversation), max);
    if (value !== undefined) {
      await conversation.external(() => ctx.deps.userData.setBudget(ctx.conv!.userId, { [field]: value }));
      await ctx.reply(ctx.texts.budget.saved);
      return { field, value };
    }
    await ctx.reply(ctx.texts.budget.bad(money(max)));
  }
}

/** After the feature has shown "Delete …?": deletes on Yes for exactly this thing. */
async function confirmDelete(
  conversation: Dialog,
  _ctx: DialogContext,
  kind: Deletable,
  id: string,
  name: string,
) {
  const { ctx, press } = await pressOf(conversation, deleteButtons);
  if (press.action !== kind || press.arg !== id) return conversation.halt({ next: true });
  await ctx.answerCallbackQuery();
  const userId = ctx.conv!.userId;
  const { catalog } = ctx.deps;
  const deleted = await conversation.external(() =>
    (kind === "model" ? catalog.deleteModel(userId, id) : catalog.deleteDataset(userId, id)).then(
      () => true,
      (error) => {
        if (error instanceof ObjectNotFoundError) return false;
        throw error;
      },
    ),
  );
  // A dataset already gone is as good as deleted; a model already gone is said to be.
  if (!deleted && kind === "model") return void (await ctx.editMessageText(ctx.texts.models.gone));
  const texts = kind === "model" ? ctx.texts.models : ctx.texts.datasets;
  await ctx.editMessageText(texts.deleted(name), { parse_mode: "HTML" });
}

/** /language: English or Portuguese; the choice is persisted and wins over the Telegram client's. */
async function chooseLanguage(conversation: Dialog, ctx: DialogContext) {
  const keyboard = new InlineKeyboard();
  for (const [code, texts] of Object.entries(LANGUAGES))
    keyboard.text(`${texts.language.flag} ${texts.language.name}`, languageButtons.pack("choose", code));
  await ctx.reply(ctx.texts.language.choose, { reply_markup: keyboard });
  const { ctx: chosen, press } = await pressOf(conversation, languageButtons);
  if (!(press.arg && press.arg in LANGUAGES)) return conversation.halt({ next: true });
  const language = press.arg as Language;
  await conversation.external(() => chosen.deps.userData.setLanguage(chosen.conv!.userId, language));
  await chosen.answerCallbackQuery({ text: LANGUAGES[language].language.changed });
  await chosen.editMessageText(LANGUAGES[language].language.changed);
}

/** Enters a dialog, leaving any other one first (a new question replaces an unanswered one). */
export async function startDialog(
  ctx: BotContext,
  ...dialog:
    | ["renameModel", string, string]
    | ["budgetCap", BudgetField]
    | ["confirmDelete", Deletable, string, string]
    | ["chooseLanguage"]
): Promise<void> {
  const [id, ...args] = dialog;
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(id, ...args);
}

/**
 * Where dialogs are persisted: the workflow store's Redis (under its prefix) when it is Redis, else the
 * embedded store's per-user documents. Keyed by conversation (user and chat), like workflows.
 */
export function dialogStorage(store: WorkflowStore): ConversationStorage<BotContext, ConversationData> {
  const getStorageKey = (ctx: BotContext) => ctx.conv && keyString(ctx.conv);
  if (store instanceof RedisWorkflowStore) {
    const { client, prefix } = store.namespaceFor("dialog");
    return {
      type: "key",
      version: DIALOG_VERSION,
      prefix,
      getStorageKey,
      adapter: new RedisAdapter<VersionedState<ConversationData>>({ instance: client }),
    };
  }
  // The key is "{userId}:{chatId}": the document lives under that user.
  const doc = (key: string) => ({ userId: Number(key.split(":")[0]), name: `dialog:${key}` });
  return {
    type: "key",
    version: DIALOG_VERSION,
    getStorageKey,
    adapter: {
      read: (key) => {
        const { userId, name } = doc(key);
        return store
          .getUserDoc<VersionedState<ConversationData> | null>(userId, name)
          .then((v) => v ?? undefined);
      },
      write: (key, state) => {
        const { userId, name } = doc(key);
        return store.setUserDoc(userId, name, state);
      },
      delete: (key) => {
        const { userId, name } = doc(key);
        return store.setUserDoc(userId, name, null);
      },
    },
  };
}

/**
 * The dialogs' middleware: the conversations plugin, then each dialog. `setup` gives a dialog's own context
 * what every handler has (deps, texts, the conversation key); the budget dialog shows /budget when done.
 */
export function dialogs(
  deps: BotDeps,
  setup: Middleware<DialogContext>,
  showBudget: (ctx: DialogContext) => Promise<void>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(conversations<BotContext, DialogContext>({ storage: dialogStorage(deps.manager.store) }));
  composer.use(
    createConversation<BotContext, DialogContext>(renameModel, { id: "renameModel", plugins: [setup] }),
  );
  composer.use(
    createConversation<BotContext, DialogContext>(
      async (conversation, ctx, field: BudgetField) => {
        await setBudgetCap(conversation, ctx, field);
        await showBudget(ctx);
      },
      { id: "budgetCap", plugins: [setup] },
    ),
  );
  composer.use(
    createConversation<BotContext, DialogContext>(confirmDelete, { id: "confirmDelete", plugins: [setup] }),
  );
  composer.use(
    createConversation<BotContext, DialogContext>(chooseLanguage, { id: "chooseLanguage", plugins: [setup] }),
  );
  return composer;
}
