/** Profiles and schema suggestions, including the cases that broke the original bot. */
import { describe, expect, it } from "vitest";
import { NoUsableTargetError } from "../../src/errors.js";
import { detectTask, profileFrame, suggestSchema } from "../../src/ml/index.js";
import { csvFrame, loadFixture } from "./helpers/fixtures.js";

describe("profileFrame", () => {
  it("reports type, missing %, unique and range or top values per column", async () => {
    const p = profileFrame(await loadFixture("penguins"));
    expect(p.nRows).toBe(344);
    expect(p.nColumns).toBe(7);
    const species = p.columns.find((c) => c.name === "Species");
    expect(species?.type).toBe("categorical");
    expect(species?.unique).toBe(3);
    expect(species?.top?.[0]).toEqual({ value: "Adelie", count: 152 });
    const mass = p.columns.find((c) => c.name === "Body Mass (g)");
    expect(mass?.missing).toBe(2);
    expect(mass?.missingPct).toBe(0.6);
    expect(mass?.min).toBe(2700);
    expect(mass?.max).toBe(6300);
    expect(p.missingCells).toBe(p.columns.reduce((s, c) => s + c.missing, 0));
  });
});

describe("suggestSchema", () => {
  it.each([
    ["diabetes", "progression", "regression"],
    ["breast_cancer", "diagnosis", "classification"],
    ["wine", "cultivar", "classification"],
    ["iris", "species", "classification"],
    ["penguins", "Species", "classification"],
  ] as const)("%s → %s (%s)", async (name, target, task) => {
    const s = suggestSchema(await loadFixture(name));
    expect(s.target).toBe(target);
    expect(s.task).toBe(task);
    expect(s.features).not.toContain(target);
    expect(s.confidence).toBeGreaterThan(0.5);
    expect(s.reason).toMatch(new RegExp(`^\`${target}\`: .* → ${task}$`));
  });

  it("never suggests an id column, even when it is last and named like a target", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${(i * 1.7).toFixed(1)},${i % 3},${1000 + i}`);
    const f = await csvFrame(["x,grp,customer_id", ...rows].join("\n"));
    const s = suggestSchema(f);
    expect(s.target).not.toBe("customer_id");
    expect(s.features).not.toContain("customer_id");
  });

  it("treats 0/1 and 1–5 ratings as classification", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i * 0.5},${i % 2},${(i % 5) + 1}`);
    const f = await csvFrame(["x,churned,stars", ...rows].join("\n"));
    expect(detectTask(f, "churned")).toBe("classification");
    expect(detectTask(f, "stars")).toBe("classification");
    expect(detectTask(f, "x")).toBe("regression");
    expect(suggestSchema(f).target).toBe("churned");
  });

  it("says so when no column can be a target", async () => {
    const f = await csvFrame("a\n1\n1\n1\n");
    const s = suggestSchema(f);
    expect(s.target).toBeNull();
    expect(s.confidence).toBe(0);
  });
});

describe("detectTask", () => {
  it("rejects a one-class target with a clear error", async () => {
    const f = await csvFrame("x,label,flag\n1,cat,yes\n2,cat,yes\n3,cat,yes\n");
    expect(() => detectTask(f, "label")).toThrow(NoUsableTargetError);
    expect(() => detectTask(f, "label")).toThrow(/only one value \(cat\)/);
    expect(() => detectTask(f, "flag")).toThrow(/only one value \(true\)/);
  });

  it("rejects an empty target", async () => {
    const f = await csvFrame("x,label\n1,\n2,NA\n");
    expect(() => detectTask(f, "label")).toThrow(/is empty/);
  });

  it("lets the user pick any column, even one the suggestion skipped", async () => {
    const f = await loadFixture("penguins");
    expect(detectTask(f, "Body Mass (g)")).toBe("regression");
    expect(detectTask(f, "Island")).toBe("classification");
  });
});
