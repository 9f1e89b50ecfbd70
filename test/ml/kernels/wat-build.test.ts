/**
 * The committed kernel bytes are what the `.wat` sources compile to: rebuilding with wabt (as
 * `npm run build:kernels` does) gives the same .wasm and the same generated module, and every output has
 * its source. A kernel edited without rebuilding, or bytes edited by hand, fail here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildKernels, bytesExportName, WASM_DIR, WAT_DIR } from "../../../scripts/build-kernels.js";
import { wasm } from "../../../src/ml/kernels/load.js";

const built = await buildKernels();

describe("WebAssembly kernels built from their .wat sources", () => {
  it("has a source for each kernel and nothing generated without one", () => {
    const sources = readdirSync(WAT_DIR).filter((f) => f.endsWith(".wat"));
    expect(sources.length).toBeGreaterThanOrEqual(3);
    expect(built.map((k) => k.name).sort()).toEqual(sources.map((f) => f.replace(/\.wat$/, "")).sort());
    const expected = built.flatMap((k) => [`${k.name}.ts`, `${k.name}.wasm`]).sort();
    expect(readdirSync(WASM_DIR).sort()).toEqual(expected);
  });

  it.each(built)("$name: the committed .wasm and its module equal a fresh build", async (kernel) => {
    const committed = new Uint8Array(readFileSync(join(WASM_DIR, `${kernel.name}.wasm`)));
    expect(Buffer.from(committed).equals(Buffer.from(kernel.wasm))).toBe(true);
    expect(readFileSync(join(WASM_DIR, `${kernel.name}.ts`), "utf8")).toBe(kernel.module);
    // What the engine loads (the module's base64) decodes to the same bytes, and V8 compiles them.
    const generated = await import(join(WASM_DIR, `${kernel.name}.ts`));
    const bytes = Buffer.from(generated[bytesExportName(kernel.name)] as string, "base64");
    expect(bytes.equals(Buffer.from(committed))).toBe(true);
    expect(() => new wasm.Module(new Uint8Array(bytes))).not.toThrow();
  });
});
