/**
 * getMe, getUpdates, set/get/deleteMyCommands, answerCallbackQuery and sendChatAction (https://core.telegram.org/bots/api#available-methods).
 */
import { badRequest, conflictWebhookActive, ERR } from "../api-error.js";
import type { TgBotCommand } from "../types.js";
import type { MethodContext, MethodHandler } from "./context.js";

const getMe: MethodHandler = (ctx) => ({
  ...ctx.store.bot,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

const getUpdates: MethodHandler = (ctx) => {
  if (ctx.webhook.active) throw conflictWebhookActive();
  const allowed = ctx.params.json<string[]>("allowed_updates", "can't parse allowed updates JSON object");
  return ctx.updates.getUpdates({
    offset: ctx.params.int("offset"),
    limit: ctx.params.int("limit"),
    timeoutSeconds: Math.min(ctx.params.int("timeout") ?? 0, ctx.limits.maxPollTimeoutSeconds),
    allowedUpdates: Array.isArray(allowed) ? allowed : undefined,
    signal: ctx.signal,
  });
};

/** Commands are kept per (scope, language), as Telegram does; a lookup never falls back. */
export function commandsKey(
  scope: Record<string, unknown> | undefined,
  languageCode: string | undefined,
): string {
  const s = scope ?? { type: "default" };
  return [s.type ?? "default", s.chat_id ?? "", s.user_id ?? "", languageCode ?? ""].join("|");
}

function scopeAndLanguage(ctx: MethodContext): string {
  const scope = ctx.params.json<Record<string, unknown>>("scope", "can't parse BotCommandScope JSON object");
  const language = ctx.params.string("language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
  return commandsKey(scope, language);
}

function validCommands(value: unknown): TgBotCommand[] {
  if (!Array.isArray(value)) throw badRequest("can't parse commands JSON object");
  if (value.length > 100) throw badRequest("too many commands specified");
  return value.map((item) => {
    const { command, description } = (item ?? {}) as Partial<TgBotCommand>;
    if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command))
      throw badRequest(ERR.commandInvalid);
    if (typeof description !== "string" || description.trim().length === 0 || description.length > 256) {
      throw badRequest(ERR.commandDescriptionInvalid);
    }
    return { command, description };
  });
}

const setMyCommands: MethodHandler = (ctx) => {
  const commands = validCommands(ctx.params.json("commands", "can't parse commands JSON object") ?? []);
  const key = scopeAndLanguage(ctx);
  if (commands.length === 0) ctx.store.commands.delete(key);
  else ctx.store.commands.set(key, commands);
  ctx.store.emit({ type: "commands", chatId: 0 });
  return true;
};

const getMyCommands: MethodHandler = (ctx) =>
  structuredClone(ctx.store.commands.get(scopeAndLanguage(ctx)) ?? []);

const deleteMyCommands: MethodHandler = (ctx) => {
  ctx.store.commands.delete(scopeAndLanguage(ctx));
  ctx.store.emit({ type: "commands", chatId: 0 });
  return true;
};

const answerCallbackQuery: MethodHandler = (ctx) => {
  const queryId = ctx.params.string("callback_query_id") ?? "";
  const text = ctx.params.string("text");
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  const chatId = ctx.store.answerQuery(queryId, ctx.limits.callbackQueryTtlMs);
  if (chatId === undefined) throw badRequest(ERR.queryTooOld);
  ctx.store.emit({
    type: "callbackAnswer",
    chatId,
    queryId,
    ...(text ? { text } : {}),
    showAlert: ctx.params.bool("show_alert"),
    ...(ctx.params.has("url") ? { url: ctx.params.string("url") } : {}),
  });
  return true;
};

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const sendChatAction: MethodHandler = (ctx) => {
  const chatId = ctx.params.chatId();
  ctx.store.chatForBot(chatId);
  const action = ctx.params.string("action") ?? "";
  if (!CHAT_ACTIONS.has(action)) throw badRequest(ERR.wrongAction);
  ctx.store.emit({ type: "chatAction", chatId, action });
  return true;
};

export const botMethods: Record<string, MethodHandler> = {
  getMe,
  getUpdates,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  answerCallbackQuery,
  sendChatAction,
};
