/**
 * The fleet as people see it: what the location picker says of it ("Workers · 3 online, 1 busy · about 2 min
 * wait", in the user's language: bot/i18n location.workers), and what
 * /admin lists (workers, queue depths, failed jobs with their reasons). Read from Redis: the workers'
 * heartbeats and BullMQ's own counts.
 */
import type { ComputeOffer, ComputePort, FleetView } from "../offers.js";
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

/** The summary as the location picker says it (bot/i18n: location.workers). */
export function fleetView(summary: FleetSummary): FleetView {
  const seconds = summary.waitSeconds ?? 0;
  return {
    online: summary.online,
    busy: summary.busy,
    waitMinutes: seconds === 0 ? 0 : Math.max(1, Math.round(seconds / 60)),
  };
}

/** The offers, with this machine's offer carrying the fleet that runs it (the picker names it). */
export function withFleetLabel(offers: ComputePort, queue: FleetQueue): ComputePort {
  const relabel = async (list: Promise<ComputeOffer[]>) => {
    const [all, fleet] = await Promise.all([list, fleetSummary(queue).then(fleetView, () => undefined)]);
    return fleet ? all.map((o) => (o.provider === "local" ? { ...o, fleet } : o)) : all;
  };
  return {
    trainingOffers: (request) => relabel(offers.trainingOffers(request)),
    predictionOffers: (request) => relabel(offers.predictionOffers(request)),
  };
}

export type { WorkerInfo };
