import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GpuContext, gpuContext, releaseGpu } from "../../../src/ml/gpu/device.js";
import { Epilogue, matmulOnce, useSimpleMatmul } from "../../../src/ml/gpu/matmul.js";
import { Random } from "../../../src/ml/random.js";

let gpu: GpuContext;
beforeAll(async () => {
  const ctx = await gpuContext();
  if (!ctx) throw new Error(`No WebGPU adapter: is VK_ICD_FILENAMES set to SwiftShader's ICD?`);
  gpu = ctx;
});
afterAll(async () => {
  await releaseGpu();
});

function randomArray(rng: Random, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * rng.next() - 1);
}

/** C = op(A)·op(B) in float64, the reference. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++)
        s += (tA ? a[q * m + i] : a[i * k + q]) * (tB ? b[j * k + q] : b[q * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

for (const variant of ["tiled", "simple"] as const)
  describe(`GPU matrix multiply, ${variant} kernel (SwiftShader)`, () => {
    beforeAll(() => useSimpleMatmul(variant === "simple"));

    it("runs on a WebGPU adapter and names it", () => {
      expect(gpu.adapter.backend).toBe("Vulkan");
      expect(gpu.adapter.description.length).toBeGreaterThan(0);
    });

    for (const [m, n, k] of [
      [1, 1, 1],
      [17, 5, 33],
      [200, 37, 64],
      [3, 100, 15],
    ]) {
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        it(`${m}×${k} · ${k}×${n} (transA ${tA}, transB ${tB}) matches float64 within float32 rounding`, async () => {
          const rng = new Random(m * 1000 + n * 10 + k);
          const a = randomArray(rng, m * k);
          const b = randomArray(rng, k * n);
          const got = await matmulOnce(gpu.device, { m, n, k, transA: tA, transB: tB }, a, b);
          const want = reference(a, b, m, n, k, tA, tB);
          for (let i = 0; i < m * n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + k));
        });
      }
    }

    it("adds the bias, applies ReLU, and multiplies by an activation's derivative", async () => {
      const rng = new Random(7);
      const [m, n, k] = [19, 23, 9];
      const a = randomArray(rng, m * k);
      const b = randomArray(rng, n * k);
      const bias = randomArray(rng, n);
      const relu = await matmulOnce(gpu.device, { m, n, k, transB: true, epilogue: Epilogue.relu }, a, b, {
        bias,
      });
      const want = reference(a, b, m, n, k, false, true);
      for (let i = 0; i < m * n; i++) expect(relu[i]).toBeCloseTo(Math.max(0, want[i] + bias[i % n]), 5);
      const aux = Float32Array.from({ length: m * n }, (_, i) => (i % 3 === 0 ? 0 : 0.5));
      const gated = await matmulOnce(
        gpu.device,
        { m, n, k, transB: true, epilogue: Epilogue.reluDerivative },
        a,
        b,
        {
          aux,
        },
      );
      for (let i = 0; i < m * n; i++) expect(gated[i]).toBeCloseTo(aux[i] > 0 ? want[i] : 0, 5);
    });
  });
