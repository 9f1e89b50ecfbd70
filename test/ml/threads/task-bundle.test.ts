/**
 * Pool tasks in TypeScript modules reach the workers as a plain-JavaScript bundle (no tsx in the worker),
 * and a bundle is not reused once a file in it changed.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { leaseCrew } from "../../../src/ml/threads/pool.js";
import { reusableBundle, taskBundle } from "../../../src/ml/threads/task-bundle.js";

const POOL = fileURLToPath(new URL("../../../src/ml/threads/pool.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sma-task-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A task module in TypeScript (type annotations, an interface) that sends back data.x times a factor. */
function writeTask(file: string, factor: number): string {
  writeFileSync(
    file,
    `import { registerPoolTask } from ${JSON.stringify(POOL)};
interface Data { x: number }
function times(data: Data, _args: Int32Array, _beat: () => void, send: (v: unknown) => void): void {
  send(data.x * ${factor});
}
registerPoolTask("bundle-test", times as never);
`,
  );
  return pathToFileURL(file).href;
}

describe("pool task bundles", () => {
  it("runs a TypeScript task module on a worker from its bundle", () => {
    const module = writeTask(join(dir, "task-a.ts"), 3);
    const bundle = taskBundle(module);
    expect(bundle).toMatch(/\.mjs$/);
    const crew = leaseCrew(1, { module, name: "bundle-test" }, () => ({ x: 14 }));
    try {
      crew.runAll(
        () => [],
        () => {},
      );
      expect(crew.receive(0)).toBe(42);
    } finally {
      crew.close();
    }
  });

  it("does not reuse a bundle once a file in it changed", () => {
    const file = join(dir, "task-b.ts");
    const module = writeTask(file, 2);
    expect(taskBundle(module)).not.toBeNull();
    expect(reusableBundle(module)).toBe(taskBundle(module));
    writeTask(file, 5);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(reusableBundle(module)).toBeNull();
  });
});
