/**
 * Who may use the bot. ALLOWED_USER_IDS empty means open to everyone; admins (ADMIN_USER_IDS) are always
 * allowed. Strangers get one short answer in private chats and button presses; elsewhere they are ignored.
 */
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";
import type { BotMetrics } from "../metrics.js";

export function accessControl(metrics?: BotMetrics): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (isAllowed(ctx)) return next();
    metrics?.droppedUpdates.inc({ reason: "not_allowed" });
    if (ctx.callbackQuery)
      await ctx.answerCallbackQuery({ text: ctx.texts.errors.accessDenied, show_alert: true });
    else if (ctx.chat?.type === "private") await ctx.reply(ctx.texts.errors.accessDenied);
  };
}

function isAllowed(ctx: BotContext): boolean {
  const { allowedUserIds } = ctx.deps.config.telegram;
  if (allowedUserIds.length === 0) return true;
  const id = ctx.from?.id;
  return id !== undefined && (allowedUserIds.includes(id) || isAdmin(ctx));
}

/** A filter for admin-only features: `composer.filter(isAdmin)`. Only ADMIN_USER_IDS pass. */
export function isAdmin(ctx: BotContext): boolean {
  const id = ctx.from?.id;
  return id !== undefined && ctx.deps.config.telegram.adminUserIds.includes(id);
}
