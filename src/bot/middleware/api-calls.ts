/**
 * An API transformer (installed inside auto-retry, so every attempt passes through it): counts Bot API calls
 * and 429s for /metrics, and logs failed calls. grammY's error texts can carry the request URL, which holds
 * the token, so everything logged goes through scrubSecrets.
 */
import type { Transformer } from "grammy";
import { type Logger, scrubSecrets } from "../../logger.js";
import type { BotMetrics } from "../metrics.js";

export function observeApiCalls(metrics: BotMetrics, logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (result.ok) {
        metrics.apiCalls.inc({ method, outcome: "ok" });
        return result;
      }
      metrics.apiCalls.inc({ method, outcome: String(result.error_code) });
      const details = {
        method,
        error_code: result.error_code,
        description: scrubSecrets(result.description),
        retry_after: result.parameters?.retry_after,
      };
      if (result.error_code === 429) {
        metrics.apiRateLimited.inc({ method });
        logger.info(details, "Telegram asked us to slow down");
      } else logger.warn(details, "Telegram API call failed");
      return result;
    } catch (error) {
      metrics.apiCalls.inc({ method, outcome: "network" });
      // Stopping aborts the pending getUpdates: expected, not a failure.
      if (!signal?.aborted) {
        logger.warn({ method, err: scrubSecrets(String(error)) }, "Telegram API call did not complete");
      }
      throw error;
    }
  };
}
