/**
 * The pod operations we use, over the one GraphQL client (client.ts), with typed documents (pod-requests.ts). Reads and terminate are
 * retried on transient errors (5xx pages, `myself: null`, INTERNAL_SERVER_ERROR) with the one retry policy;
 * a create is never retried here, because a failed create may still have made a pod (runpod-api.md §7):
 * the caller looks the pod up by name first.
 */
import { AppError, RetryLaterError } from "../../errors.js";
import { transientDetails, withRetry } from "../retry.js";
import type { RunPodDocument, RunPodGraphqlClient } from "./client.js";
import {
  CREATE_ON_DEMAND_MUTATION,
  CREATE_SPOT_MUTATION,
  DATA_CENTERS_QUERY,
  type DataCenter,
  GPU_TYPES_QUERY,
  type GpuType,
  isNotFoundMessage,
  isPodGone,
  LIST_PODS_QUERY,
  POD_QUERY,
  type Pod,
  TERMINATE_MUTATION,
} from "./pod-requests.js";

export interface PodApiOptions {
  /** Budget for one read, retries included. Default 20 s. */
  readDeadlineMs?: number;
  /** Between checks while confirming a termination. Default 2 s. */
  confirmPollMs?: number;
  /** How long a termination may take to be confirmed before RetryLaterError. Default 60 s. */
  confirmTimeoutMs?: number;
  /** Per create request; a create that takes longer is treated as "maybe created". Default 60 s. */
  createTimeoutMs?: number;
}

export class RunPodPodApi {
  private readonly o: Required<PodApiOptions>;

  constructor(
    private readonly client: RunPodGraphqlClient,
    options: PodApiOptions = {},
  ) {
    this.o = {
      readDeadlineMs: options.readDeadlineMs ?? 20_000,
      confirmPollMs: options.confirmPollMs ?? 2_000,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 60_000,
      createTimeoutMs: options.createTimeoutMs ?? 60_000,
    };
  }

  private read<Result, Vars extends object>(
    document: RunPodDocument<Result, Vars>,
    variables: Vars | undefined,
    signal?: AbortSignal,
  ): Promise<Result> {
    return withRetry(
      (_attempt, remainingMs) =>
        this.client.request(document, variables, { signal, timeoutMs: Math.max(1, remainingMs) }),
      { deadlineMs: this.o.readDeadlineMs, signal, maxDelayMs: 2_000 },
    );
  }

  /** Every pod of the account. `myself: null` is a passing glitch, retried, never "no pods". */
  async listPods(signal?: AbortSignal): Promise<Pod[]> {
    const data = await withRetry(
      async (_attempt, remainingMs) => {
        const d = await this.client.request(LIST_PODS_QUERY, undefined, {
          signal,
          timeoutMs: Math.max(1, remainingMs),
        });
        if (!d.myself)
          throw new AppError("RunPod returned myself: null.", { provider: "runpod", ...transientDetails() });
        return d.myself;
      },
      { deadlineMs: this.o.readDeadlineMs, signal, maxDelayMs: 2_000 },
    );
    return data.pods ?? [];
  }

  /** The live pod with this name (newest if several), or undefined. */
  async findByName(name: string, signal?: AbortSignal): Promise<Pod | undefined> {
    const pods = (await this.listPods(signal)).filter((p) => p.name === name && !isPodGone(p));
    return pods.sort((a, b) => String(b.createdAt ?? "").localeCompare(String(a.createdAt ?? "")))[0];
  }

  /** The pod, or null when RunPod no longer knows it (terminated pods disappear). */
  async getPod(podId: string, signal?: AbortSignal): Promise<Pod | null> {
    const data = await this.read(POD_QUERY, { podId }, signal);
    return data.pod;
  }

  /** One create request; throws whatever the client throws (the caller classifies). */
  async create(input: Record<string, unknown>, spot: boolean, signal?: AbortSignal): Promise<Pod> {
    const options = { signal, timeoutMs: this.o.createTimeoutMs };
    const pod = spot
      ? (await this.client.request(CREATE_SPOT_MUTATION, { input }, options)).podRentInterruptable
      : (await this.client.request(CREATE_ON_DEMAND_MUTATION, { input }, options)).podFindAndDeployOnDemand;
    if (!pod?.id)
      throw new AppError("RunPod answered the create without a pod.", {
        provider: "runpod",
        ...transientDetails(),
      });
    return pod;
  }

  /** Data centers with the stock of each GPU type there (runpod-api.md §2 "Other useful queries"). */
  async dataCenters(signal?: AbortSignal): Promise<DataCenter[]> {
    const data = await this.read(DATA_CENTERS_QUERY, undefined, signal);
    return data.dataCenters ?? [];
  }

  async gpuTypes(signal?: AbortSignal): Promise<GpuType[]> {
    const data = await this.read(GPU_TYPES_QUERY, undefined, signal);
    return (data.gpuTypes ?? []).filter((g) => g.id !== "unknown"); // the catalog's sentinel entry
  }

  /** podTerminate (null data means success), then waits until the pod is gone. "Not found" is done. */
  async terminate(podId: string): Promise<void> {
    try {
      await this.read(TERMINATE_MUTATION, { podId });
    } catch (error) {
      if (!(error instanceof AppError && isNotFoundMessage(error.message))) throw error;
      return;
    }
    const until = Date.now() + this.o.confirmTimeoutMs;
    for (;;) {
      if (isPodGone(await this.getPod(podId))) return;
      if (Date.now() >= until)
        throw new RetryLaterError("RunPod has not confirmed the termination yet.", { podId });
      await new Promise((resolve) => setTimeout(resolve, this.o.confirmPollMs));
    }
  }
}
