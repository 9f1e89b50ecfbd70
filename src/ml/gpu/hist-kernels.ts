/**
 * WGSL for histogram boosting. Histograms use the CPU engine's layout (hist.ts: feature f, bin b at
 * f · 512 + 2b for the gradient and + 1 for the hessian; 256 bins, 255 = missing), one block of
 * words · 2048 values per slot, so a GPU histogram can be checked against buildHistogram value for value.
 *
 * Building: each workgroup takes a chunk of rows and one 32-bit word of bins (four features), keeps a
 * private histogram of those four features in workgroup memory, then adds it to the slot's global
 * histogram once. WGSL has only 32-bit integer atomics, so there are two builders:
 * - float: f32 values added with a compare-exchange loop on their bit patterns (exact sums of exactly
 *   representable values; otherwise float32 rounding in a scheduling-dependent order);
 * - quantised: gradients scaled to integers on the CPU and added with atomicAdd (exact and deterministic;
 *   the scale bounds the total so it cannot overflow, and costs resolution on millions of rows).
 */

/** Rows each histogram workgroup reads. */
export const HIST_CHUNK = 2048;
/** Values per slot per 32-bit word of bins (4 features × 256 bins × 2). */
export const WORD_BLOCK = 2048;

const HIST_HEAD = /* wgsl */ `
struct Cfg { nRows: u32, words: u32, chunk: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> bins: array<u32>;
@group(0) @binding(1) var<storage, read> gh: array<VALUE>;
@group(0) @binding(2) var<storage, read> rowNode: array<i32>;
@group(0) @binding(3) var<storage, read> slotOfNode: array<i32>;
@group(0) @binding(4) var<storage, read_write> hist: array<atomic<ATOM>>;
@group(0) @binding(5) var<uniform> cfg: Cfg;
var<workgroup> local: array<atomic<ATOM>, ${2048}>;
`;

const HIST_BODY = /* wgsl */ `
// Workgroup (chunk of rows, word of bins, slot): the chunk's rows that belong to this slot.
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) l: u32) {
  let word = wg.y;
  let slot = i32(wg.z);
  for (var i = l; i < 2048u; i += 256u) { atomicStore(&local[i], ZERO); }
  workgroupBarrier();
  let start = wg.x * cfg.chunk;
  let end = min(start + cfg.chunk, cfg.nRows);
  for (var r = start + l; r < end; r += 256u) {
    let node = rowNode[r];
    if (node < 0 || slotOfNode[node] != slot) { continue; }
    let w = bins[r * cfg.words + word];
    let g = gh[2u * r];
    let h = gh[2u * r + 1u];
    for (var q = 0u; q < 4u; q++) {
      let at = (q * 256u + ((w >> (8u * q)) & 255u)) * 2u;
      ADD(&local[at], g);
      ADD(&local[at + 1u], h);
    }
  }
  workgroupBarrier();
  let base = wg.z * cfg.words * 2048u + word * 2048u;
  for (var i = l; i < 2048u; i += 256u) {
    let v = atomicLoad(&local[i]);
    if (v != ZERO) { FLUSH(&hist[base + i], v); }
  }
}`;

/** Float histograms: f32 sums through compare-exchange on the bit patterns. */
export const HIST_FLOAT_WGSL = `${HIST_HEAD.replaceAll("VALUE", "f32").replaceAll("ATOM", "u32")}
fn addBits(p: ptr<workgroup, atomic<u32>>, v: f32) {
  var old = atomicLoad(p);
  loop {
    let r = atomicCompareExchangeWeak(p, old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
fn flushBits(p: ptr<storage, atomic<u32>, read_write>, bits: u32) {
  let v = bitcast<f32>(bits);
  var old = atomicLoad(p);
  loop {
    let r = atomicCompareExchangeWeak(p, old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
${HIST_BODY.replaceAll("ZERO", "0u").replaceAll("ADD(", "addBits(").replaceAll("FLUSH(", "flushBits(")}`;

/** Quantised histograms: integer gradients added with atomicAdd (exact, order-independent). */
export const HIST_QUANTISED_WGSL = `${HIST_HEAD.replaceAll("VALUE", "i32").replaceAll("ATOM", "i32")}
${HIST_BODY.replaceAll("ZERO", "0i").replaceAll("ADD(", "atomicAdd(").replaceAll("FLUSH(", "atomicAdd(")}`;

/** hist[dst block] = hist[parent block] − hist[child block] (the subtraction trick), float histograms. */
export const SUBTRACT_WGSL = /* wgsl */ `
struct Cfg { block: u32, parent: u32, child: u32, dst: u32 }
@group(0) @binding(0) var<storage, read_write> hist: array<f32>;
@group(0) @binding(1) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= cfg.block) { return; }
  hist[cfg.dst * cfg.block + i] = hist[cfg.parent * cfg.block + i] - hist[cfg.child * cfg.block + i];
}`;

/**
 * Best numeric split per open node, as split.ts's numericSplit: every bin boundary with the missing rows
 * sent right and left, the same minimum-hessian rules, ties to the lower feature and bin. One workgroup per
 * node; threads take features, then the workgroup reduces to the best. out[k · 8 …] = gain, feature, bin,
 * defaultLeft, gL, hL, gR, hR (gain 0, feature −1 when nothing qualifies).
 */
export const SPLIT_WGSL = /* wgsl */ `
struct Cfg { nFeatures: u32, words: u32, l1: f32, l2: f32, minChildWeight: f32, minSamplesLeaf: f32 }
struct Node { slot: f32, g: f32, h: f32, count: f32 }
@group(0) @binding(0) var<storage, read> hist: array<f32>;
@group(0) @binding(1) var<storage, read> nodes: array<Node>;
@group(0) @binding(2) var<storage, read> binCounts: array<i32>;
@group(0) @binding(3) var<storage, read> usable: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> cfg: Cfg;
var<workgroup> bestGain: array<f32, 64>;
var<workgroup> bestAt: array<u32, 64>;
var<workgroup> bestRec: array<array<f32, 8>, 64>;
fn soft(g: f32) -> f32 {
  if (g > cfg.l1) { return g - cfg.l1; }
  if (g < -cfg.l1) { return g + cfg.l1; }
  return 0.0;
}
fn score(g: f32, h: f32) -> f32 { let t = soft(g); return t * t / (h + cfg.l2); }
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) l: u32) {
  let node = nodes[wg.x];
  let G = node.g;
  let H = node.h;
  let parent = score(G, H);
  var perHess = 0.0;
  if (H > 0.0) { perHess = node.count / H; }
  var minH = cfg.minChildWeight;
  if (perHess > 0.0) { minH = max(minH, cfg.minSamplesLeaf / perHess); }
  let maxH = H - minH;
  let empty = 1e-6 * H;
  var rec = array<f32, 8>(0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  var at = 0xffffffffu;
  let block = u32(node.slot) * cfg.words * 2048u;
  for (var f = l; f < cfg.nFeatures; f += 64u) {
    if (usable[f] == 0u) { continue; }
    let base = block + f * 512u;
    let gm = hist[base + 510u];
    let hm = hist[base + 511u];
    let hasMissing = hm > 0.0;
    var gl = 0.0;
    var hl = 0.0;
    let nBins = binCounts[f];
    for (var b = 0; b < nBins - 1; b++) {
      let hb = hist[base + 2u * u32(b) + 1u];
      gl += hist[base + 2u * u32(b)];
      hl += hb;
      if (hb < empty && hb > -empty) { continue; }
      if (hl >= minH && hl <= maxH) {
        let gain = score(gl, hl) + score(G - gl, H - hl) - parent;
        if (gain > rec[0]) {
          var dl = 0.0;
          if (!hasMissing && hl >= H - hl) { dl = 1.0; }
          rec = array<f32, 8>(gain, f32(f), f32(b), dl, gl, hl, G - gl, H - hl);
          at = f * 256u + u32(b);
        }
      }
      if (!hasMissing) { continue; }
      let gl2 = gl + gm;
      let hl2 = hl + hm;
      if (hl2 >= minH && hl2 <= maxH) {
        let gain = score(gl2, hl2) + score(G - gl2, H - hl2) - parent;
        if (gain > rec[0]) {
          rec = array<f32, 8>(gain, f32(f), f32(b), 1.0, gl2, hl2, G - gl2, H - hl2);
          at = f * 256u + u32(b);
        }
      }
    }
  }
  bestGain[l] = rec[0];
  bestAt[l] = at;
  bestRec[l] = rec;
  workgroupBarrier();
  for (var step = 32u; step > 0u; step >>= 1u) {
    if (l < step) {
      let o = l + step;
      if (bestGain[o] > bestGain[l] || (bestGain[o] == bestGain[l] && bestAt[o] < bestAt[l])) {
        bestGain[l] = bestGain[o];
        bestAt[l] = bestAt[o];
        bestRec[l] = bestRec[o];
      }
    }
    workgroupBarrier();
  }
  if (l == 0u) { for (var i = 0u; i < 8u; i++) { out[wg.x * 8u + i] = bestRec[0][i]; } }
}`;

/**
 * Moves every row of a split node to its child (missing → the learned default side, else bin ≤ threshold
 * goes left) and counts the rows of each child. splits[node · 4 …] = feature, bin, defaultLeft, left child
 * (−1: the node is not split this level). Nodes are tree-local ids.
 */
export const PARTITION_WGSL = /* wgsl */ `
struct Cfg { nRows: u32, words: u32 }
@group(0) @binding(0) var<storage, read> bins: array<u32>;
@group(0) @binding(1) var<storage, read_write> rowNode: array<i32>;
@group(0) @binding(2) var<storage, read> splits: array<i32>;
@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let r = g.x + g.y * nw.x * 256u;
  if (r >= cfg.nRows) { return; }
  let node = rowNode[r];
  if (node < 0) { return; }
  let left = splits[4 * node + 3];
  if (left < 0) { return; }
  let f = u32(splits[4 * node]);
  let b = (bins[r * cfg.words + f / 4u] >> (8u * (f % 4u))) & 255u;
  var goLeft = b <= u32(splits[4 * node + 1]);
  if (b == 255u) { goLeft = splits[4 * node + 2] == 1; }
  let child = select(left + 1, left, goLeft);
  rowNode[r] = child;
  atomicAdd(&counts[child], 1u);
}`;

/**
 * Prediction: raw[i] += the leaf value each tree sends binned row i to (forest.ts's arrays, numeric
 * splits), one thread per row walking every tree.
 */
export const TRAVERSE_WGSL = /* wgsl */ `
struct Cfg { nRows: u32, words: u32, nTrees: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> bins: array<u32>;
@group(0) @binding(1) var<storage, read> roots: array<i32>;
@group(0) @binding(2) var<storage, read> nodes: array<i32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> raw: array<f32>;
@group(0) @binding(5) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let r = g.x + g.y * nw.x * 256u;
  if (r >= cfg.nRows) { return; }
  var acc = raw[r];
  for (var t = 0u; t < cfg.nTrees; t++) {
    var node = roots[t];
    loop {
      // nodes[4 · node …] = feature (−1 leaf), bin, flags (1 = default left), child / value offset.
      let f = nodes[4 * node];
      if (f < 0) { break; }
      let b = (bins[r * cfg.words + u32(f) / 4u] >> (8u * (u32(f) % 4u))) & 255u;
      var goLeft = b <= u32(nodes[4 * node + 1]);
      if (b == 255u) { goLeft = (nodes[4 * node + 2] & 1) == 1; }
      node = nodes[4 * node + 3] + select(1, 0, goLeft);
    }
    acc += values[nodes[4 * node + 3]];
  }
  raw[r] = acc;
}`;
