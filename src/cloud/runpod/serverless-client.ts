/**
 * The one request function of the RunPod Serverless REST API (runpod-api.md §4; STYLE R17): Bearer key, an
 * explicit timeout, the caller's AbortSignal, HTML error pages on 429/5xx as transient errors, 401/403 as
 * InvalidCredentialError, and 404 returned as a value (after retention or TTL a job id is simply gone).
 * Messages never contain the key.
 */
import { AppError, InvalidCredentialError } from "../../errors.js";
import { transientDetails } from "../retry.js";

export interface ServerlessClientSettings {
  /** RUNPOD_SERVERLESS_URL, e.g. https://api.runpod.ai/v2 */
  baseUrl: string;
  endpointId: string;
  apiKey: string;
  timeoutMs: number;
}

/** A job's status object as /run, /runsync and /status return it. */
export interface ServerlessJobStatus {
  id: string;
  status: "IN_QUEUE" | "IN_PROGRESS" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED" | "TIMED_OUT";
  delayTime?: number;
  executionTime?: number;
  output?: unknown;
  error?: unknown;
  workerId?: string;
}

export type ServerlessAnswer<T> = { found: true; body: T } | { found: false };

export class RunPodServerlessClient {
  constructor(
    private readonly settings: ServerlessClientSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async request<T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<ServerlessAnswer<T>> {
    const url = `${this.settings.baseUrl.replace(/\/$/, "")}/${this.settings.endpointId}/${path}`;
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${this.settings.apiKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      const what =
        (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : "unreachable";
      throw new AppError(
        `RunPod Serverless ${what}.`,
        { provider: "runpod", ...transientDetails() },
        { cause: error },
      );
    }
    return this.answer<T>(response, text, path);
  }

  private answer<T>(response: Response, text: string, path: string): ServerlessAnswer<T> {
    const status = response.status;
    if (status === 404) return { found: false };
    if (status === 401 || status === 403) {
      throw new InvalidCredentialError(`RunPod Serverless rejected the API key (HTTP ${status}).`, {
        provider: "runpod",
        status,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // an HTML page from the edge
    }
    if (status === 429 || status >= 500 || (response.ok && parsed === undefined)) {
      const after = Number(response.headers.get("retry-after"));
      return this.fail(
        `RunPod Serverless error (HTTP ${status}${parsed === undefined ? ", not JSON" : ""}).`,
        {
          status,
          ...transientDetails(Number.isFinite(after) && after > 0 ? after : undefined),
        },
      );
    }
    if (!response.ok) {
      const message =
        (parsed as { error?: string; message?: string })?.error ?? (parsed as { message?: string })?.message;
      return this.fail(
        `RunPod Serverless refused ${path.split("/")[0]}: ${String(message ?? `HTTP ${status}`).slice(0, 200)}`,
        {
          status,
          retryable: false,
        },
      );
    }
    return { found: true, body: parsed as T };
  }

  private fail(message: string, details: Record<string, unknown>): never {
    throw new AppError(message, { provider: "runpod", ...details });
  }
}
