/**
 * createBot: the one place that decides middleware order. Update tracking first (metrics, graceful
 * shutdown), then group-chat filtering, dependencies per update, access, per-user rate limit and per-conversation
 * ordering; all features sit under one error boundary; the unhandled feature goes last.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type ErrorHandler, type MiddlewareFn } from "grammy";
import { AppError } from "../errors.js";
import { scrubSecrets } from "../logger.js";
import { keyString } from "../state/store.js";
import type { BotContext, BotDeps, DialogContext } from "./context.js";
import { dialogs } from "./dialogs.js";
import { showBudget } from "./features/budget.js";
import { features as allFeatures } from "./features/index.js";
import { fitOutgoing } from "./fit.js";
import { type BotMetrics, createBotMetrics } from "./metrics.js";
import { accessControl } from "./middleware/access.js";
import { observeApiCalls } from "./middleware/api-calls.js";
import { groupChatFilter } from "./middleware/groups.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { UpdateTracker } from "./middleware/updates.js";
import { errorText } from "./views/common.js";

export interface CreateBotOptions {
  botConfig?: BotConfig<BotContext>;
  /** Where counts go (/metrics); a private set when omitted. */
  metrics?: BotMetrics;
  /** Running handlers, for graceful shutdown; a private one when omitted. */
  tracker?: UpdateTracker;
}

export function createBot(token: string, deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const { botConfig } = options;
  const metrics = options.metrics ?? createBotMetrics();
  const tracker = options.tracker ?? new UpdateTracker();
  const bot = new Bot<BotContext>(token, {
    ...botConfig,
    client: { apiRoot: deps.config.telegram.apiRoot, ...botConfig?.client },
  });

  // Transformers: the last installed runs outermost. Observing inside auto-retry counts every attempt
  // (and every 429); auto-retry honours retry_after and rides out 5xx blips for every call through bot.api.
  bot.api.config.use(observeApiCalls(metrics, deps.logger));
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  // Whatever a handler or the renderer built, it leaves fitted to Telegram's limits.
  bot.api.config.use(fitOutgoing());

  bot.use(tracker.middleware(metrics));
  // Before anything reads the store: chatter in groups costs nothing.
  bot.use(groupChatFilter(metrics));
  bot.use(contextSetup(deps));
  bot.use(accessControl(metrics));
  bot.use(rateLimit({ perMinute: deps.config.telegram.rateLimitPerMinute, metrics }));
  // The runner handles updates concurrently: one conversation's updates still run one after another.
  bot.use(sequentialize((ctx: BotContext) => ctx.conv && keyString(ctx.conv)));

  const bounded = bot.errorBoundary(errorHandlerCounting(metrics));
  // Updates without a user (channel posts) have no conversation and nothing for us to do.
  // Dialogs first: an open one takes its answer before the workflow's text step would.
  bounded
    .filter((ctx) => ctx.conv !== undefined)
    .use(dialogs(deps, contextSetup(deps), showBudget), allFeatures);

  bot.catch((err) => {
    metrics.errors.inc({ code: "unhandled" });
    deps.logger.error({ err: scrubSecrets(String(err.error)) }, "update failed outside the boundary");
  });
  return bot;
}

/** What every handler (and every dialog's own context) gets: deps, texts, the conversation key, a logger. */
function contextSetup(deps: BotDeps): MiddlewareFn<DialogContext> {
  return async (ctx, next) => {
    ctx.deps = deps;
    ctx.texts = await deps.texts(ctx.from?.id ?? 0, ctx.from?.language_code);
    if (ctx.from && ctx.chat) ctx.conv = { userId: ctx.from.id, chatId: ctx.chat.id };
    ctx.log = deps.logger.child({
      update_id: ctx.update.update_id,
      conv: ctx.conv && keyString(ctx.conv),
    });
    await next();
  };
}

function errorHandlerCounting(metrics: BotMetrics): ErrorHandler<BotContext> {
  return (err) => {
    metrics.errors.inc({ code: err.error instanceof AppError ? String(err.error.code) : "internal" });
    return errorHandler(err);
  };
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
