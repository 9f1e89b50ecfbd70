/**
 * createBot: the one place that decides middleware order. Dependencies are attached per update; all features
 * sit under one error boundary; the unhandled feature goes last.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, type BotConfig, type ErrorHandler } from "grammy";
import { AppError } from "../errors.js";
import { scrubSecrets } from "../logger.js";
import type { BotContext, BotDeps } from "./context.js";
import { buttonsFeature } from "./features/buttons.js";
import { commandsFeature } from "./features/commands.js";
import { documentsFeature } from "./features/documents.js";
import { textFeature } from "./features/text.js";
import { unhandledFeature } from "./features/unhandled.js";
import { errorText } from "./views/common.js";

export function createBot(token: string, deps: BotDeps, botConfig?: BotConfig<BotContext>): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, {
    ...botConfig,
    client: { apiRoot: deps.config.telegram.apiRoot, ...botConfig?.client },
  });

  // Honour 429 retry_after and ride out 5xx blips, for every call made through bot.api.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    ctx.texts = await deps.texts(ctx.from?.id ?? 0, ctx.from?.language_code);
    if (ctx.from && ctx.chat) ctx.conv = { userId: ctx.from.id, chatId: ctx.chat.id };
    ctx.log = deps.logger.child({
      update_id: ctx.update.update_id,
      conv: ctx.conv && `${ctx.conv.userId}:${ctx.conv.chatId}`,
    });
    await next();
  });

  bot.use(async (ctx, next) => {
    const allowed = deps.config.telegram.allowedUserIds;
    if (allowed.length === 0 || (ctx.from && allowed.includes(ctx.from.id))) return next();
    if (ctx.callbackQuery)
      await ctx.answerCallbackQuery({ text: ctx.texts.errors.accessDenied, show_alert: true });
    else if (ctx.chat?.type === "private") await ctx.reply(ctx.texts.errors.accessDenied);
  });

  const features = bot.errorBoundary(errorHandler);
  // Updates without a user (channel posts) have no conversation and nothing for us to do.
  const withConversation = features.filter((ctx) => ctx.conv !== undefined);
  withConversation.use(commandsFeature, documentsFeature, textFeature, buttonsFeature, unhandledFeature);

  bot.catch((err) =>
    deps.logger.error({ err: scrubSecrets(String(err.error)) }, "update failed outside the boundary"),
  );
  return bot;
}

/** Our errors become a card with the recovery hint; anything else is logged and gets a generic answer. */
const errorHandler: ErrorHandler<BotContext> = async (err) => {
  const ctx = err.ctx;
  const error = err.error;
  if (error instanceof AppError) {
    ctx.log.info({ code: error.code, err: error.message }, "user-facing error");
  } else {
    ctx.log.error(
      { err: error instanceof Error ? { message: scrubSecrets(error.message), stack: error.stack } : error },
      "handler failed",
    );
  }
  const text =
    error instanceof AppError
      ? errorText(ctx.texts, {
          code: error.code,
          errorClass: error.name,
          message: error.message,
          recovery: error.recoverySuggestion,
        })
      : ctx.texts.errors.internal;
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (ctx.chat) await ctx.reply(text, { parse_mode: "HTML" });
  } catch (replyError) {
    ctx.log.warn({ err: String(replyError) }, "could not tell the user about an error");
  }
};
