/**
 * sendMessage, editMessageText, editMessageReplyMarkup, editMessageCaption, deleteMessage
 * (https://core.telegram.org/bots/api#sendmessage and #updating-messages).
 */
import { badRequest, ERR } from "../api-error.js";
import { parseReplyMarkup } from "../markup.js";
import { formatText } from "../text.js";
import type { TgMessage } from "../types.js";
import type { MethodContext, MethodHandler } from "./context.js";
import {
  applyReplyKeyboard,
  assertModified,
  editTarget,
  entitiesOrUndefined,
  replyTarget,
  setOptional,
} from "./shared.js";

const sendMessage: MethodHandler = (ctx) => {
  const chatId = ctx.params.chatId();
  ctx.store.chatForBot(chatId);
  const formatted = formatText(ctx.params.string("text"), {
    parseMode: ctx.params.string("parse_mode"),
    entities: ctx.params.json("entities", "can't parse entities JSON object"),
    kind: "text",
    maxLength: ctx.limits.maxMessageLength,
  });
  const markup = parseReplyMarkup(ctx.params, ctx.limits);
  const replyTo = replyTarget(ctx, chatId);
  ctx.flood.consume(chatId);
  applyReplyKeyboard(ctx.store, chatId, markup);
  return ctx.store.addMessage(chatId, {
    from: ctx.store.bot,
    ...(replyTo ? { reply_to_message: replyTo } : {}),
    text: formatted.text,
    ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}),
    ...(markup.inline ? { reply_markup: markup.inline } : {}),
  });
};

/** Editing without reply_markup removes the inline keyboard, as on Telegram. */
function editedMarkup(ctx: MethodContext): TgMessage["reply_markup"] {
  return parseReplyMarkup(ctx.params, ctx.limits).inline;
}

const editMessageText: MethodHandler = (ctx) => {
  const { chatId, message } = editTarget(ctx);
  if (message.text === undefined) throw badRequest(ERR.noTextToEdit);
  const formatted = formatText(ctx.params.string("text"), {
    parseMode: ctx.params.string("parse_mode"),
    entities: ctx.params.json("entities", "can't parse entities JSON object"),
    kind: "text",
    maxLength: ctx.limits.maxMessageLength,
  });
  const updated = structuredClone(message);
  updated.text = formatted.text;
  setOptional(updated, "entities", entitiesOrUndefined(formatted.entities));
  setOptional(updated, "reply_markup", editedMarkup(ctx));
  assertModified(message, updated);
  ctx.flood.consume(chatId);
  return ctx.store.replaceMessage(chatId, updated);
};

const editMessageReplyMarkup: MethodHandler = (ctx) => {
  const { chatId, message } = editTarget(ctx);
  const updated = structuredClone(message);
  setOptional(updated, "reply_markup", editedMarkup(ctx));
  assertModified(message, updated);
  ctx.flood.consume(chatId);
  return ctx.store.replaceMessage(chatId, updated);
};

const editMessageCaption: MethodHandler = (ctx) => {
  const { chatId, message } = editTarget(ctx);
  if (!message.document && !message.photo) throw badRequest(ERR.noCaptionToEdit);
  const formatted = formatText(ctx.params.string("caption"), {
    parseMode: ctx.params.string("parse_mode"),
    entities: ctx.params.json("caption_entities", "can't parse entities JSON object"),
    kind: "caption",
    maxLength: ctx.limits.maxCaptionLength,
  });
  const updated = structuredClone(message);
  setOptional(updated, "caption", formatted.text === "" ? undefined : formatted.text);
  setOptional(updated, "caption_entities", entitiesOrUndefined(formatted.entities));
  setOptional(updated, "reply_markup", editedMarkup(ctx));
  assertModified(message, updated);
  ctx.flood.consume(chatId);
  return ctx.store.replaceMessage(chatId, updated);
};

const deleteMessage: MethodHandler = (ctx) => {
  const chatId = ctx.params.chatId();
  if (!ctx.store.chat(chatId)) throw badRequest(ERR.chatNotFound);
  const messageId = ctx.params.int("message_id", "message identifier is not specified") as number;
  if (!ctx.store.deleteMessage(chatId, messageId)) throw badRequest(ERR.deleteNotFound);
  return true;
};

export const messageMethods: Record<string, MethodHandler> = {
  sendMessage,
  editMessageText,
  editMessageReplyMarkup,
  editMessageCaption,
  deleteMessage,
};
