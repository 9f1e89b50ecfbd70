/**
 * Layer 2 of "nothing is left billing" from inside the compute: when the worker ends, for whatever reason,
 * a RunPod pod terminates itself with `podTerminate` on its own RUNPOD_POD_ID, using the pod-scoped key that
 * RunPod puts in RUNPOD_API_KEY (runpod-api.md §1, §6). On EC2 nothing is needed here: the user-data trap
 * powers the instance off once the container exits. Elsewhere (this machine, Lambda) it does nothing.
 */
import { withRetry } from "../cloud/retry.js";
import { RunPodGraphqlClient, runpodDocument } from "../cloud/runpod/client.js";

export const POD_TERMINATE_MUTATION = runpodDocument<{ podTerminate: null }, { podId: string }>(
  "mutation TerminateSelf($podId: String!) { podTerminate(input: { podId: $podId }) }",
);

const DEFAULT_RUNPOD_API_URL = "https://api.runpod.io/graphql";
/** The whole attempt, retries included: the container is going away anyway. */
const SELF_TERMINATE_BUDGET_MS = 20_000;

/** Returns what it did, for the log: "runpod pod …", or "nothing". */
export async function selfTerminate(env: NodeJS.ProcessEnv): Promise<string> {
  const podId = env.RUNPOD_POD_ID;
  const apiKey = env.RUNPOD_API_KEY;
  if (!podId || !apiKey) return "nothing";
  const client = new RunPodGraphqlClient({
    apiUrl: env.RUNPOD_API_URL || DEFAULT_RUNPOD_API_URL,
    apiKey,
    timeoutMs: 5_000,
  });
  await withRetry(
    (_attempt, remainingMs) =>
      client.request(
        POD_TERMINATE_MUTATION,
        { podId },
        { timeoutMs: Math.max(1, Math.min(5_000, remainingMs)) },
      ),
    { deadlineMs: SELF_TERMINATE_BUDGET_MS, maxAttempts: 5 },
  );
  return `runpod pod ${podId}`;
}
