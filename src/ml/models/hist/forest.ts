/**
 * Compact storage for an ensemble of binned trees: every tree's nodes in one set of flat typed arrays (so a
 * forest is a handful of arrays in the model's binary sidecar, not thousands of small ones). A split node
 * sends bin ≤ bin[node] left; MISSING_BIN follows the learned default; a categorical split sends the
 * categories whose bit is set left. Children are allocated in pairs: right = left + 1. Trees grown on exact
 * values (a forest on few numeric features) keep a threshold per node instead: x ≤ threshold goes left.
 */
import { type BinArray, MISSING_BIN } from "./binning.js";

export const FLAG_DEFAULT_LEFT = 1;
export const FLAG_CATEGORICAL = 2;
/** 256 bits per categorical split: one per possible bin. */
export const CAT_WORDS = 8;

export interface ForestArrays {
  nTrees: number;
  /** Outputs per leaf (1 for boosting and regression, k class shares for a classification forest). */
  nOut: number;
  /** Root node of each tree. */
  roots: Int32Array;
  /** Split feature, or −1 for a leaf. */
  feature: Int32Array;
  /** Split bins: uint16 for trees grown on uint16 bins (a wide bin mapper). */
  bin: BinArray;
  flags: Uint8Array;
  /** Split node: its left child. Leaf: the offset of its outputs in `values`. */
  child: Int32Array;
  /** Leaf outputs; float32 for random forests (averages of many trees need no more). */
  values: Float64Array | Float32Array;
  /** Categorical split node k (in node order) uses catBits[slot · CAT_WORDS …]; slot = catSlot[node]. */
  catSlot: Int32Array;
  catBits: Uint32Array;
  /** Exact trees: each split node's raw threshold (`bin` is then unused); absent for binned trees. */
  threshold?: Float64Array;
}

/**
 * A copy of an object literal, built by property stores. V8 makes a literal's boilerplate when the literal
 * runs a second time and widens its fields' types then: every compiled function that reads such an object
 * is deoptimised, so a process's second fit recompiled the grower's whole hot path (trace-deopt: "code
 * dependencies" at the job's and the data's literals). Objects built by stores keep their fields' types.
 */
export function storedCopy<T extends object>(literal: T): T {
  return Object.assign({}, literal);
}

function grow<T extends Int32Array | BinArray | Float64Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** One tree's arrays as a ForestBuilder holds them (node ids from 0), for a ForestSink. */
export interface GrownTree {
  nodes: number;
  nValues: number;
  nCat: number;
  feature: Int32Array;
  bin: BinArray;
  flags: Uint8Array;
  child: Int32Array;
  /** Empty when the tree has no categorical split. */
  catSlot: Int32Array;
  values: Float64Array | Float32Array;
  catBits: Uint32Array;
  /** Exact trees only: the raw threshold of each split node. */
  threshold?: Float64Array;
}

/** Appends trees node by node; `finish` trims the arrays. */
export class ForestBuilder {
  nodes = 0;
  nValues = 0;
  nCat = 0;
  roots: number[] = [];
  feature = new Int32Array(256);
  bin: BinArray;
  flags = new Uint8Array(256);
  child = new Int32Array(256);
  catSlot = new Int32Array(256);
  values = new Float64Array(256);
  catBits = new Uint32Array(CAT_WORDS * 4);
  /** Raw thresholds, once an exact tree was appended. */
  threshold: Float64Array | null = null;

  constructor(
    readonly nOut: number,
    /** Store leaf outputs as float32 (random forests). */
    readonly compactValues = false,
    /** Store split bins as uint16 (trees grown on a wide bin mapper's bins). */
    wideBins = false,
  ) {
    this.bin = wideBins ? new Uint16Array(256) : new Uint8Array(256);
  }

  /** Starts a tree; returns its root node (a leaf until split). */
  addRoot(): number {
    const id = this.allocate(1);
    this.roots.push(id);
    return id;
  }

  /** Turns a leaf into a split node with two fresh leaf children; returns the left child. */
  split(node: number, feature: number, bin: number, flags: number, catBits: Uint32Array | null): number {
    const left = this.allocate(2);
    this.feature[node] = feature;
    this.bin[node] = bin;
    this.flags[node] = flags;
    this.child[node] = left;
    if (catBits) {
      this.catBits = grow(this.catBits, (this.nCat + 1) * CAT_WORDS);
      this.catBits.set(catBits.subarray(0, CAT_WORDS), this.nCat * CAT_WORDS);
      this.catSlot[node] = this.nCat++;
    }
    return left;
  }

  /** Sets a leaf's outputs. */
  setLeaf(node: number, out: ArrayLike<number>): void {
    if (this.nValues + this.nOut > this.values.length)
      this.values = grow(this.values, this.nValues + this.nOut);
    for (let c = 0; c < this.nOut; c++) this.values[this.nValues + c] = out[c];
    this.child[node] = this.nValues;
    this.nValues += this.nOut;
  }

  /** Empties the builder, keeping its arrays (a thread grows its trees one by one in the same builder). */
  clear(): void {
    this.nodes = 0;
    this.nValues = 0;
    this.nCat = 0;
    this.roots = [];
  }

  /** Drops every tree from tree index `keep` on (early stopping keeps the best round's trees). */
  truncate(keep: number): void {
    if (keep >= this.roots.length) return;
    const firstNode = this.roots[keep];
    this.roots.length = keep;
    let values = 0;
    let cat = 0;
    for (let node = 0; node < firstNode; node++) {
      if (this.feature[node] < 0) values = Math.max(values, this.child[node] + this.nOut);
      else if (this.flags[node] & FLAG_CATEGORICAL) cat = Math.max(cat, this.catSlot[node] + 1);
    }
    this.nodes = firstNode;
    this.nValues = values;
    this.nCat = cat;
  }

  private allocate(count: number): number {
    const need = this.nodes + count;
    // One test per split: `grow` takes five kinds of array, so calling it per node array costs far more.
    if (need > this.feature.length) this.growNodes(need);
    const id = this.nodes;
    for (let k = id; k < need; k++) {
      this.feature[k] = -1;
      this.flags[k] = 0;
      this.bin[k] = 0;
      this.catSlot[k] = -1;
    }
    this.nodes = need;
    return id;
  }

  private growNodes(need: number): void {
    this.feature = grow(this.feature, need);
    this.bin = grow(this.bin, need);
    this.flags = grow(this.flags, need);
    this.child = grow(this.child, need);
    this.catSlot = grow(this.catSlot, need);
  }

  finish(): ForestArrays {
    const n = this.nodes;
    const hasCat = this.nCat > 0;
    return {
      nTrees: this.roots.length,
      nOut: this.nOut,
      roots: Int32Array.from(this.roots),
      feature: this.feature.slice(0, n),
      bin: this.bin.slice(0, n),
      flags: this.flags.slice(0, n),
      child: this.child.slice(0, n),
      values: this.compactValues ? toFloat32(this.values, this.nValues) : this.values.slice(0, this.nValues),
      catSlot: hasCat ? this.catSlot.slice(0, n) : new Int32Array(0),
      catBits: this.catBits.slice(0, this.nCat * CAT_WORDS),
      ...(this.threshold ? { threshold: this.threshold.slice(0, n) } : {}),
    };
  }
}

/**
 * The trees of one fit (each grown alone, node ids from 0) appended in tree order straight into the forest's
 * arrays as they come, with float32 leaf outputs; a tree grown on this thread needs no copy of its own. The
 * arrays are reserved for the trees to come from the sizes of those so far and handed out as views of their
 * used part: pages past it are never touched (fresh memory costs a page fault per 4 KB page on first write,
 * a large share of a forest's fit: 20 MB for 1M nodes), where an exact-size copy would touch all of it again.
 */
export class ForestSink {
  private readonly f: ForestArrays;
  private nodes = 0;
  private nValues = 0;
  private nCat = 0;
  private trees = 0;

  constructor(
    private readonly nTrees: number,
    private readonly nOut: number,
  ) {
    this.f = storedCopy({
      nTrees: 0,
      nOut,
      roots: new Int32Array(nTrees),
      feature: new Int32Array(0),
      bin: new Uint8Array(0) as BinArray,
      flags: new Uint8Array(0),
      child: new Int32Array(0),
      values: new Float32Array(0),
      catSlot: new Int32Array(0),
      catBits: new Uint32Array(0),
    });
  }

  /** Appends the next tree (its arrays are read now only: they may be a grower's, reused for its next tree). */
  add(t: GrownTree): void {
    const f = this.f;
    const full = this.nodes + t.nodes > f.feature.length || this.nValues + t.nValues > f.values.length;
    if (full || (t.threshold && !f.threshold)) this.reserve(t);
    if (t.nCat > 0 && f.catSlot.length === 0) {
      f.catSlot = new Int32Array(f.feature.length);
      f.catSlot.fill(-1, 0, this.nodes);
    }
    if ((this.nCat + t.nCat) * CAT_WORDS > f.catBits.length)
      f.catBits = grow(f.catBits, (this.nCat + t.nCat) * CAT_WORDS);
    f.roots[this.trees++] = this.nodes;
    copyTree(f, t, this.nodes, this.nValues, this.nCat);
    this.nodes += t.nodes;
    this.nValues += t.nValues;
    this.nCat += t.nCat;
  }

  /**
   * Room for tree t and the trees after it at the mean size so far (t's included) plus a tenth: the trees
   * of a forest are about the same size. Leaves are half the nodes plus one half per tree (binary trees).
   */
  private reserve(t: GrownTree): void {
    const f = this.f;
    const perTree = (this.nodes + t.nodes) / (this.trees + 1);
    const nodes = Math.max(
      this.nodes + t.nodes,
      Math.ceil(this.nodes + t.nodes + 1.1 * perTree * (this.nTrees - this.trees - 1)),
    );
    const values = Math.max(this.nValues + t.nValues, Math.ceil((nodes + this.nTrees) / 2) * this.nOut);
    const wide = t.bin instanceof Uint16Array || f.bin instanceof Uint16Array;
    f.feature = resized(f.feature, nodes, this.nodes);
    f.bin = resized(wide ? new Uint16Array(f.bin) : f.bin, nodes, this.nodes);
    f.flags = resized(f.flags, nodes, this.nodes);
    f.child = resized(f.child, nodes, this.nodes);
    if (f.catSlot.length > 0) f.catSlot = resized(f.catSlot, nodes, this.nodes);
    if (t.threshold || f.threshold)
      f.threshold = resized(f.threshold ?? new Float64Array(0), nodes, this.nodes);
    if (values > f.values.length) f.values = resized(f.values, values, this.nValues);
  }

  /** The forest of the trees added, as views of the arrays' used part. */
  finish(): ForestArrays {
    const { f, nodes } = this;
    return storedCopy({
      nTrees: this.trees,
      nOut: this.nOut,
      roots: f.roots.subarray(0, this.trees),
      feature: f.feature.subarray(0, nodes),
      bin: f.bin.subarray(0, nodes),
      flags: f.flags.subarray(0, nodes),
      child: f.child.subarray(0, nodes),
      values: f.values.subarray(0, this.nValues),
      catSlot: this.nCat > 0 ? f.catSlot.subarray(0, nodes) : new Int32Array(0),
      catBits: f.catBits.slice(0, this.nCat * CAT_WORDS),
      ...(f.threshold ? { threshold: f.threshold.subarray(0, nodes) } : {}),
    });
  }
}

/** A fresh array of `size` elements holding a's first `used`. */
function resized<T extends Int32Array | BinArray | Float64Array | Float32Array>(
  a: T,
  size: number,
  used: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a.subarray(0, used));
  return b;
}

/** Writes tree t at node `base` (its leaf outputs at valueBase, its category sets at slot catBase). */
function copyTree(f: ForestArrays, t: GrownTree, base: number, valueBase: number, catBase: number): void {
  const n = t.nodes;
  f.feature.set(t.feature.subarray(0, n), base);
  // Exact trees' bins and flags are all zero, as the fresh arrays are already (they may come empty).
  if (!t.threshold) {
    f.bin.set(t.bin.subarray(0, n), base);
    f.flags.set(t.flags.subarray(0, n), base);
  }
  const { feature, child } = t;
  const out = f.child;
  for (let k = 0; k < n; k++) out[base + k] = child[k] + (feature[k] >= 0 ? base : valueBase);
  if (t.nCat > 0) {
    const slot = t.catSlot;
    for (let k = 0; k < n; k++) f.catSlot[base + k] = slot[k] >= 0 ? slot[k] + catBase : -1;
  } else if (f.catSlot.length > 0) f.catSlot.fill(-1, base, base + n);
  if (t.threshold) f.threshold?.set(t.threshold.subarray(0, n), base);
  f.values.set(t.values.subarray(0, t.nValues), valueBase);
  f.catBits.set(t.catBits.subarray(0, t.nCat * CAT_WORDS), catBase * CAT_WORDS);
}

/** The first n values as float32 (`set` converts natively; `Float32Array.from` walks an iterator). */
export function toFloat32(values: Float64Array, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(values.subarray(0, n));
  return out;
}

type Nodes = Pick<ForestArrays, "feature" | "bin" | "flags" | "child" | "catSlot" | "catBits">;

/**
 * The leaf (its offset into values) reached from `root` by the row whose bins start at bins[base].
 * @param missing - the bins' missing bin (missingBin)
 */
export function leafOffset(
  f: Nodes,
  root: number,
  bins: BinArray,
  base: number,
  missing = MISSING_BIN,
): number {
  const { feature, bin, flags, child } = f;
  let node = root;
  let feat = feature[node];
  while (feat >= 0) {
    const b = bins[base + feat];
    const fl = flags[node];
    let right: number;
    if (fl & FLAG_CATEGORICAL) {
      right =
        b === missing
          ? (fl & FLAG_DEFAULT_LEFT) ^ 1
          : ((f.catBits[f.catSlot[node] * CAT_WORDS + (b >>> 5)] >>> (b & 31)) & 1) ^ 1;
    } else {
      // The missing bin is above every split bin, so it goes right unless the default is left.
      right = +(b > bin[node]) ^ (+(b === missing) & fl);
    }
    node = child[node] + right;
    feat = feature[node];
  }
  return child[node];
}

/**
 * Adds scale × (leaf outputs) of trees [firstTree, lastTree) into out for n binned rows (row-major n × p).
 * Tree t writes output column (t % stride) when `stride` > 1 (one tree per class per boosting round).
 */
export function accumulate(
  f: ForestArrays,
  bins: Uint8Array,
  n: number,
  p: number,
  out: Float64Array,
  outOffset: number,
  stride: number,
  scale = 1,
): void {
  const { roots, values, nOut } = f;
  const width = stride * nOut;
  for (let i = 0; i < n; i++) {
    const base = i * p;
    const o = (outOffset + i) * width;
    for (let t = 0; t < roots.length; t++) {
      const leaf = leafOffset(f, roots[t], bins, base);
      const at = o + (t % stride) * nOut;
      for (let c = 0; c < nOut; c++) out[at + c] += scale * values[leaf + c];
    }
  }
}
