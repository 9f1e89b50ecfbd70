/**
 * The fleet as people see it: the location picker's "Workers · 3 online, 1 busy · about 2 min wait", and what
 * /admin lists (workers, queue depths, failed jobs with their reasons). Read from Redis: the workers'
 * heartbeats and BullMQ's own counts.
 */
import type { ComputeOffer, ComputePort } from "../offers.js";
import type { FleetQueue } from "./queue.js";
import type { WorkerInfo } from "./worker.js";

export interface FleetSummary {
  online: number;
  /** Workers running at least one job. */
  busy: number;
  /** Training and prediction jobs waiting for a slot. */
  waiting: number;
  /** Seconds a job queued now would wait, from the recent average job time; undefined with no worker. */
  waitSeconds?: number;
}

/** Assumed job time until the fleet has finished a job to measure. */
const DEFAULT_JOB_SECONDS = 60;

export async function fleetSummary(queue: FleetQueue): Promise<FleetSummary> {
  const [workers, metrics] = await Promise.all([queue.workers(), queue.queueMetrics()]);
  const compute = metrics.find((m) => m.queue === "compute")!;
  const slots = workers.reduce((sum, w) => sum + w.slots.compute, 0);
  const { waiting, active, delayed } = compute.counts;
  const average =
    compute.durations.count > 0 ? compute.durations.sum / compute.durations.count : DEFAULT_JOB_SECONDS;
  const ahead = waiting + delayed - Math.max(0, slots - active);
  return {
    online: workers.length,
    busy: workers.filter((w) => w.running > 0).length,
    waiting: waiting + delayed,
    waitSeconds: slots === 0 ? undefined : ahead < 0 ? 0 : Math.ceil((ahead + 1) / slots) * average,
  };
}

export function fleetLabel(summary: FleetSummary): string {
  if (summary.online === 0) return "Workers · none online yet";
  const wait =
    summary.waitSeconds === undefined || summary.waitSeconds === 0
      ? "no wait"
      : `about ${Math.max(1, Math.round(summary.waitSeconds / 60))} min wait`;
  return `Workers · ${summary.online} online, ${summary.busy} busy · ${wait}`;
}

/** The offers, with this machine's offer named after the fleet that runs it. */
export function withFleetLabel(offers: ComputePort, queue: FleetQueue): ComputePort {
  const relabel = async (list: Promise<ComputeOffer[]>) => {
    const [all, label] = await Promise.all([list, fleetSummary(queue).then(fleetLabel, () => undefined)]);
    return label ? all.map((o) => (o.provider === "local" ? { ...o, label } : o)) : all;
  };
  return {
    trainingOffers: (request) => relabel(offers.trainingOffers(request)),
    predictionOffers: (request) => relabel(offers.predictionOffers(request)),
  };
}

export type { WorkerInfo };
