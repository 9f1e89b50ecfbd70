/**
 * The one place RunPod GraphQL requests go out (STYLE.md R17; facts in runpod-api.md §1): one graphql-request
 * `GraphQLClient`. Its request middleware adds the key and the request's deadline; this file maps what comes
 * back (a `ClientError` for GraphQL errors, even on HTTP 200, and for HTTP errors, HTML pages on 429/5xx
 * included; a fetch failure or a timeout otherwise) to our errors: 401/403 → InvalidCredentialError,
 * transient failures → AppErrors marked `retryable` (see ../retry.ts). Deciding whether to retry stays with
 * the caller, because a create that failed may still have created a pod (runpod-api.md §7). Messages never
 * contain the key, and the ClientError (which quotes the request) is never kept as a cause.
 */
import {
  ClientError,
  GraphQLClient,
  type RequestMiddleware,
  type TypedDocumentString,
} from "graphql-request";
import { AppError, InvalidCredentialError } from "../../errors.js";
import { transientDetails } from "../retry.js";
import type { RunPodApiSettings } from "./config.js";

export interface GraphqlErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: unknown; [key: string]: unknown };
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

/** A GraphQL document that carries its result and variables types (graphql-request infers both). */
export type RunPodDocument<Result, Vars extends object = Record<string, never>> = TypedDocumentString<
  Result,
  Vars
>;

/** Types a document written as text; the text goes on the wire as is. */
export function runpodDocument<Result, Vars extends object = Record<string, never>>(
  text: string,
): RunPodDocument<Result, Vars> {
  return text as unknown as RunPodDocument<Result, Vars>;
}

const MAX_MESSAGE_LENGTH = 300;
/** runpod-api.md §1: a resolver blip; transient, never "no account". */
const INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR";
/** Carries a request's deadline from `request` to the middleware; removed before the request goes out. */
const DEADLINE_HEADER = "x-sma-deadline-ms";

export const MYSELF_QUERY = runpodDocument<{ myself: RunPodAccount | null }>(
  "query Myself { myself { id email clientBalance currentSpendPerHr spendLimit } }",
);

function failure(message: string, details: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError(message, { provider: "runpod", ...details }, { cause });
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

function retryAfterSeconds(header: string | null | undefined): number | undefined {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Auth and timeouts for every request: the key as a Bearer header, and a deadline (the one `request` asked
 * for, else the client's) joined to the caller's AbortSignal.
 */
export function authAndDeadline(apiKey: string, defaultTimeoutMs: number): RequestMiddleware {
  return (request) => {
    const headers = new Headers(request.headers);
    const timeoutMs = Number(headers.get(DEADLINE_HEADER)) || defaultTimeoutMs;
    headers.delete(DEADLINE_HEADER);
    headers.set("authorization", `Bearer ${apiKey}`);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    return { ...request, headers, signal };
  };
}

export class RunPodGraphqlClient {
  private readonly graphql: GraphQLClient;

  constructor(
    private readonly settings: RunPodApiSettings,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.graphql = new GraphQLClient(settings.apiUrl, {
      fetch: fetchImpl,
      requestMiddleware: authAndDeadline(settings.apiKey, settings.timeoutMs),
    });
  }

  /** Sends one GraphQL document and returns its `data`, or throws (see the file comment). */
  async request<Result, Vars extends object = Record<string, unknown>>(
    document: RunPodDocument<Result, Vars> | string,
    variables?: Vars,
    options: RunPodRequestOptions = {},
  ): Promise<Result> {
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    let data: Result | undefined;
    try {
      data = await this.graphql.request<Result>({
        document: document as string,
        variables: variables as Record<string, unknown> | undefined,
        requestHeaders: { [DEADLINE_HEADER]: String(timeoutMs) },
        signal: options.signal,
      });
    } catch (error) {
      throw mapError(error, timeoutMs, options.signal);
    }
    if (data === undefined || data === null) {
      throw failure("RunPod API answered without data.", { status: 200, ...transientDetails() });
    }
    return data;
  }

  /** The account behind the key: the cheapest real call, used as the health probe. */
  async myself(options?: RunPodRequestOptions): Promise<RunPodAccount> {
    const data = await this.request(MYSELF_QUERY, undefined, options);
    if (!data.myself) {
      throw failure(
        "RunPod returned no account (myself: null), usually a passing glitch.",
        transientDetails(),
      );
    }
    return data.myself;
  }
}

/** Everything graphql-request or fetch can throw, as our errors (the caller's own abort passes through). */
function mapError(error: unknown, timeoutMs: number, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ClientError) return clientErrorFor(error);
  const name = (error as { name?: string }).name;
  if (name === "TimeoutError") {
    return failure(`RunPod API did not answer within ${timeoutMs / 1000} s.`, transientDetails());
  }
  if (name === "SyntaxError" || /Invalid execution result/.test((error as Error).message ?? "")) {
    // HTTP 200 with a body that is not a GraphQL answer (an edge page, an empty body)
    return failure("RunPod API answered without data.", { status: 200, ...transientDetails() });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const reason = cause?.code ?? (error as Error).message ?? "network error";
  return failure(`RunPod API unreachable (${reason}).`, transientDetails());
}

/** A ClientError: the server answered, with GraphQL errors (any status) or an HTTP error (maybe a page). */
function clientErrorFor(error: ClientError): AppError {
  const { response } = error;
  const status = response.status;
  if (status === 401 || status === 403) {
    return new InvalidCredentialError(`RunPod rejected the API key (HTTP ${status}).`, {
      provider: "runpod",
      status,
    });
  }
  const errors = (response.errors ?? []) as unknown as GraphqlErrorEntry[];
  const graphqlErrors = errors.map((e) => ({
    message: clip(String(e.message)),
    path: e.path,
    code: e.extensions?.code,
  }));
  if (status === 429 || status >= 500) {
    // graphql-request only sets data/errors when the body parsed as a GraphQL answer
    const page = "data" in response || "errors" in response ? "" : ", HTML or empty body";
    const retryAfter = retryAfterSeconds(response.headers?.get("retry-after"));
    return failure(`RunPod API error (HTTP ${status}${page}).`, {
      status,
      graphqlErrors,
      ...transientDetails(retryAfter),
    });
  }
  if (graphqlErrors.length === 0) return failure(`RunPod API error (HTTP ${status}).`, { status });
  const internal = graphqlErrors.some((e) => e.code === INTERNAL_ERROR_CODE);
  return failure(`RunPod API error: ${graphqlErrors[0].message}`, {
    status,
    graphqlErrors,
    ...(internal ? transientDetails() : { retryable: false }),
  });
}
