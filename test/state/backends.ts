/** The two WorkflowStore backends the state tests run against, and a polling wait for eventual outcomes. */
import { MemoryWorkflowStore } from "../../src/state/memory-store.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import type { WorkflowStore } from "../../src/state/store.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";

export interface Backend {
  store: WorkflowStore;
  /** Another handle on the same data, as a second process would have (the embedded store has only one). */
  twin: WorkflowStore;
  cleanup: () => Promise<void>;
}

export function redisBackend(name: string): Backend & { prefix: string } {
  const prefix = testPrefix(name);
  const store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
  const twin = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
  return {
    prefix,
    store,
    twin,
    cleanup: async () => {
      await store.close();
      await twin.close();
      await deletePrefix(prefix);
    },
  };
}

export function embeddedBackend(): Backend {
  const store = new MemoryWorkflowStore();
  return { store, twin: store, cleanup: () => store.close() };
}

export const BACKENDS: Array<[string, (name: string) => Backend]> = [
  ["redis", redisBackend],
  ["embedded", () => embeddedBackend()],
];

/** Polls `check` until it holds (a state read back, which no event announces); fails with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
