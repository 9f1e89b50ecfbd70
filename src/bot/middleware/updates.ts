/**
 * The first middleware: counts updates by type and tracks the handlers still running, so a graceful
 * shutdown can wait for them and then confirm the last update it handled.
 */
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context.js";
import type { BotMetrics } from "../metrics.js";

export class UpdateTracker {
  private running = 0;
  private highestId = 0;
  private readonly idleWaiters = new Set<() => void>();

  /** Updates being handled right now. */
  get inFlight(): number {
    return this.running;
  }

  /** The highest update_id this process has started handling (0 before the first one). */
  get highestUpdateId(): number {
    return this.highestId;
  }

  middleware(metrics?: BotMetrics): MiddlewareFn<BotContext> {
    return async (ctx, next) => {
      metrics?.updates.inc({ type: updateType(ctx.update) });
      this.running++;
      this.highestId = Math.max(this.highestId, ctx.update.update_id);
      try {
        await next();
      } finally {
        this.running--;
        if (this.running === 0) for (const wake of this.idleWaiters) wake();
      }
    };
  }

  /** Resolves true once no handler runs, or false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(wake);
    });
  }
}

function updateType(update: object): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}
