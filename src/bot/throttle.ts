/**
 * Outgoing flood control: the bot paces its own messages to stay under Telegram's limits (about one message a
 * second per chat after a short burst, 20 a minute per group, 30 a second overall) instead of hitting 429s.
 * Each call reserves a slot at once, so concurrent calls for one chat queue up in order.
 */
import type { Transformer } from "grammy";

/** Methods that count against the flood limits (answers to callbacks and chat actions do not). */
const COUNTED = new Set([
  "sendMessage",
  "editMessageText",
  "editMessageReplyMarkup",
  "editMessageCaption",
  "deleteMessage",
  "sendDocument",
  "sendPhoto",
  "sendMediaGroup",
  "copyMessage",
  "forwardMessage",
]);

export interface ThrottleOptions {
  perChatPerSecond: number;
  perChatBurst: number;
  perGroupPerMinute: number;
  globalPerSecond: number;
}

/** A token bucket that can go into debt: a caller with no token waits until its reservation comes due. */
class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }
  /** Takes a token now and returns how long to wait before using it (ms). */
  reserve(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
    this.at = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : -this.tokens / this.perMs;
  }
}

export function throttle(options: ThrottleOptions, now: () => number = Date.now): Transformer {
  const chats = new Map<number | string, Bucket>();
  const global = new Bucket(options.globalPerSecond, options.globalPerSecond / 1000, now());
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: number | string }).chat_id;
    if (COUNTED.has(method) && chatId !== undefined) {
      const t = now();
      let bucket = chats.get(chatId);
      if (!bucket) {
        const group = typeof chatId === "string" || chatId < 0;
        bucket = group
          ? new Bucket(options.perGroupPerMinute, options.perGroupPerMinute / 60_000, t)
          : new Bucket(options.perChatBurst, options.perChatPerSecond / 1000, t);
        chats.set(chatId, bucket);
      }
      const wait = Math.max(bucket.reserve(t), global.reserve(t));
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return prev(method, payload, signal);
  };
}
