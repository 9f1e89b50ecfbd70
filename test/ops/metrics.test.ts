/** The hand-written Prometheus registry: exposition format, escaping, and the jobs gauge read from a store. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricsRegistry, registerJobsGauge } from "../../src/bot/metrics.js";
import { MemoryWorkflowStore } from "../../src/state/memory-store.js";
import { parsePrometheus, sampleValue } from "./helpers.js";

describe("MetricsRegistry", () => {
  it("writes HELP and TYPE lines, then one sample per label set", async () => {
    const registry = new MetricsRegistry();
    const calls = registry.counter("demo_calls_total", "Calls, by method.\nSecond line \\ backslash.");
    calls.inc({ method: "sendMessage" });
    calls.inc({ method: "sendMessage" }, 2);
    calls.inc({ method: 'edit "quoted"\nnewline \\' });
    registry.gauge("demo_temperature", "A gauge.", () => [{ labels: {}, value: 21.5 }]);
    const text = await registry.expose();
    expect(text).toContain("# HELP demo_calls_total Calls, by method.\\nSecond line \\\\ backslash.");
    expect(text).toContain("# TYPE demo_calls_total counter");
    expect(text).toContain('demo_calls_total{method="sendMessage"} 3');
    expect(text).toContain('demo_calls_total{method="edit \\"quoted\\"\\nnewline \\\\"} 1');
    expect(text).toContain("# TYPE demo_temperature gauge\ndemo_temperature 21.5");
    expect(text.endsWith("\n")).toBe(true);
    const samples = parsePrometheus(text);
    expect(sampleValue(samples, "demo_calls_total", { method: 'edit "quoted"\nnewline \\' })).toBe(1);
  });

  it("treats label order as irrelevant and refuses bad or duplicate names", () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter("demo_total", "x");
    counter.inc({ a: "1", b: "2" });
    counter.inc({ b: "2", a: "1" });
    expect(counter.get({ a: "1", b: "2" })).toBe(2);
    expect(() => registry.counter("demo_total", "again")).toThrow(/exists/);
    expect(() => registry.counter("bad-name", "x")).toThrow(/bad metric name/);
  });

  it("leaves out a gauge whose collection fails, keeping the rest of the page", async () => {
    const registry = new MetricsRegistry();
    registry.gauge("demo_broken", "fails", () => Promise.reject(new Error("down")));
    registry.counter("demo_ok_total", "fine").inc();
    const text = await registry.expose();
    expect(text).not.toContain("demo_broken");
    expect(sampleValue(parsePrometheus(text), "demo_ok_total")).toBe(1);
  });

  it("counts running jobs by workflow and state from the store's live index", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sma-jobs-gauge-"));
    const store = new MemoryWorkflowStore(join(dir, "workflows.json"));
    try {
      const write = (state: string, live: boolean) => ({
        workflowType: "training",
        state,
        snapshot: "{}",
        active: true,
        live,
      });
      await store.compareAndSet({ userId: 1, chatId: 1 }, 0, write("MONITORING_TRAINING", true));
      await store.compareAndSet({ userId: 2, chatId: 2 }, 0, write("MONITORING_TRAINING", true));
      await store.compareAndSet({ userId: 3, chatId: 3 }, 0, write("SELECTING_TARGET", false));
      const registry = new MetricsRegistry();
      registerJobsGauge(registry, store);
      const samples = parsePrometheus(await registry.expose());
      expect(sampleValue(samples, "sma_jobs", { workflow: "training", state: "MONITORING_TRAINING" })).toBe(
        2,
      );
      expect(samples.filter((s) => s.name === "sma_jobs")).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
