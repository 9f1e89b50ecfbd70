/** What every Bot API method handler receives. */
import type { FloodControl, Limits } from "../limits.js";
import type { Params } from "../params.js";
import type { Store } from "../store.js";
import type { UpdateQueue } from "../updates.js";
import type { WebhookDelivery } from "../webhook.js";

export interface MethodContext {
  params: Params;
  store: Store;
  updates: UpdateQueue;
  limits: Limits;
  flood: FloodControl;
  webhook: WebhookDelivery;
  /** Aborted when the HTTP client disconnects before the answer is written. */
  signal: AbortSignal;
}

/** A method returns its `result`; it throws TelegramApiError for an error answer. */
export type MethodHandler = (ctx: MethodContext) => unknown | Promise<unknown>;
