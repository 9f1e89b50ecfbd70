import { statsOverview, runStatsTest } from "./src/ml/stats/index.ts";
import type { Frame } from "./src/ml/types.ts";
const n = Number(process.argv[2] ?? 100000);
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const columns = Array.from({ length: 12 }, (_, j) => ({ name: `c${j}`, type: "numeric" as const, values: Float64Array.from({ length: n }, () => Math.round(rnd() * 1000) / 10 + j) }));
columns[3].values[5] = Number.NaN;
const groups = { name: "g", type: "categorical" as const, codes: Int32Array.from({ length: n }, () => Math.floor(rnd() * 3)), levels: ["a", "b", "c"] };
const frame: Frame = { nRows: n, columns: [...columns, groups] };
let t = performance.now();
statsOverview(frame);
console.log("overview", ((performance.now() - t) / 1000).toFixed(2), "s");
for (const [test, cols] of [["welch", ["c0", "g"]], ["kruskal", ["c0", "g"]], ["shapiro", ["c1"]], ["regression", ["c0", "c1"]], ["mannWhitney", ["c0", "g"]]] as const) {
  t = performance.now();
  const r = runStatsTest({ nRows: n, columns: [...columns, { ...groups, codes: groups.codes.map((c) => (test === "welch" || test === "mannWhitney" ? c % 2 : c)) }] }, test, [...cols]);
  console.log(test, r.ok, ((performance.now() - t) / 1000).toFixed(2), "s");
}
