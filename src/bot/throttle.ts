/**
 * Outgoing flood control: the bot paces its own messages to stay under Telegram's limits (about one message a
 * second per chat after a short burst, 20 a minute per group, 30 a second overall) instead of hitting 429s.
 * Each call reserves its chat's slot at once, so calls for one chat keep their order. The overall limit is
 * shared by everyone, so it serves answers to people first: calls made under `asBackground` (the renderer's
 * progress edits, which it coalesces while they wait) go only when no answer is waiting.
 */
import { AsyncLocalStorage } from "node:async_hooks";
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

/** Set while background work runs: its calls (and the timers it starts) wait behind everyone's answers. */
const background = new AsyncLocalStorage<true>();

/** Runs `work` as background work: its sends go after every waiting answer. */
export function asBackground<T>(work: () => T): T {
  return background.run(true, work);
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

/** A token bucket whose waiters are served answers first, then background calls, each in arrival order. */
export class PriorityBucket {
  private tokens: number;
  private at: number;
  private readonly replies: Array<() => void> = [];
  private readonly background: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.at = now();
  }

  /** Resolves when this call may go. */
  take(reply: boolean): Promise<void> {
    this.refill();
    const ahead = reply ? this.replies.length : this.replies.length + this.background.length;
    if (ahead === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      (reply ? this.replies : this.background).push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.at) * this.perMs);
    this.at = t;
  }

  /** Wakes when the next token is due and hands out what has come due, replies first. */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, (1 - this.tokens) / this.perMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.tokens >= 1 && this.replies.length + this.background.length > 0) {
        this.tokens -= 1;
        (this.replies.shift() ?? this.background.shift())!();
      }
      if (this.replies.length + this.background.length > 0) this.schedule();
    }, wait);
  }
}

export function throttle(options: ThrottleOptions, now: () => number = Date.now): Transformer {
  const chats = new Map<number | string, Bucket>();
  const global = new PriorityBucket(options.globalPerSecond, options.globalPerSecond / 1000, now);
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
      const wait = bucket.reserve(t);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await global.take(background.getStore() !== true);
    }
    return prev(method, payload, signal);
  };
}
