/**
 * The one place RunPod GraphQL requests go out (STYLE.md R17; facts in runpod-api.md §1). It sets a
 * timeout, passes the caller's AbortSignal through, reads `errors` even on HTTP 200, copes with HTML error
 * pages on 429/5xx, and maps 401/403 to InvalidCredentialError. Transient failures are AppErrors marked
 * `retryable` (see ../retry.ts); deciding whether to retry stays with the caller, because a create that
 * failed may still have created a pod (runpod-api.md §7). Messages never contain the key.
 */
import { AppError, InvalidCredentialError } from "../../errors.js";
import { transientDetails } from "../retry.js";
import type { RunPodApiSettings } from "./config.js";

export interface GraphqlErrorEntry {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface RunPodRequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
}

export interface RunPodAccount {
  id: string;
  email?: string | null;
  clientBalance?: number | null;
  currentSpendPerHr?: number | null;
  spendLimit?: number | null;
}

const MAX_MESSAGE_LENGTH = 300;
/** runpod-api.md §1: a resolver blip; transient, never "no account". */
const INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR";

export const MYSELF_QUERY = "query Myself { myself { id email clientBalance currentSpendPerHr spendLimit } }";

function failure(message: string, details: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError(message, { provider: "runpod", ...details }, { cause });
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

function retryAfterSeconds(header: string | null): number | undefined {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export class RunPodGraphqlClient {
  constructor(
    private readonly settings: RunPodApiSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends one GraphQL document and returns its `data`, or throws (see the file comment). */
  async request<T>(
    query: string,
    variables?: Record<string, unknown>,
    options: RunPodRequestOptions = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const response = await this.send(query, variables, timeoutMs, options.signal);
    const body = await this.readBody(response, timeoutMs, options.signal);
    const errors = Array.isArray(body?.errors) ? (body.errors as GraphqlErrorEntry[]) : [];
    if (errors.length > 0 || !response.ok) throw this.errorFor(response, errors, body === undefined);
    if (body === undefined || body.data === undefined) {
      throw failure("RunPod API answered without data.", { status: response.status, ...transientDetails() });
    }
    return body.data as T;
  }

  /** The account behind the key: the cheapest real call, used as the health probe. */
  async myself(options?: RunPodRequestOptions): Promise<RunPodAccount> {
    const data = await this.request<{ myself: RunPodAccount | null }>(MYSELF_QUERY, undefined, options);
    if (!data.myself) {
      throw failure(
        "RunPod returned no account (myself: null), usually a passing glitch.",
        transientDetails(),
      );
    }
    return data.myself;
  }

  private async send(
    query: string,
    variables: Record<string, unknown> | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    try {
      return await this.fetchImpl(this.settings.apiUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.settings.apiKey}` },
        body: JSON.stringify(variables ? { query, variables } : { query }),
        signal: combine(signal, timeoutMs),
      });
    } catch (error) {
      throw this.transportError(error, timeoutMs, signal);
    }
  }

  private async readBody(
    response: Response,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ data?: unknown; errors?: unknown } | undefined> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.transportError(error, timeoutMs, signal);
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      return parsed !== null && typeof parsed === "object" ? parsed : undefined;
    } catch {
      return undefined; // an HTML error page from the edge, or an empty body
    }
  }

  private transportError(error: unknown, timeoutMs: number, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason ?? error;
    if ((error as { name?: string }).name === "TimeoutError") {
      return failure(`RunPod API did not answer within ${timeoutMs / 1000} s.`, transientDetails(), error);
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    const reason = cause?.code ?? (error as Error).message ?? "network error";
    return failure(`RunPod API unreachable (${reason}).`, transientDetails(), error);
  }

  private errorFor(response: Response, errors: GraphqlErrorEntry[], unparsable: boolean): Error {
    const status = response.status;
    if (status === 401 || status === 403) {
      return new InvalidCredentialError(`RunPod rejected the API key (HTTP ${status}).`, {
        provider: "runpod",
        status,
      });
    }
    const graphqlErrors = errors.map((e) => ({
      message: clip(String(e.message)),
      path: e.path,
      code: e.extensions?.code,
    }));
    if (status === 429 || status >= 500) {
      const page = unparsable ? ", HTML or empty body" : "";
      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      return failure(`RunPod API error (HTTP ${status}${page}).`, {
        status,
        graphqlErrors,
        ...transientDetails(retryAfter),
      });
    }
    if (graphqlErrors.length === 0) {
      return failure(`RunPod API error (HTTP ${status}).`, { status });
    }
    const internal = graphqlErrors.some((e) => e.code === INTERNAL_ERROR_CODE);
    return failure(`RunPod API error: ${graphqlErrors[0].message}`, {
      status,
      graphqlErrors,
      ...(internal ? transientDetails() : { retryable: false }),
    });
  }
}

function combine(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
