/**
 * Small machines for the state-layer tests, built with the same patterns as src/flows (a promise launch actor,
 * a callback monitoring actor, final states, a back-history in context) so the tests do not break when the
 * real machines grow.
 */
import { assign, fromCallback, fromPromise, setup } from "xstate";
import { z } from "zod";
import type { WorkflowDefinition } from "../../src/state/definitions.js";

// === counter: a pure machine for concurrency and history tests

export const counterMachine = setup({
  types: {
    context: {} as {
      workflowId: string;
      startedAt: string;
      count: number;
      limit: number;
      history: string[];
      summary?: Record<string, unknown>;
    },
    events: {} as { type: "inc" } | { type: "finish" } | { type: "user.cancel" },
    input: {} as { workflowId: string; startedAt: string; limit?: number },
  },
  guards: { belowLimit: ({ context }) => context.count < context.limit },
}).createMachine({
  id: "counter",
  context: ({ input }) => ({ ...input, count: 0, limit: input.limit ?? 1_000_000, history: [] }),
  initial: "COUNTING",
  on: { "user.cancel": ".CANCELLED" },
  states: {
    COUNTING: {
      on: {
        inc: { guard: "belowLimit", actions: assign({ count: ({ context }) => context.count + 1 }) },
        finish: {
          target: "DONE",
          actions: assign(({ context }) => ({
            history: [...context.history, "COUNTING"],
            summary: { count: context.count },
          })),
        },
      },
    },
    DONE: { type: "final" },
    CANCELLED: { type: "final" },
  },
});

export const counterDefinition: WorkflowDefinition = {
  type: "counter",
  version: 1,
  machine: counterMachine,
  context: z.looseObject({ count: z.number().int().min(0), limit: z.number().int() }),
};

// === job: launch (promise) → monitor (callback) → COMPLETED, like training

/** The side effects the job machine needs; tests provide an in-memory fake or an HTTP one. */
export interface JobPorts {
  /** Creates the job, or finds the one already created under this id. */
  launch(jobId: string, signal: AbortSignal): Promise<void>;
  poll(jobId: string): Promise<{ status: "running" | "complete" | "failed"; progress: number }>;
  cancel(jobId: string): Promise<void>;
  pollIntervalMs: number;
  /** Told when a monitor starts (true) and when it is stopped (false): tests wait on it. */
  monitoring?(jobId: string, on: boolean): void;
}

export interface JobContext {
  workflowId: string;
  startedAt: string;
  jobId?: string;
  progress: number;
  /** User events accepted while the job runs: they race with the monitor's commits. */
  pings: number;
  history: string[];
  summary?: Record<string, unknown>;
}

export type JobEvent =
  | { type: "user.launch" }
  | { type: "user.cancel" }
  | { type: "user.back" }
  | { type: "user.ping" }
  | { type: "job.progress"; progress: number }
  | { type: "job.completed" }
  | { type: "job.failed" };

const notProvided = (name: string) => () => {
  throw new Error(`port not provided: ${name}`);
};

export const jobMachine = setup({
  types: {
    context: {} as JobContext,
    events: {} as JobEvent,
    input: {} as { workflowId: string; startedAt: string },
  },
  actors: {
    launchJob: fromPromise<void, { jobId: string }>(notProvided("launchJob")),
    monitorJob: fromCallback<JobEvent, { jobId: string }>(notProvided("monitorJob")),
    cancelJob: fromPromise<void, { jobId: string }>(notProvided("cancelJob")),
  },
}).createMachine({
  id: "job",
  context: ({ input }) => ({ ...input, progress: 0, pings: 0, history: [] }),
  initial: "IDLE",
  on: { "user.cancel": ".CANCELLED" },
  states: {
    IDLE: {
      on: {
        "user.launch": {
          target: "LAUNCHING",
          actions: assign(({ context }) => ({
            jobId: `${context.workflowId}-j1`,
            history: [...context.history, "IDLE"],
          })),
        },
      },
    },
    LAUNCHING: {
      invoke: {
        src: "launchJob",
        input: ({ context }) => ({ jobId: context.jobId! }),
        onDone: { target: "MONITORING" },
        onError: { target: "FAILED" },
      },
      on: { "user.back": { target: "IDLE", actions: assign({ jobId: undefined, history: [] }) } },
    },
    MONITORING: {
      invoke: { src: "monitorJob", input: ({ context }) => ({ jobId: context.jobId! }) },
      on: {
        "job.progress": { actions: assign({ progress: ({ event }) => event.progress }) },
        "job.completed": {
          target: "COMPLETED",
          actions: assign(({ context }) => ({
            summary: { jobId: context.jobId, pings: context.pings },
          })),
        },
        "job.failed": { target: "FAILED" },
        "user.cancel": { target: "CANCELLING" },
        "user.ping": { actions: assign({ pings: ({ context }) => context.pings + 1 }) },
      },
    },
    CANCELLING: {
      invoke: {
        src: "cancelJob",
        input: ({ context }) => ({ jobId: context.jobId! }),
        onDone: { target: "CANCELLED" },
        onError: { target: "CANCELLED" },
      },
    },
    COMPLETED: { type: "final" },
    FAILED: { type: "final" },
    CANCELLED: { type: "final" },
  },
});

/** The job machine with its actors built on `ports`. */
export function jobDefinition(ports: JobPorts, version = 1): WorkflowDefinition {
  return {
    type: "job",
    version,
    machine: jobMachine.provide({
      actors: {
        launchJob: fromPromise<void, { jobId: string }>(({ input, signal }) =>
          ports.launch(input.jobId, signal),
        ),
        monitorJob: fromCallback<JobEvent, { jobId: string }>(({ input, sendBack }) => {
          let stopped = false;
          let timer: NodeJS.Timeout | undefined;
          const tick = async () => {
            if (stopped) return;
            try {
              const status = await ports.poll(input.jobId);
              if (stopped) return;
              if (status.status === "complete") return sendBack({ type: "job.completed" });
              if (status.status === "failed") return sendBack({ type: "job.failed" });
              sendBack({ type: "job.progress", progress: status.progress });
            } catch {
              // a failed poll is retried on the next tick
            }
            if (!stopped) timer = setTimeout(tick, ports.pollIntervalMs);
          };
          ports.monitoring?.(input.jobId, true);
          void tick();
          return () => {
            stopped = true;
            if (timer) clearTimeout(timer);
            ports.monitoring?.(input.jobId, false);
          };
        }),
        cancelJob: fromPromise<void, { jobId: string }>(({ input }) => ports.cancel(input.jobId)),
      },
    }),
  };
}
