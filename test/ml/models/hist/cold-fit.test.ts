import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./cold-fit-child.ts", import.meta.url));

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
    expect(counts[0][1]).toBeLessThan(60);
  });
});
