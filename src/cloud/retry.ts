/**
 * One retry policy for every provider call (STYLE.md R18). Errors are classified once: network errors, 5xx
 * and throttling are retried with capped, jittered exponential backoff; a server's Retry-After is honoured;
 * credential, validation and not-found errors are rethrown at once. Every retry loop has a deadline and
 * never sleeps past it. Callers retry only idempotent operations (reads, lookups, terminate), never a create.
 */
import { AppError } from "../errors.js";

export type RetryDecision = { action: "retry" } | { action: "wait"; waitMs: number } | { action: "stop" };

export const DEFAULT_INITIAL_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 5_000;

/** Node and undici error codes of a connection that failed or dropped. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
/** AWS SDK error names that mean "try again later". */
const TRANSIENT_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ThrottlingException",
  "Throttling",
  "SlowDown",
  "TooManyRequestsException",
  "InternalError",
  "ServiceUnavailable",
]);

/** Details that mark an AppError as transient; they survive serialization across processes. */
export function transientDetails(retryAfterSeconds?: number): {
  retryable: true;
  retryAfterSeconds?: number;
} {
  return retryAfterSeconds === undefined ? { retryable: true } : { retryable: true, retryAfterSeconds };
}

function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function classifyError(error: unknown): RetryDecision {
  if (error === null || typeof error !== "object") return { action: "stop" };
  const e = error as {
    name?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.name === "AbortError") return { action: "stop" };
  if (error instanceof AppError) {
    if (error.details.retryable !== true) return { action: "stop" };
    const after = Number(error.details.retryAfterSeconds);
    return Number.isFinite(after) && after > 0
      ? { action: "wait", waitMs: after * 1000 }
      : { action: "retry" };
  }
  const status = e.$metadata?.httpStatusCode;
  if (e.$retryable || status === 429 || (status !== undefined && status >= 500)) return { action: "retry" };
  if (e.name && TRANSIENT_NAMES.has(e.name)) return { action: "retry" };
  return networkCode(error) ? { action: "retry" } : { action: "stop" };
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface RetryOptions {
  /** Total time budget from the first attempt; no sleep runs past it. */
  deadlineMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  clock?: Clock;
  /** [0, 1); injected for tests. */
  random?: () => number;
}

/**
 * Runs `operation` until it succeeds, a non-retryable error occurs, the attempts run out, or the next wait
 * would end past the deadline; then rethrows the last error. `operation` gets the attempt number (from 1)
 * and the milliseconds left, to bound its own request.
 */
export async function withRetry<T>(
  operation: (attempt: number, remainingMs: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const initial = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const endsAt = clock.now() + options.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt, Math.max(0, endsAt - clock.now()));
    } catch (error) {
      const decision = classifyError(error);
      if (decision.action === "stop" || options.signal?.aborted) throw error;
      if (attempt >= (options.maxAttempts ?? Number.POSITIVE_INFINITY)) throw error;
      // Full jitter: spreads retries from many callers instead of synchronising them.
      const backoffMs = Math.floor(random() * Math.min(cap, initial * 2 ** (attempt - 1)));
      const delayMs = decision.action === "wait" ? decision.waitMs : backoffMs;
      if (clock.now() + delayMs >= endsAt) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await clock.sleep(delayMs, options.signal);
    }
  }
}
