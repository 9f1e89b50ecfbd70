import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./cold-fit-child.ts", import.meta.url));
const GBDT_CHILD = fileURLToPath(new URL("./gbdt-threads-child.ts", import.meta.url));

/** How many times V8 deoptimised each function, most first. */
function deoptsByFunction(trace: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const m of trace.matchAll(/bailout \(kind: [^)]*\): begin\. deoptimizing \S+ <JSFunction (\w*)/g)) {
    counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

describe("a forest's first fit in a fresh process", { timeout: 120_000 }, () => {
  // Code after a hot loop that had not run when V8 compiled the loop on the stack (OSR) deopted at every
  // later call: over a thousand times per fit (sumPackedByBin, scanTwoBins, partition, nodeSums), up to
  // hundreds of thousands (once per row) in partition.
  it("does not deopt one function over and over", () => {
    const trace = execFileSync(process.execPath, ["--trace-deopt", "--import", "tsx", CHILD], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    const counts = deoptsByFunction(trace);
    // A cold fit always deopts somewhere (about 90 times): none read means the trace's format changed and
    // the bound below would pass without looking.
    expect(counts.length).toBeGreaterThan(0);
    // The function is named on failure: a bound crossed under load is then a lead, not a guess.
    expect(counts[0][1], `${counts[0][0]} deoptimised ${counts[0][1]} times`).toBeLessThan(60);
  });
});

describe("a GBDT's first 2-thread fit after a small fit", { timeout: 120_000 }, () => {
  // The binning loops on this thread are the ones a 1-thread binning (the small fit's) optimised, and a case of
  // fewer's switch the small fit never took had no type feedback: its optimised code gave up there at each
  // call, 20–30 times a fit (binning.ts primes every case when the loops are made). copyColumn's row-index
  // loop (the bin mapper's sample, only above BIN_SAMPLE_ROWS rows) gave up once a fit (columns.ts primes it).
  it("does not deopt the binning and column-reading loops for want of type feedback", () => {
    const trace = execFileSync(process.execPath, ["--trace-deopt", "--import", "tsx", GBDT_CHILD], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    const marker = trace.indexOf("=== small fit done");
    expect(marker).toBeGreaterThan(0);
    const primed = new Set(["fewer", "full", "copyColumn"]);
    const deopts = deoptsByFunction(trace.slice(marker)).filter(([name]) => primed.has(name));
    expect(deopts).toEqual([]);
  });
});
