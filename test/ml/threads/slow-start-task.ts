/**
 * A pool task whose module takes a second to load (serving.test.ts): its workers are started but not yet
 * serving for that long.
 */
import { registerPoolTask } from "../../../src/ml/threads/pool.js";

Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);

/** Writes args[0] into data.out[0]. */
registerPoolTask("slow-start-write", ((data: { out: Int32Array }, args: Int32Array) => {
  data.out[0] = args[0];
}) as never);

export const SLOW_START_TASK = { module: import.meta.url, name: "slow-start-write" };
