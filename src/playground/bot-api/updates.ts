/**
 * The update queue behind getUpdates (https://core.telegram.org/bots/api#getupdates): updates stay until
 * a later call confirms them with `offset`, so a bot that dies before confirming gets them again; a call
 * with `timeout` parks until an update arrives; a second concurrent call ends the first with 409.
 */
import { conflictOtherGetUpdates, type TelegramApiError } from "./api-error.js";
import type { TgUpdate } from "./types.js";

/** Types delivered when allowed_updates is empty or was never set. */
const EXCLUDED_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export interface GetUpdatesRequest {
  offset?: number;
  limit?: number;
  timeoutSeconds?: number;
  allowedUpdates?: string[];
  /** Aborted when the client goes away (bot killed or polling stopped). */
  signal?: AbortSignal;
}

interface Waiter {
  limit: number;
  resolve: (updates: TgUpdate[]) => void;
  reject: (error: TelegramApiError) => void;
  cleanup: () => void;
}

export type UpdateContent = Omit<TgUpdate, "update_id">;

export class UpdateQueue {
  private pending: TgUpdate[] = [];
  private allowed: Set<string> | null = null;
  private waiter: Waiter | null = null;
  private wakeScheduled = false;
  private readonly pendingListeners: Array<() => void> = [];

  constructor(private nextId = 1) {}

  /** Queues an update unless the bot's allowed_updates excludes its type; returns it with its id. */
  push(content: UpdateContent): TgUpdate | undefined {
    const type = Object.keys(content)[0];
    const allowed = this.allowed ? this.allowed.has(type) : !EXCLUDED_BY_DEFAULT.has(type);
    if (!allowed) return undefined;
    const update = { update_id: this.nextId++, ...content } as TgUpdate;
    this.pending.push(update);
    this.scheduleWake();
    return structuredClone(update);
  }

  /** Whether a getUpdates long poll is parked here, waiting for an update. */
  hasParkedPoll(): boolean {
    return this.waiter !== null;
  }

  /** Answers a getUpdates call, parking it when nothing is pending and a timeout was given. */
  getUpdates(request: GetUpdatesRequest): Promise<TgUpdate[]> {
    if (request.allowedUpdates) this.setAllowed(request.allowedUpdates);
    if (request.offset !== undefined) this.confirm(request.offset);
    const limit = Math.min(100, Math.max(1, request.limit ?? 100));
    if (this.waiter) {
      const previous = this.waiter;
      this.waiter = null;
      previous.cleanup();
      previous.reject(conflictOtherGetUpdates());
    }
    const timeoutS = Math.max(0, request.timeoutSeconds ?? 0);
    if (this.pending.length > 0 || timeoutS === 0) return Promise.resolve(this.take(limit));
    return this.park(limit, timeoutS, request.signal);
  }

  /** Drops every update before `offset`; a negative offset keeps only the last -offset updates. */
  confirm(offset: number): void {
    if (offset < 0) this.pending = this.pending.slice(offset);
    else this.pending = this.pending.filter((u) => u.update_id >= offset);
  }

  dropPending(): void {
    this.pending = [];
  }

  /** allowed_updates of getUpdates or setWebhook; an empty list restores the default. */
  setAllowed(types: string[]): void {
    this.allowed = types.length > 0 ? new Set(types) : null;
  }

  /** Every pending update, oldest first (webhook delivery reads them without confirming). */
  peekAll(): TgUpdate[] {
    return structuredClone(this.pending);
  }

  /** Confirms one update (a webhook answered 2xx for it). */
  remove(updateId: number): void {
    this.pending = this.pending.filter((u) => u.update_id !== updateId);
  }

  /** Called (once per tick) when updates are pending: webhook delivery listens. */
  onPending(listener: () => void): void {
    this.pendingListeners.push(listener);
  }

  pendingCount(): number {
    return this.pending.length;
  }

  /** The next update id; persisted so ids keep growing across playground restarts. */
  get nextUpdateId(): number {
    return this.nextId;
  }

  /** Pending updates, for persistence. */
  snapshot(): { nextId: number; pending: TgUpdate[]; allowed: string[] | null } {
    return {
      nextId: this.nextId,
      pending: structuredClone(this.pending),
      allowed: this.allowed && [...this.allowed],
    };
  }

  restore(state: { nextId: number; pending: TgUpdate[]; allowed: string[] | null }): void {
    this.nextId = state.nextId;
    this.pending = state.pending;
    this.allowed = state.allowed ? new Set(state.allowed) : null;
  }

  /** Releases a parked call with no updates (server shutdown). */
  close(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.cleanup();
    waiter?.resolve([]);
  }

  private take(limit: number): TgUpdate[] {
    return structuredClone(this.pending.slice(0, limit));
  }

  private park(limit: number, timeoutS: number, signal?: AbortSignal): Promise<TgUpdate[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.finish(waiter, []), timeoutS * 1000);
      const onAbort = () => this.finish(waiter, []);
      const waiter: Waiter = {
        limit,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      signal?.addEventListener("abort", onAbort);
      this.waiter = waiter;
    });
  }

  private finish(waiter: Waiter, updates: TgUpdate[]): void {
    if (this.waiter === waiter) this.waiter = null;
    waiter.cleanup();
    waiter.resolve(updates);
  }

  /** Wakes the parked call once per tick, so updates pushed together arrive together. */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const waiter = this.waiter;
      if (waiter && this.pending.length > 0) this.finish(waiter, this.take(waiter.limit));
      if (this.pending.length > 0) for (const listener of this.pendingListeners) listener();
    });
  }
}
