/**
 * Webhook delivery (https://core.telegram.org/bots/api#setwebhook): while a webhook is set, every pending
 * update is POSTed to it as JSON with the `X-Telegram-Bot-Api-Secret-Token` header, at most
 * `max_connections` at a time. A 2xx answer confirms the update; anything else keeps it, records the error
 * for getWebhookInfo and retries with a growing delay, as Telegram does.
 */
import type { TgUpdate } from "./types.js";
import type { UpdateQueue } from "./updates.js";

export interface WebhookSettings {
  url: string;
  secretToken?: string;
  /** 1–100, Telegram's default 40. */
  maxConnections: number;
}

export interface WebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  max_connections?: number;
  last_error_date?: number;
  last_error_message?: string;
}

/** One request may take this long before it counts as failed (Telegram waits about a minute). */
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_RETRY_DELAY_MS = 30_000;

export class WebhookDelivery {
  private settings: WebhookSettings | null = null;
  private readonly inFlight = new Set<number>();
  private lastError: { date: number; message: string } | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private abort = new AbortController();

  constructor(
    private readonly updates: UpdateQueue,
    /** Delay before the first retry; doubles with each failure in a row. */
    private readonly retryBaseMs = 1000,
  ) {
    updates.onPending(() => this.pump());
  }

  get active(): boolean {
    return this.settings !== null;
  }

  set(settings: WebhookSettings): void {
    this.settings = settings;
    this.failures = 0;
    this.lastError = undefined;
    this.clearRetry();
    this.pump();
  }

  /** Removes the webhook; requests already sent are abandoned and their updates stay pending. */
  delete(): void {
    this.settings = null;
    this.clearRetry();
    this.abort.abort();
    this.abort = new AbortController();
  }

  info(): WebhookInfo {
    return {
      url: this.settings?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.updates.pendingCount(),
      ...(this.settings ? { max_connections: this.settings.maxConnections } : {}),
      ...(this.lastError
        ? { last_error_date: this.lastError.date, last_error_message: this.lastError.message }
        : {}),
    };
  }

  close(): void {
    this.delete();
  }

  private pump(): void {
    const settings = this.settings;
    if (!settings || this.retryTimer) return;
    for (const update of this.updates.peekAll()) {
      if (this.inFlight.size >= settings.maxConnections) break;
      if (!this.inFlight.has(update.update_id)) void this.deliver(settings, update);
    }
  }

  private async deliver(settings: WebhookSettings, update: TgUpdate): Promise<void> {
    this.inFlight.add(update.update_id);
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    let failure: string | undefined;
    try {
      const response = await fetch(settings.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(settings.secretToken ? { "x-telegram-bot-api-secret-token": settings.secretToken } : {}),
        },
        body: JSON.stringify(update),
        signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) this.updates.remove(update.update_id);
      else failure = `Wrong response from the webhook: ${response.status} ${response.statusText}`.trim();
    } catch (error) {
      failure = signal.aborted ? "Timeout expired" : `Connection failed: ${(error as Error).message}`;
    } finally {
      this.inFlight.delete(update.update_id);
    }
    if (this.settings !== settings) return;
    if (failure) this.scheduleRetry(failure);
    else {
      this.failures = 0;
      this.pump();
    }
  }

  private scheduleRetry(message: string): void {
    this.lastError = { date: Math.floor(Date.now() / 1000), message };
    this.failures++;
    if (this.retryTimer) return;
    const delayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryBaseMs * 2 ** (this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delayMs);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
