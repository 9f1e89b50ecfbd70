/**
 * Group chats: the bot answers only to commands addressed to it (`/train` or `/train@thisbot`) and to
 * replies to its own messages, and handles presses on its own buttons. Everything else in a group is
 * ordinary conversation between people and is ignored without a word.
 */
import type { MiddlewareFn } from "grammy";
import type { Message, MessageEntity } from "grammy/types";
import type { BotContext } from "../context.js";
import type { BotMetrics } from "../metrics.js";

export function groupChatFilter(metrics?: BotMetrics): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const type = ctx.chat?.type;
    if (type !== "group" && type !== "supergroup") return next();
    if (ctx.callbackQuery || isAddressedToBot(ctx.msg, ctx.me.id, ctx.me.username)) return next();
    metrics?.droppedUpdates.inc({ reason: "group_chatter" });
  };
}

/** A command for this bot (no @mention, or ours) at the start of the text or caption, or a reply to the bot. */
export function isAddressedToBot(message: Message | undefined, botId: number, botUsername: string): boolean {
  if (!message) return false;
  if (message.reply_to_message?.from?.id === botId) return true;
  const text = message.text ?? message.caption;
  const entities = message.entities ?? message.caption_entities;
  const command = leadingCommand(text, entities);
  if (command === undefined) return false;
  const at = command.indexOf("@");
  return at < 0 || command.slice(at + 1).toLowerCase() === botUsername.toLowerCase();
}

function leadingCommand(text: string | undefined, entities: MessageEntity[] | undefined): string | undefined {
  const first = entities?.[0];
  if (text === undefined || first?.type !== "bot_command" || first.offset !== 0) return undefined;
  return text.slice(0, first.length);
}
