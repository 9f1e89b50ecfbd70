/**
 * Telegram's limits (https://core.telegram.org/bots/api and https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)
 * and the token buckets that enforce the flood limits.
 */
import { tooManyRequests } from "./api-error.js";

/** Every limit the emulator enforces. Pass a `Partial<Limits>` to loosen or tighten one in a test. */
export interface Limits {
  /** Message text length after entity parsing, in UTF-16 code units. */
  maxMessageLength: number;
  /** Caption length after entity parsing. */
  maxCaptionLength: number;
  /** callback_data size in UTF-8 bytes (minimum is 1). */
  maxCallbackDataBytes: number;
  /** sendDocument / sendPhoto upload size. */
  maxUploadBytes: number;
  /** sendPhoto upload size. */
  maxPhotoBytes: number;
  /** Largest file getFile hands out on the public Bot API. */
  maxDownloadBytes: number;
  /** A callback query must be answered within this time, else "query is too old". */
  callbackQueryTtlMs: number;
  /** Whether the flood limits below apply at all. */
  rateLimit: boolean;
  /** Sustained messages per second into one private chat. */
  perChatPerSecond: number;
  /** Burst allowed into one private chat before the sustained rate applies. */
  perChatBurst: number;
  /** Messages per minute into one group. */
  perGroupPerMinute: number;
  /** Sustained messages per second across all chats. */
  globalPerSecond: number;
  /** Burst across all chats. */
  globalBurst: number;
  /** Longest getUpdates long poll, seconds (Telegram's own cap is not documented; 50 is what it honours). */
  maxPollTimeoutSeconds: number;
}

const MB = 1024 * 1024;

export const DEFAULT_LIMITS: Limits = {
  maxMessageLength: 4096,
  maxCaptionLength: 1024,
  maxCallbackDataBytes: 64,
  maxUploadBytes: 50 * MB,
  maxPhotoBytes: 10 * MB,
  maxDownloadBytes: 20 * MB,
  callbackQueryTtlMs: 60_000,
  rateLimit: true,
  perChatPerSecond: 1,
  perChatBurst: 10,
  perGroupPerMinute: 20,
  globalPerSecond: 30,
  globalBurst: 30,
  maxPollTimeoutSeconds: 50,
};

/** A classic token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.updatedAtMs = nowMs;
  }

  /** Seconds until one token is available (0 when one is available now). */
  waitSeconds(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) return 0;
    return (1 - this.tokens) / this.ratePerSecond;
  }

  take(nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= 1;
  }

  private refill(nowMs: number): void {
    const elapsedS = Math.max(0, nowMs - this.updatedAtMs) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedS * this.ratePerSecond);
    this.updatedAtMs = nowMs;
  }
}

/** Per-chat and global flood control. `consume` throws Telegram's 429 with retry_after. */
export class FloodControl {
  private readonly chats = new Map<number, TokenBucket>();
  private readonly global: TokenBucket;

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new TokenBucket(limits.globalBurst, limits.globalPerSecond, now());
  }

  /** Takes one token for `chatId` (a negative id is a group) or throws 429 without taking any. */
  consume(chatId: number): void {
    if (!this.limits.rateLimit) return;
    const nowMs = this.now();
    const chat = this.bucketFor(chatId, nowMs);
    const waitS = Math.max(chat.waitSeconds(nowMs), this.global.waitSeconds(nowMs));
    if (waitS > 0) throw tooManyRequests(Math.max(1, Math.ceil(waitS)));
    chat.take(nowMs);
    this.global.take(nowMs);
  }

  private bucketFor(chatId: number, nowMs: number): TokenBucket {
    let bucket = this.chats.get(chatId);
    if (!bucket) {
      bucket =
        chatId < 0
          ? new TokenBucket(this.limits.perGroupPerMinute, this.limits.perGroupPerMinute / 60, nowMs)
          : new TokenBucket(this.limits.perChatBurst, this.limits.perChatPerSecond, nowMs);
      this.chats.set(chatId, bucket);
    }
    return bucket;
  }
}
