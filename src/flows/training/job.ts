/**
 * Pure helpers of the training machine's job steps: the job fixed before launch, the offers that may stand in
 * for the chosen one, status merging, and the /history summary.
 */
import type { TrainingStatus } from "../../cloud/provider-interface.js";
import type { ComputeOffer } from "../ports.js";
import type { TrainingContext, TrainingJobState } from "./types.js";

/** The job is fixed before the launch actor starts: a re-run after a restart finds the same job. */
export function launchFields(
  context: TrainingContext,
  offer: NonNullable<TrainingContext["offer"]>,
): Partial<TrainingContext> {
  const launches = context.launches + 1;
  const jobId = `${context.workflowId}-t${launches}`;
  return {
    launches,
    error: undefined,
    notice: undefined,
    job: {
      jobId,
      modelId: `m-${jobId}`,
      provider: offer.provider,
      computeType: offer.computeType,
      hourlyRate: offer.hourlyRate,
      deadline: "",
      status: "launching",
      progress: 0,
      logTail: [],
      costSoFar: 0,
      runtimeSeconds: 0,
      attempts: [],
    },
  };
}

/**
 * Offers of the chosen one's provider that may stand in for it when it has no capacity: another machine, at
 * most twice the price. An on-demand choice never falls back to spot unless the user allowed it.
 */
function fallbacks(context: TrainingContext): ComputeOffer[] {
  const chosen = context.offer!;
  return (context.offers ?? []).filter(
    (o) =>
      !(o.computeType === chosen.computeType && o.spot === chosen.spot) &&
      o.provider === chosen.provider &&
      o.estimatedCost <= Math.max(chosen.estimatedCost * 2, 0.01),
  );
}

/** The spot offers that could stand in for an on-demand choice: what the confirmation screen asks about. */
export function spotFallbacks(context: TrainingContext): ComputeOffer[] {
  if (!context.offer || context.offer.spot) return [];
  return fallbacks(context).filter((o) => o.spot);
}

/** The chosen offer, then its fallbacks in rank order (capacity failover). */
export function rankedFrom(context: TrainingContext) {
  const spotAllowed = context.offer!.spot || context.allowSpot === true;
  return [context.offer!, ...fallbacks(context).filter((o) => spotAllowed || !o.spot)];
}

export function mergeStatus(job: TrainingJobState, status: TrainingStatus): TrainingJobState {
  return {
    ...job,
    status: status.status,
    progress: status.progress,
    phase: status.phase,
    message: status.message,
    queuePosition: status.queuePosition,
    logTail: status.logs.slice(-3),
    costSoFar: status.costSoFar,
    runtimeSeconds: status.runtimeSeconds,
  };
}

export function historySummary(
  context: TrainingContext,
  cost: number,
  status: string,
): Record<string, unknown> {
  return {
    status,
    modelType: context.modelType,
    target: context.target,
    dataset: context.dataset?.fileName,
    where: context.offer?.label ?? "local",
    runtimeSeconds: context.job?.runtimeSeconds ?? 0,
    cost,
    // The quote the job ran on, kept beside what it came to.
    quotedMinutes: context.offer?.estimatedMinutes,
    quotedCost: context.offer?.estimatedCost,
  };
}
