/**
 * The watched pool under stress (many tiny tasks, where a lost wake-up would show as a hang), a stuck
 * worker stopped by the watchdog, and a failing task reported with the worker's own message.
 */
import { describe, expect, it } from "vitest";
import {
  leaseCrew,
  nextSpin,
  SPIN_MAX_MS,
  SPIN_MIN_MS,
  ThreadStallError,
} from "../../../src/ml/threads/pool.js";

/** Worker k adds args[0] into its own slot, once per task. */
const ADD = `(data, args) => { data.sums[data.slot] += args[0]; }`;

describe("watched thread pool", () => {
  it("runs ten thousand rounds of tiny tasks on 3 workers without losing one", () => {
    const sums = new Float64Array(new SharedArrayBuffer(8 * 4));
    const crew = leaseCrew(3, ADD, (k) => ({ sums, slot: k + 1 }));
    const rounds = 10_000;
    let here = 0;
    try {
      for (let r = 1; r <= rounds; r++) {
        crew.runAll(
          (k) => (k === r % 3 ? null : [r]),
          () => {
            here += r;
          },
        );
      }
    } finally {
      crew.close();
    }
    const expected = (k: number) => {
      let s = 0;
      for (let r = 1; r <= rounds; r++) if (r % 3 !== k) s += r;
      return s;
    };
    expect(here).toBe((rounds * (rounds + 1)) / 2);
    expect(Array.from(sums.subarray(1))).toEqual([expected(0), expected(1), expected(2)]);
  });

  it("withdraws a shared-counter task from a worker that has not begun it, which then never runs it", () => {
    const runs = new Int32Array(new SharedArrayBuffer(4));
    // A second lease while one is held gets workers of its own, still starting when the first task is given.
    const held = leaseCrew(1, ADD, () => ({ sums: new Float64Array(1), slot: 0 }));
    const crew = leaseCrew(1, `(data) => { Atomics.add(data.runs, 0, 1); }`, () => ({ runs }));
    try {
      crew.runAll(
        () => [],
        () => {},
        true,
      );
      expect(crew.serving(0)).toBe(false);
      while (!crew.serving(0)) Atomics.wait(runs, 0, 0, 5);
      crew.runAll(
        () => [],
        () => {},
      );
    } finally {
      crew.close();
      held.close();
    }
    // Only the second task ran: waited for, the first would have run too.
    expect(runs[0]).toBe(1);
  });

  it("runs every unit of a shared counter once, whichever thread takes it, over thousands of rounds", () => {
    const units = 6;
    const done = new Int32Array(new SharedArrayBuffer(4 * units));
    const next = new Int32Array(new SharedArrayBuffer(4));
    const TAKE = `(data, args) => {
      for (let u = Atomics.add(data.next, 0, 1); u < args[0]; u = Atomics.add(data.next, 0, 1)) Atomics.add(data.done, u, 1);
    }`;
    const take = new Function(`return ${TAKE}`)() as (data: object, args: number[]) => void;
    const crew = leaseCrew(1, TAKE, () => ({ next, done }));
    const rounds = 5000;
    try {
      for (let r = 0; r < rounds; r++) {
        Atomics.store(next, 0, 0);
        const args = [1 + (r % units)];
        crew.runAll(
          () => args,
          () => take({ next, done }, args),
          true,
        );
      }
    } finally {
      crew.close();
    }
    // Unit u is in the rounds whose count (1 + r mod units) exceeds it.
    const expected = new Array(units).fill(0);
    for (let r = 0; r < rounds; r++) for (let u = 0; u <= r % units; u++) expected[u]++;
    expect(Array.from(done)).toEqual(expected);
  });

  it("reuses the process's workers for the next lease, with the new task and data", () => {
    const sums = new Float64Array(new SharedArrayBuffer(8 * 3));
    const crew = leaseCrew(2, `(data, args) => { data.sums[data.slot] = args[0] * 10; }`, (k) => ({
      sums,
      slot: k,
    }));
    crew.runAll(
      (k) => [k + 1],
      () => {},
    );
    crew.close();
    expect(Array.from(sums)).toEqual([10, 20, 0]);
  });

  it("adapts a waiter's spin: doubled up to its cap while the word changes within it, else halved", () => {
    expect(nextSpin(SPIN_MIN_MS, true)).toBe(2 * SPIN_MIN_MS);
    expect(nextSpin(SPIN_MAX_MS, true)).toBe(SPIN_MAX_MS);
    expect(nextSpin(SPIN_MAX_MS, false)).toBe(SPIN_MAX_MS / 2);
    expect(nextSpin(SPIN_MIN_MS, false)).toBe(SPIN_MIN_MS);
  });

  // nextSpin's rule is the test above; this one checks the crew applies it in the right direction (a fresh
  // worker starts at the floor, so it cannot tell an adaptive spin from a fixed one at the floor).
  it("never raises the spin for a worker whose tasks outlast it (a loaded machine, long tasks)", () => {
    const word = new Int32Array(new SharedArrayBuffer(8));
    // Each task sleeps 20 ms, far past any spin: every wait for it ends asleep.
    const crew = leaseCrew(1, `(data) => { Atomics.wait(data.word, 0, 0, 20); }`, () => ({ word }));
    try {
      const before = crew.spinMs(0);
      for (let r = 0; r < 3; r++)
        crew.runAll(
          () => [0],
          () => {},
        );
      expect(crew.spinMs(0)).toBeLessThan(Math.max(before, 2 * SPIN_MIN_MS));
    } finally {
      crew.close();
    }
  });

  it("fails a fit whose worker makes no progress, with a clear error, instead of hanging", () => {
    const never = new Int32Array(new SharedArrayBuffer(8));
    const crew = leaseCrew(2, `(data) => { Atomics.wait(data.never, 0, 0); }`, () => ({ never }), {
      watchdogSeconds: 0.5,
    });
    expect(() =>
      crew.runAll(
        (k) => (k === 1 ? [0] : null),
        () => {},
      ),
    ).toThrow(ThreadStallError);
    expect(() => crew.close()).not.toThrow();
    // The pool starts afresh: the next lease works.
    const sums = new Float64Array(new SharedArrayBuffer(16));
    const next = leaseCrew(2, ADD, (k) => ({ sums, slot: k }));
    next.runAll(
      () => [5],
      () => {},
    );
    next.close();
    expect(Array.from(sums)).toEqual([5, 5]);
  });

  it("names the stuck worker and what to do in the stall error", () => {
    const never = new Int32Array(new SharedArrayBuffer(8));
    const crew = leaseCrew(1, `(data) => { Atomics.wait(data.never, 0, 0); }`, () => ({ never }), {
      watchdogSeconds: 0.3,
    });
    let error: unknown;
    try {
      crew.runAll(
        () => [0],
        () => {},
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThreadStallError);
    expect((error as Error).message).toMatch(/Worker thread 1 made no progress for 0\.3 s.*threads: 1/);
  });

  it("reports a task that throws with the worker's message", () => {
    const crew = leaseCrew(1, `() => { throw new RangeError("bad shard"); }`, () => null);
    expect(() =>
      crew.runAll(
        () => [0],
        () => {},
      ),
    ).toThrow(/Worker thread 1 failed: RangeError: bad shard/);
  });
});
