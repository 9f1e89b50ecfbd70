/**
 * A crew's caller can leave out a worker that has not started serving (Crew.serving): runAll then runs
 * without it, closing the lease does not wait for it, and the next lease's tasks reach it once it serves.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { leaseCrew } from "../../../src/ml/threads/pool.js";
import { SLOW_START_TASK } from "./slow-start-task.js";

describe("a crew whose worker is still starting", () => {
  const dir = mkdtempSync(join(tmpdir(), "sma-start-gate-"));
  afterEach(() => {
    delete process.env.SMA_TEST_START_GATE;
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs without it when told to, closes without waiting, and reaches it in the next lease", () => {
    // The worker's task module waits for this file: it cannot serve before the test creates it.
    const gate = join(dir, "open");
    process.env.SMA_TEST_START_GATE = gate;
    const out = new Int32Array(new SharedArrayBuffer(4));
    const crew = leaseCrew(1, SLOW_START_TASK, () => ({ out }));
    let here = 0;
    try {
      crew.runAll(
        (k) => (crew.serving(k) ? [1] : null),
        () => {
          here++;
        },
      );
      expect(crew.serving(0)).toBe(false);
    } finally {
      crew.close();
    }
    expect(here).toBe(1);
    expect(out[0]).toBe(0);
    writeFileSync(gate, "");
    // runAll waits for a worker it starts: by then it serves, with this lease's task and data.
    const next = leaseCrew(1, SLOW_START_TASK, () => ({ out }));
    try {
      next.runAll(
        () => [5],
        () => {},
      );
      expect(next.serving(0)).toBe(true);
    } finally {
      next.close();
    }
    expect(out[0]).toBe(5);
  }, 30_000);
});
