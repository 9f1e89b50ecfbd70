/**
 * A pool task whose module does not finish loading until the test creates the file named by
 * SMA_TEST_START_GATE (serving.test.ts): its workers are started but not serving until then. The variable is
 * set only after the test imported this module, so the test's own import does not wait.
 */
import { existsSync } from "node:fs";
import { registerPoolTask } from "../../../src/ml/threads/pool.js";

const gate = process.env.SMA_TEST_START_GATE;
const pause = new Int32Array(new SharedArrayBuffer(4));
while (gate && !existsSync(gate)) Atomics.wait(pause, 0, 0, 10);

/** Writes args[0] into data.out[0]. */
registerPoolTask("slow-start-write", ((data: { out: Int32Array }, args: Int32Array) => {
  data.out[0] = args[0];
}) as never);

export const SLOW_START_TASK = { module: import.meta.url, name: "slow-start-write" };
