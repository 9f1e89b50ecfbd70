/**
 * Per-user rate limiting (@grammyjs/ratelimiter): RATE_LIMIT_PER_MINUTE updates per user per minute. Extra
 * updates are dropped; the user gets one polite notice per window (the library calls us once per excess).
 * Each user has their own counter, so one fast user never slows the bot down for anybody else.
 */
import { limit } from "@grammyjs/ratelimiter";
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";
import type { BotMetrics } from "../metrics.js";

const WINDOW_MS = 60_000;

export interface RateLimitOptions {
  perMinute: number;
  metrics?: BotMetrics;
  /** Window length; a minute unless a test shortens it. */
  windowMs?: number;
}

export function rateLimit(options: RateLimitOptions): MiddlewareFn<BotContext> {
  const limiter = limit<BotContext, never>({
    timeFrame: options.windowMs ?? WINDOW_MS,
    limit: options.perMinute,
    keyGenerator: (ctx) => (ctx.from ? String(ctx.from.id) : undefined),
    onLimitExceeded: (ctx) => notify(ctx),
  });
  return async (ctx, next) => {
    let passed = false;
    await limiter(ctx, async () => {
      passed = true;
      await next();
    });
    if (!passed) options.metrics?.droppedUpdates.inc({ reason: "rate_limited" });
  };
}

async function notify(ctx: BotContext): Promise<void> {
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.texts.errors.rateLimited });
    else if (ctx.chat) await ctx.reply(ctx.texts.errors.rateLimited);
  } catch (error) {
    ctx.log.warn({ err: String(error) }, "could not send the rate-limit notice");
  }
}
