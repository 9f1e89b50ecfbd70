/**
 * WGSL for the MLP's element-wise steps (the products are matmul.ts): batch gather, output activation with
 * delta and loss, loss reduction, bias gradients, Adam. `Batch` is the per-mini-batch uniform (its start in
 * the shuffled order, Adam's step, its rows, its index), copied in from a per-epoch table before each batch,
 * so a whole epoch is one command buffer.
 */

const BATCH = /* wgsl */ `struct Batch { start: u32, t: u32, rows: u32, index: u32 }`;

/** dst[r · cols + c] = src[order[start + r] · cols + c] for the batch's rows. */
export const GATHER_WGSL = /* wgsl */ `
${BATCH}
struct Cfg { cols: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> b: Batch;
@group(0) @binding(4) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let idx = g.x + g.y * nw.x * 256u;
  if (idx >= b.rows * cfg.cols) { return; }
  let r = idx / cfg.cols;
  let c = idx % cfg.cols;
  dst[idx] = src[order[b.start + r] * cfg.cols + c];
}`;

/**
 * Output activation in place (0 identity, 1 logistic, 2 softmax), loss per row, and (training) delta = p − t.
 * Targets are read at row r (gathered batch) or at row start + r (evaluation on the validation rows).
 */
export const OUTPUT_WGSL = /* wgsl */ `
${BATCH}
struct Cfg { width: u32, kind: u32, train: u32, targetsAtStart: u32 }
@group(0) @binding(0) var<storage, read_write> z: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> delta: array<f32>;
@group(0) @binding(3) var<storage, read_write> lossRows: array<f32>;
@group(0) @binding(4) var<uniform> b: Batch;
@group(0) @binding(5) var<uniform> cfg: Cfg;
fn pointLoss(p: f32, t: f32) -> f32 {
  if (cfg.kind == 0u) { return 0.5 * (p - t) * (p - t); }
  let q = clamp(p, 1e-7, 1.0 - 1e-7);
  if (cfg.kind == 2u) { return select(0.0, -t * log(q), t > 0.0); }
  return -(t * log(q) + (1.0 - t) * log(1.0 - q));
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r = g.x;
  if (r >= b.rows) { return; }
  let w = cfg.width;
  let base = r * w;
  let tBase = select(r, b.start + r, cfg.targetsAtStart == 1u) * w;
  if (cfg.kind == 1u) {
    for (var c = 0u; c < w; c++) {
      let v = z[base + c];
      z[base + c] = select(exp(v) / (1.0 + exp(v)), 1.0 / (1.0 + exp(-v)), v >= 0.0);
    }
  } else if (cfg.kind == 2u) {
    var m = z[base];
    for (var c = 1u; c < w; c++) { m = max(m, z[base + c]); }
    var s = 0.0;
    for (var c = 0u; c < w; c++) { let e = exp(z[base + c] - m); z[base + c] = e; s += e; }
    for (var c = 0u; c < w; c++) { z[base + c] = z[base + c] / s; }
  }
  var loss = 0.0;
  for (var c = 0u; c < w; c++) {
    let p = z[base + c];
    let t = targets[tBase + c];
    loss += pointLoss(p, t);
    if (cfg.train == 1u) { delta[base + c] = p - t; }
  }
  lossRows[r] = loss;
}`;

/** out[index] = Σ lossRows[0..rows) (+ ½ α Σ W² over params[0..wEnd) when training). One workgroup. */
export const REDUCE_WGSL = /* wgsl */ `
${BATCH}
struct Cfg { wEnd: u32, withL2: u32, halfAlpha: f32 }
@group(0) @binding(0) var<storage, read> lossRows: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> b: Batch;
@group(0) @binding(4) var<uniform> cfg: Cfg;
var<workgroup> partL: array<f32, 256>;
var<workgroup> partW: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) l: u32) {
  var s = 0.0;
  for (var i = l; i < b.rows; i += 256u) { s += lossRows[i]; }
  var q = 0.0;
  if (cfg.withL2 == 1u) { for (var i = l; i < cfg.wEnd; i += 256u) { q += params[i] * params[i]; } }
  partL[l] = s;
  partW[l] = q;
  workgroupBarrier();
  for (var step = 128u; step > 0u; step >>= 1u) {
    if (l < step) { partL[l] += partL[l + step]; partW[l] += partW[l + step]; }
    workgroupBarrier();
  }
  if (l == 0u) { out[b.index] = partL[0] + cfg.halfAlpha * partW[0]; }
}`;

/** gB[j] = Σ_r D[r, j] / rows. */
export const BIAS_GRAD_WGSL = /* wgsl */ `
${BATCH}
struct Cfg { width: u32 }
@group(0) @binding(0) var<storage, read> d: array<f32>;
@group(0) @binding(1) var<storage, read_write> gb: array<f32>;
@group(0) @binding(2) var<uniform> b: Batch;
@group(0) @binding(3) var<uniform> cfg: Cfg;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= cfg.width) { return; }
  var s = 0.0;
  for (var r = 0u; r < b.rows; r++) { s += d[r * cfg.width + j]; }
  gb[j] = s / f32(b.rows);
}`;

/** Adam on every parameter, with scikit-learn's step size lr · √(1 − β2ᵗ) / (1 − β1ᵗ). */
export const ADAM_WGSL = /* wgsl */ `
${BATCH}
struct Cfg { count: u32, lr: f32 }
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> b: Batch;
@group(0) @binding(5) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = g.x + g.y * nw.x * 256u;
  if (i >= cfg.count) { return; }
  let t = f32(b.t);
  let stepSize = cfg.lr * sqrt(1.0 - pow(0.999, t)) / (1.0 - pow(0.9, t));
  let gi = grads[i];
  m[i] = 0.9 * m[i] + 0.1 * gi;
  v[i] = 0.999 * v[i] + 0.001 * gi * gi;
  params[i] -= stepSize * m[i] / (sqrt(v[i]) + 1e-8);
}`;

/** Workgroup counts for n threads of 256, split over y when x would pass the 65535 limit. */
export function grid256(n: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / 256));
  if (groups <= 65535) return [groups, 1];
  const x = 65535;
  return [x, Math.ceil(groups / x)];
}
