/** Waiting on a WorkflowRuntime's periodic loops, in-process and in the host child process. */
import type { WorkflowRuntime } from "../../src/state/runtime.js";

/**
 * Resolves once `runtime` has finished `n` more rounds of lease renewal and of scanning; with n = 2 the last of
 * each began after this call. The signal to wait on before checking that the runtime did nothing more.
 */
export async function rounds(runtime: WorkflowRuntime, n = 2): Promise<void> {
  const counted = (loop: "renew" | "scan") =>
    new Promise<void>((resolve) => {
      let left = n;
      const seen = () => {
        if (--left > 0) return;
        runtime.rounds.off(loop, seen);
        resolve();
      };
      runtime.rounds.on(loop, seen);
    });
  await Promise.all([counted("renew"), counted("scan")]);
}
