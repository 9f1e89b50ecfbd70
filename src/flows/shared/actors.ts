/**
 * Helpers for invoked actors: errors become JSON-safe ErrorInfo before they reach a machine's context, and
 * polling is a chain of timers that stops when the actor stops (XState restarts it after a restore).
 */
import { fromPromise } from "xstate";
import type { FlowPorts, TemplateChoice } from "../ports.js";
import { toErrorInfo } from "./errors.js";

/** A promise actor whose failures reject with ErrorInfo (never an Error object with a stack). */
export function safePromise<TOutput, TInput>(run: (input: TInput, signal: AbortSignal) => Promise<TOutput>) {
  return fromPromise<TOutput, TInput>(async ({ input, signal }) => {
    try {
      return await run(input, signal);
    } catch (error) {
      throw toErrorInfo(error);
    }
  });
}

/**
 * Calls `poll` now and then every `intervalMs` until it returns true (finished) or `stop()` is called.
 * Failures are passed to `onError`, which decides whether to go on (return true to stop).
 */
export function pollEvery(
  intervalMs: number,
  poll: () => Promise<boolean>,
  onError: (error: unknown) => boolean,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    if (stopped) return;
    let finished: boolean;
    try {
      finished = await poll();
    } catch (error) {
      finished = onError(error);
    }
    if (!finished && !stopped) timer = setTimeout(run, intervalMs);
  };
  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** The actor that saves the current choices as a template of `kind` (the store checks the name). */
export function saveTemplateActor<TConfig extends object>(
  ports: Pick<FlowPorts, "userData">,
  kind: TemplateChoice["kind"],
) {
  return safePromise(async (input: { userId: number; name: string; config: TConfig }) =>
    ports.userData.saveTemplate(input.userId, {
      name: input.name,
      kind,
      config: input.config as unknown as Record<string, unknown>,
    }),
  );
}
