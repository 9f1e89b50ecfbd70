/**
 * Layer 4 of "nothing is left billing" (DESIGN.md): on start-up and every few minutes, list the compute each
 * provider holds under our tag or name prefix, and terminate whatever no active job owns: orphans of a bot
 * that crashed mid-launch, of a create call that timed out after the provider had created the pod, of a job
 * whose workflow was deleted. Each termination is logged, and recorded only after the provider confirms it.
 */
import type { Logger } from "pino";
import { describeFailure } from "./health.js";
import type { ProviderName } from "./provider-interface.js";

/** A machine we created, as the provider lists it. */
export interface OwnedCompute {
  provider: ProviderName;
  /** Instance id, pod id. */
  resourceId: string;
  /** From the tag or the name; undefined if the name carries none (then it is an orphan by definition). */
  jobId?: string;
  name?: string;
  /** When it was created, if the provider says. */
  launchedAt?: string;
}

/** The capability the reconciler needs: EC2Manager and RunPodPodManager have it. */
export interface ReconcilableCompute {
  readonly provider: ProviderName;
  /** Every machine of ours that still exists and may bill. */
  listOwnedCompute(signal?: AbortSignal): Promise<OwnedCompute[]>;
  /** Terminates one machine and resolves once the provider confirms ("not found" counts as done). */
  terminateResource(resourceId: string): Promise<void>;
}

export function isReconcilable(value: unknown): value is ReconcilableCompute {
  const v = value as Partial<ReconcilableCompute> | undefined;
  return typeof v?.listOwnedCompute === "function" && typeof v?.terminateResource === "function";
}

export interface ReconcileReport {
  checked: number;
  terminated: OwnedCompute[];
  failed: Array<{ compute: OwnedCompute; reason: string }>;
  /** Providers whose listing failed this round (tried again next round). */
  unreachable: Array<{ provider: ProviderName; reason: string }>;
}

export interface ReconcilerOptions {
  targets: ReconcilableCompute[];
  /** Job ids of every workflow that may still own compute (launching, running, terminating). */
  activeJobIds: () => Promise<Set<string>>;
  logger: Logger;
  /** Between rounds; default 5 minutes. */
  intervalMs?: number;
  /**
   * Machines younger than this are left alone: a launch may have created one before its workflow saved the
   * job id. Default 2 minutes.
   */
  graceMs?: number;
  now?: () => Date;
  /** Called once per confirmed termination (for an audit log or a metric). */
  onTerminated?: (compute: OwnedCompute) => void | Promise<void>;
}

export const DEFAULT_RECONCILE_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_RECONCILE_GRACE_MS = 2 * 60_000;

export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport>;
  /** The last finished round, in words, for operators (/admin). */
  lastReport?: { at: string; checked: number; terminated: string[]; errors: string[] };

  constructor(private readonly options: ReconcilerOptions) {}

  /** One round now, then one every interval. Rounds never overlap. */
  start(): Promise<ReconcileReport> {
    const first = this.runOnce();
    this.timer = setInterval(() => {
      void this.runOnce().catch(() => undefined);
    }, this.options.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS);
    this.timer.unref();
    return first;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One round: list, compare with the active jobs, terminate the orphans. */
  runOnce(): Promise<ReconcileReport> {
    if (!this.running) {
      this.running = this.round()
        .then((report) => {
          this.lastReport = summarize(report, (this.options.now ?? (() => new Date()))());
          return report;
        })
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  private async round(): Promise<ReconcileReport> {
    const { logger } = this.options;
    const report: ReconcileReport = { checked: 0, terminated: [], failed: [], unreachable: [] };
    // Listing first, active jobs second: a job that starts in between is then seen as active.
    const listed = await Promise.all(
      this.options.targets.map(async (target) => {
        try {
          return { target, computes: await target.listOwnedCompute() };
        } catch (error) {
          report.unreachable.push({ provider: target.provider, reason: describeFailure(error) });
          logger.warn(
            { provider: target.provider, err: describeFailure(error) },
            "reconciler: listing failed",
          );
          return { target, computes: [] as OwnedCompute[] };
        }
      }),
    );
    const active = await this.options.activeJobIds();
    for (const { target, computes } of listed) {
      for (const compute of computes) {
        report.checked++;
        if (!this.isOrphan(compute, active)) continue;
        await this.terminate(target, compute, report);
      }
    }
    if (report.terminated.length || report.failed.length) {
      logger.info(
        { terminated: report.terminated.length, failed: report.failed.length, checked: report.checked },
        "reconciler round done",
      );
    }
    return report;
  }

  private isOrphan(compute: OwnedCompute, active: Set<string>): boolean {
    if (compute.jobId && active.has(compute.jobId)) return false;
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const grace = this.options.graceMs ?? DEFAULT_RECONCILE_GRACE_MS;
    const launched = compute.launchedAt ? Date.parse(compute.launchedAt) : Number.NaN;
    return !(Number.isFinite(launched) && now - launched < grace);
  }

  private async terminate(target: ReconcilableCompute, compute: OwnedCompute, report: ReconcileReport) {
    const { logger } = this.options;
    const fields = { provider: compute.provider, resourceId: compute.resourceId, jobId: compute.jobId };
    logger.warn({ ...fields, name: compute.name }, "reconciler: terminating compute that no active job owns");
    try {
      await target.terminateResource(compute.resourceId);
    } catch (error) {
      report.failed.push({ compute, reason: describeFailure(error) });
      logger.error({ ...fields, err: describeFailure(error) }, "reconciler: termination not confirmed");
      return;
    }
    report.terminated.push(compute);
    logger.info(fields, "reconciler: termination confirmed");
    await this.options.onTerminated?.(compute);
  }
}

function summarize(report: ReconcileReport, at: Date) {
  const name = (c: OwnedCompute) => `${c.provider} ${c.resourceId}${c.jobId ? ` (job ${c.jobId})` : ""}`;
  return {
    at: at.toISOString(),
    checked: report.checked,
    terminated: report.terminated.map(name),
    errors: [
      ...report.failed.map((f) => `${name(f.compute)}: ${f.reason}`),
      ...report.unreachable.map((u) => `${u.provider}: ${u.reason}`),
    ],
  };
}
