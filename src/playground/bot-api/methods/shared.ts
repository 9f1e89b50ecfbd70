/** Helpers shared by the sending and editing methods. */
import { badRequest, ERR } from "../api-error.js";
import type { Markup } from "../markup.js";
import type { Store } from "../store.js";
import type { TgMessage, TgMessageEntity } from "../types.js";
import type { MethodContext } from "./context.js";

/** The message a send replies to, from reply_parameters or the older reply_to_message_id. */
export function replyTarget(ctx: MethodContext, chatId: number): TgMessage | undefined {
  const parameters = ctx.params.json<{ message_id?: number; allow_sending_without_reply?: boolean }>(
    "reply_parameters",
    "can't parse reply parameters JSON object",
  );
  const messageId = parameters?.message_id ?? ctx.params.int("reply_to_message_id");
  if (messageId === undefined) return undefined;
  const allowWithout =
    parameters?.allow_sending_without_reply ?? ctx.params.bool("allow_sending_without_reply");
  const target = ctx.store.message(chatId, Number(messageId));
  if (!target) {
    if (allowWithout) return undefined;
    throw badRequest(ERR.replyNotFound);
  }
  const { reply_to_message: _nested, ...withoutNested } = structuredClone(target);
  return withoutNested;
}

/** Applies a reply keyboard change that came with a sent message. */
export function applyReplyKeyboard(store: Store, chatId: number, markup: Markup): void {
  if (markup.keyboard !== undefined) store.setReplyKeyboard(chatId, markup.keyboard);
}

/** The chat_id + message_id pair of an edit; inline messages don't exist here. */
export function editTarget(ctx: MethodContext): { chatId: number; message: TgMessage } {
  if (ctx.params.has("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const chatId = ctx.params.chatId();
  if (!ctx.store.chat(chatId)) throw badRequest(ERR.chatNotFound);
  const messageId = ctx.params.int("message_id", "message identifier is not specified");
  const message = ctx.store.message(chatId, messageId as number);
  if (!message) throw badRequest(ERR.editNotFound);
  if (!message.from?.is_bot) throw badRequest(ERR.cantBeEdited);
  return { chatId, message: structuredClone(message) };
}

/** Telegram compares the new content and markup with the current ones, and refuses a no-op edit. */
export function assertModified(before: TgMessage, after: TgMessage): void {
  const same =
    before.text === after.text &&
    before.caption === after.caption &&
    sameJson(before.entities, after.entities) &&
    sameJson(before.caption_entities, after.caption_entities) &&
    sameJson(before.reply_markup, after.reply_markup);
  if (same) throw badRequest(ERR.notModified);
}

function sameJson(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so `{text, callback_data}` equals `{callback_data, text}`. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** Sets or removes an optional field, so absent values don't appear as `undefined` keys. */
export function setOptional<K extends keyof TgMessage>(
  message: TgMessage,
  key: K,
  value: TgMessage[K] | undefined,
) {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) delete message[key];
  else message[key] = value;
}

export function entitiesOrUndefined(entities: TgMessageEntity[]): TgMessageEntity[] | undefined {
  return entities.length > 0 ? entities : undefined;
}
