/**
 * Failure injection for the fake (the checklist at the end of runpod-api.md). Each fault is switched on per
 * test with `fake.inject(fault, times)`, and is used up as requests match it.
 */

/** Operations are named by the root field of the GraphQL document ("podFindAndDeployOnDemand", "myself" …). */
export type FakeFault =
  /** Create answers "There are no longer any instances available …" (optionally only for one GPU or cloud). */
  | { kind: "capacity"; gpuTypeId?: string; cloudType?: "SECURE" | "COMMUNITY" }
  /** HTTP 200 with errors[INTERNAL_SERVER_ERROR]; with `sideEffect` the operation happens anyway. */
  | { kind: "internal-error"; operation?: string; sideEffect?: boolean }
  /** A Cloudflare-style HTML 502 page. */
  | { kind: "html-502"; operation?: string }
  /** An HTML 429 page with Retry-After. */
  | { kind: "rate-limited"; operation?: string }
  /** `{"data":{"myself":null}}`. */
  | { kind: "myself-null" }
  /** The create succeeds on the server, but the answer never comes (the client times out). */
  | { kind: "create-timeout" }
  /** The next pod created stays RUNNING with `runtime: null` forever (stuck pull, crash loop). */
  | { kind: "runtime-never-appears" }
  /** The next spot pod is interrupted this long after its runtime appears. */
  | { kind: "spot-interruption"; afterMs: number }
  /** The next pod reaches its runtime, then its host fails this long after: the pod is gone, no result. */
  | { kind: "pod-dies"; afterMs: number }
  /** A pod's own podTerminate (with its pod-scoped key) fails with an internal error. */
  | { kind: "self-terminate-fails" }
  /** Serverless: the next job is deleted by its TTL this long after it is queued (then /status is 404). */
  | { kind: "job-ttl-expiry"; afterMs: number }
  /** Serverless: the next job sits IN_QUEUE; no worker gets it. */
  | { kind: "job-stuck-in-queue" }
  /** Serverless: no worker takes the next job, and it ends TIMED_OUT this long after it is queued. */
  | { kind: "job-times-out"; afterMs: number }
  /** Serverless: the next job ends COMPLETED without output (an oversized result, runpod-python #309). */
  | { kind: "job-completed-without-output" };

export class FaultQueue {
  private readonly entries: Array<{ fault: FakeFault; remaining: number }> = [];

  inject(fault: FakeFault, times = 1): void {
    this.entries.push({ fault, remaining: times });
  }

  clear(): void {
    this.entries.splice(0);
  }

  /** Uses up one matching fault of this kind, if any. */
  take<K extends FakeFault["kind"]>(
    kind: K,
    matches: (fault: Extract<FakeFault, { kind: K }>) => boolean = () => true,
  ): Extract<FakeFault, { kind: K }> | undefined {
    const index = this.entries.findIndex(
      (e) => e.fault.kind === kind && matches(e.fault as Extract<FakeFault, { kind: K }>),
    );
    if (index < 0) return undefined;
    const entry = this.entries[index];
    if (--entry.remaining <= 0) this.entries.splice(index, 1);
    return entry.fault as Extract<FakeFault, { kind: K }>;
  }
}
