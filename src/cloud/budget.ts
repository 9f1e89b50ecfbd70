/**
 * Costs on the provider side: what a job has cost so far (provider runtime × the rate captured at launch, per
 * piece of compute it used), and the pre-launch budget check (BudgetExceededError 3004). The per-user monthly
 * totals live in the state layer's user data; this file only does the arithmetic.
 */
import { BudgetExceededError } from "../errors.js";
import { costOf } from "./pricing.js";

/** One piece of compute a job ran on: an instance, a pod, a relaunch after a spot interruption. */
export interface CostSegment {
  /** Instance id, pod id. */
  resourceId: string;
  /** Dollars per hour, captured when this piece was launched. */
  hourlyRate: number;
  startedAt: string;
  /** When the provider confirmed it gone (or the worker ended); open while it runs. */
  endedAt?: string;
  /** The provider's minimum billed time (EC2 and RunPod: 60 s). */
  minBilledSeconds: number;
}

/** Dollars spent so far over every segment; open segments are counted up to `now`. */
export function costSoFar(segments: readonly CostSegment[], now: Date = new Date()): number {
  let total = 0;
  for (const s of segments) {
    const end = s.endedAt ? Date.parse(s.endedAt) : now.getTime();
    const seconds = Math.max(0, (end - Date.parse(s.startedAt)) / 1000);
    total += costOf(s.hourlyRate, seconds, s.minBilledSeconds);
  }
  return total;
}

/** Seconds of compute over every segment (what the user is billed for, before minimums). */
export function runtimeSecondsOf(segments: readonly CostSegment[], now: Date = new Date()): number {
  return segments.reduce((sum, s) => {
    const end = s.endedAt ? Date.parse(s.endedAt) : now.getTime();
    return sum + Math.max(0, (end - Date.parse(s.startedAt)) / 1000);
  }, 0);
}

/**
 * A user's limits at launch time: the per-job cap, what is left of their monthly budget, and what is left
 * of the bot's monthly budget over all users (absent: no such cap).
 */
export interface BudgetLimits {
  perJob: number;
  monthlyLeft: number;
  totalLeft?: number;
}

/** The cap an estimate breaks: the per-job cap, the user's month, or the bot's month (all users). */
export type CapName = "perJob" | "monthly" | "total";

/** The first cap an estimate does not fit, with its room left (dollars); undefined when it fits all. */
export function brokenCap(
  estimatedCost: number,
  limits: BudgetLimits,
): { cap: CapName; left: number } | undefined {
  if (estimatedCost <= 0) return undefined;
  if (estimatedCost > limits.perJob) return { cap: "perJob", left: limits.perJob };
  if (estimatedCost > limits.monthlyLeft) return { cap: "monthly", left: Math.max(0, limits.monthlyLeft) };
  const totalLeft = limits.totalLeft ?? Number.POSITIVE_INFINITY;
  if (estimatedCost > totalLeft) return { cap: "total", left: Math.max(0, totalLeft) };
  return undefined;
}

/** The most a job may cost under every cap (0 when nothing is left). */
export function maxJobCost(limits: BudgetLimits): number {
  return Math.max(
    0,
    Math.min(limits.perJob, limits.monthlyLeft, limits.totalLeft ?? Number.POSITIVE_INFINITY),
  );
}

/** Why an estimate does not fit the limits, or undefined when it does. Free (local) work always fits. */
export function budgetProblem(estimatedCost: number, limits: BudgetLimits): string | undefined {
  const broken = brokenCap(estimatedCost, limits);
  if (!broken) return undefined;
  const estimate = `estimated $${estimatedCost.toFixed(3)}`;
  // Cents, or the first two digits of less than ten cents (what is left can be $0.001).
  const left = `$${broken.left > 0 && broken.left < 0.1 ? Number(broken.left.toPrecision(2)) : broken.left.toFixed(2)}`;
  if (broken.cap === "perJob") return `${estimate} is over your per-job limit of ${left}`;
  if (broken.cap === "monthly") return `${estimate} is more than the ${left} left of your monthly budget`;
  return `${estimate} is more than the ${left} left of this bot's monthly budget for all users`;
}

/** The pre-launch check: throws BudgetExceededError 3004 naming the limit that an estimate breaks. */
export function assertWithinBudget(estimatedCost: number, limits: BudgetLimits, what = "This job"): void {
  const problem = budgetProblem(estimatedCost, limits);
  if (problem) {
    throw new BudgetExceededError(`${what}: ${problem}.`, {
      estimatedCost,
      perJobLimit: limits.perJob,
      monthlyLeft: limits.monthlyLeft,
      totalLeft: limits.totalLeft,
    });
  }
}
