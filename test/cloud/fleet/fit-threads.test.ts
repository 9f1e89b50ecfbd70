/** Each local job's fit threads share the host's cores with the other slots of its lane. */
import { describe, expect, it } from "vitest";
import { fitThreadsEnv } from "../../../src/cloud/fleet/worker.js";
import { jobCores } from "../../../src/ml/threads/cores.js";

describe("fit threads per job", () => {
  it("splits the cores among the slots, at least one each", () => {
    expect(fitThreadsEnv(1, {}, 8)).toEqual({ SMA_FIT_THREADS: "8" });
    expect(fitThreadsEnv(3, {}, 8)).toEqual({ SMA_FIT_THREADS: "2" });
    expect(fitThreadsEnv(15, {}, 16)).toEqual({ SMA_FIT_THREADS: "1" });
  });

  it("keeps an operator's SMA_FIT_THREADS", () => {
    expect(fitThreadsEnv(4, { SMA_FIT_THREADS: "6" }, 16)).toEqual({ SMA_FIT_THREADS: "6" });
    expect(fitThreadsEnv(4, { SMA_FIT_THREADS: "x" }, 16)).toEqual({ SMA_FIT_THREADS: "4" });
  });

  it("is what the engine reads as its default thread count", () => {
    expect(jobCores(fitThreadsEnv(3, {}, 8))).toBe(2);
  });
});
