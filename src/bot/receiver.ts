/**
 * How updates reach the bot: long polling through @grammyjs/runner (updates handled concurrently, ordered per
 * conversation by the sequentialize middleware in createBot), or a webhook (WEBHOOK_URL) served by
 * src/bot/server.ts with Telegram's secret-token header checked.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type RunnerHandle, run } from "@grammyjs/runner";
import { type Bot, webhookCallback } from "grammy";
import { type Logger, scrubSecrets } from "../logger.js";
import type { BotContext } from "./context.js";
import type { UpdateTracker } from "./middleware/updates.js";

export interface Receiver {
  readonly mode: "polling" | "webhook";
  /** Starts taking updates. */
  start(): Promise<void>;
  /** Stops taking updates (handlers already running go on). */
  stop(): Promise<void>;
  /**
   * Called once running handlers are done (`idle` says whether they all finished in time): polling confirms
   * the last handled update, so a restart does not handle it again.
   */
  finish(idle: boolean): Promise<void>;
}

/** Longest wait for Telegram to take the confirmation of handled updates when stopping. */
const CONFIRM_TIMEOUT_MS = 1500;

/** Long polling with the runner. `onFatal` hears about a runner that stopped by itself (401, 409). */
export function pollingReceiver(
  bot: Bot<BotContext>,
  tracker: UpdateTracker,
  logger: Logger,
  onFatal: (error: unknown) => void,
): Receiver {
  let handle: RunnerHandle | undefined;
  return {
    mode: "polling",
    async start() {
      // getUpdates answers 409 while a webhook is set (left over from a webhook deployment).
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      handle = run(bot, { runner: { silent: true } });
      handle.task()?.catch((error: unknown) => {
        logger.fatal({ err: scrubSecrets(String(error)) }, "long polling stopped");
        onFatal(error);
      });
    },
    async stop() {
      await handle?.stop();
    },
    async finish(idle) {
      // A handler still running when we gave up waiting must be delivered again: confirm nothing then.
      if (!idle || tracker.highestUpdateId === 0) return;
      // Bounded: with Telegram unreachable, auto-retry would otherwise try again for ever.
      const signal = AbortSignal.timeout(CONFIRM_TIMEOUT_MS) as Parameters<typeof bot.api.getUpdates>[1];
      await bot.api
        .getUpdates({ offset: tracker.highestUpdateId + 1, limit: 1, timeout: 0 }, signal)
        .catch((error: unknown) =>
          logger.warn({ err: scrubSecrets(String(error)) }, "could not confirm updates"),
        );
    },
  };
}

export interface WebhookReceiver extends Receiver {
  /** The path Telegram posts to (from WEBHOOK_URL). */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Longest a webhook request waits for its handler; after it Telegram gets its 200 and the handler goes on. */
const WEBHOOK_HANDLER_WAIT_MS = 50_000;

export function webhookReceiver(bot: Bot<BotContext>, url: string, secret: string): WebhookReceiver {
  const callback = webhookCallback(bot, "http", {
    secretToken: secret,
    onTimeout: "return",
    timeoutMilliseconds: WEBHOOK_HANDLER_WAIT_MS,
  });
  return {
    mode: "webhook",
    path: new URL(url).pathname,
    handle: async (req, res) => {
      await callback(req, res);
    },
    async start() {
      await bot.api.setWebhook(url, { secret_token: secret, drop_pending_updates: false });
    },
    // The webhook stays set: Telegram keeps new updates until this bot (or another replica) answers again.
    async stop() {},
    async finish() {},
  };
}

/**
 * WEBHOOK_SECRET, or one derived from the bot token: stable across restarts and replicas, unguessable
 * without the token, and made of the characters Telegram allows (A-Z a-z 0-9 _ -).
 */
export function webhookSecretFor(token: string, configured?: string): string {
  return configured ?? createHash("sha256").update(`sma-webhook:${token}`).digest("hex");
}
