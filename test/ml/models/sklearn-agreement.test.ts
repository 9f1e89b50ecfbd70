/**
 * Our estimators against scikit-learn 1.2.1 on the same raw matrices. Expected values are hard-coded from
 * bench/reference/models_reference.py (run with /usr/bin/python3 from the repository root).
 */
import { describe, expect, it } from "vitest";
import type { Matrix } from "../../../src/ml/matrix.js";
import { DecisionTreeClassifier, DecisionTreeRegressor } from "../../../src/ml/models/decision-tree.js";
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
} from "../../../src/ml/models/gradient-boosting.js";
import { KNeighborsClassifier, KNeighborsRegressor } from "../../../src/ml/models/knn.js";
import { GaussianNB } from "../../../src/ml/models/naive-bayes.js";
import { SVC, SVR } from "../../../src/ml/models/svm.js";
import { Random } from "../../../src/ml/random.js";
import type { NumericColumn } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";

const ctx = () => ({ rng: new Random(0) });
const ROWS = [0, 50, 70, 100, 133];

async function raw(name: "iris" | "diabetes", target: string) {
  const f = await loadFixture(name);
  const feats = f.columns.filter((c) => c.name !== target) as NumericColumn[];
  const X: Matrix = { data: new Float64Array(f.nRows * feats.length), rows: f.nRows, cols: feats.length };
  feats.forEach((c, j) => {
    for (let i = 0; i < f.nRows; i++) X.data[i * feats.length + j] = c.values[i];
  });
  const t = f.columns.find((c) => c.name === target);
  const y =
    t && "codes" in t
      ? Float64Array.from(t.codes, (k) => ["setosa", "versicolor", "virginica"].indexOf(t.levels[k]))
      : Float64Array.from((t as NumericColumn).values);
  return { X, y };
}

function rowsOf(X: Matrix, rows: number[], cols?: number[]): Matrix {
  const c = cols ?? Array.from({ length: X.cols }, (_, j) => j);
  const data = new Float64Array(rows.length * c.length);
  rows.forEach((r, i) => {
    c.forEach((j, k) => {
      data[i * c.length + k] = X.data[r * X.cols + j];
    });
  });
  return { data, rows: rows.length, cols: c.length };
}

function expectRowsClose(actual: Float64Array, expected: number[][], digits: number): void {
  const k = expected[0].length;
  expected.forEach((row, i) => {
    row.forEach((v, c) => {
      expect(actual[i * k + c]).toBeCloseTo(v, digits);
    });
  });
}

function expectClose(actual: ArrayLike<number>, expected: number[], digits: number): void {
  expected.forEach((v, i) => {
    expect(actual[i]).toBeCloseTo(v, digits);
  });
}

const allIris = Array.from({ length: 150 }, (_, i) => i);
const testIris = allIris.filter((i) => i % 5 === 0);
const trainIris = allIris.filter((i) => i % 5 !== 0);

describe("GaussianNB", () => {
  it("predict_proba matches to 1e-9 (iris)", async () => {
    const { X, y } = await raw("iris", "species");
    const nb = new GaussianNB({ varSmoothing: 1e-9 });
    nb.nClasses = 3;
    nb.fit(X, y, ctx());
    expectRowsClose(
      nb.predictProba(rowsOf(X, ROWS)),
      [
        [1.0, 1.3578426545097532e-18, 7.112835116303153e-26],
        [3.2138093542663014e-109, 0.8040376655396823, 0.19596233446031797],
        [2.591538028250168e-130, 0.15449408494388256, 0.8455059150561174],
        [3.2324518072371566e-254, 6.353810311595855e-11, 0.9999999999364619],
        [2.6838258262863244e-131, 0.7126451442155293, 0.2873548557844709],
      ],
      9,
    );
  });
});

describe("k nearest neighbours", () => {
  it("classifier predictions, distance-weighted probabilities and regressor values match", async () => {
    const { X, y } = await raw("iris", "species");
    const ytr = Float64Array.from(trainIris, (i) => y[i]);
    const knn = new KNeighborsClassifier({ nNeighbors: 5, weights: "uniform", metric: "euclidean" });
    knn.nClasses = 3;
    knn.fit(rowsOf(X, trainIris), ytr, ctx());
    expect(Array.from(knn.predict(rowsOf(X, testIris)))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ]);
    const kd = new KNeighborsClassifier({ nNeighbors: 5, weights: "distance", metric: "euclidean" });
    kd.nClasses = 3;
    kd.fit(rowsOf(X, trainIris), ytr, ctx());
    expectRowsClose(
      kd.predictProba(rowsOf(X, testIris.slice(0, 6))),
      [
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
      ],
      12,
    );
    const d = await raw("diabetes", "progression");
    const kr = new KNeighborsRegressor({ nNeighbors: 5, weights: "uniform", metric: "euclidean" });
    const first = Array.from({ length: 350 }, (_, i) => i);
    kr.fit(rowsOf(d.X, first), d.y.slice(0, 350), ctx());
    const next = Array.from({ length: 15 }, (_, i) => 350 + i);
    expectClose(
      kr.predict(rowsOf(d.X, next)),
      [
        241.2, 102.4, 72.0, 173.2, 201.6, 116.6, 113.2, 124.6, 104.8, 250.8, 145.8, 156.4, 259.0, 110.8,
        162.0,
      ],
      9,
    );
  });
});

describe("decision trees", () => {
  it("regression tree (depth 3, diabetes): predictions and impurity importances match", async () => {
    const { X, y } = await raw("diabetes", "progression");
    const t = new DecisionTreeRegressor({
      maxDepth: 3,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      criterion: "gini",
    });
    t.fit(X, y, ctx());
    expectClose(
      t.predict(
        rowsOf(
          X,
          Array.from({ length: 20 }, (_, i) => i),
        ),
      ),
      [
        208.57142857142858, 83.36904761904762, 208.57142857142858, 176.86486486486487, 108.80459770114942,
        83.36904761904762, 108.80459770114942, 83.36904761904762, 154.66666666666666, 208.57142857142858,
        108.80459770114942, 154.66666666666666, 83.36904761904762, 176.86486486486487, 83.36904761904762,
        176.86486486486487, 208.57142857142858, 176.86486486486487, 108.80459770114942, 83.36904761904762,
      ],
      9,
    );
    expectClose(
      t.columnImportance(),
      [
        0.02078003835653888, 0.0, 0.37584937246690475, 0.0, 0.0, 0.0, 0.021069918051207757, 0.0,
        0.5823006711253487, 0.0,
      ],
      9,
    );
  });

  it("an unlimited Gini tree on iris has the same depth and leaves; entropy probabilities match", async () => {
    const { X, y } = await raw("iris", "species");
    const t = new DecisionTreeClassifier({
      maxDepth: null,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      criterion: "gini",
    });
    t.nClasses = 3;
    t.fit(X, y, ctx());
    const tree = t.getFitted().tree;
    const leaves = Array.from(tree.feature).filter((f) => f < 0).length;
    expect(leaves).toBe(9);
    const depthOf = (node: number): number =>
      tree.feature[node] < 0 ? 0 : 1 + Math.max(depthOf(tree.left[node]), depthOf(tree.right[node]));
    expect(depthOf(0)).toBe(5);
    const e = new DecisionTreeClassifier({
      maxDepth: 3,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      criterion: "entropy",
    });
    e.nClasses = 3;
    e.fit(X, y, ctx());
    expectRowsClose(
      e.predictProba(rowsOf(X, ROWS)),
      [
        [1.0, 0.0, 0.0],
        [0.0, 0.9791666666666666, 0.020833333333333332],
        [0.0, 0.3333333333333333, 0.6666666666666666],
        [0.0, 0.0, 1.0],
        [0.0, 0.3333333333333333, 0.6666666666666666],
      ],
      12,
    );
  });
});

describe("gradient boosting", () => {
  const params = {
    nEstimators: 20,
    learningRate: 0.1,
    maxDepth: 2,
    subsample: 1,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
  };

  it("regression (20 stages, depth 2, diabetes) matches", async () => {
    const { X, y } = await raw("diabetes", "progression");
    const g = new GradientBoostingRegressor(params).fit(X, y, ctx());
    expectClose(
      g.predict(
        rowsOf(
          X,
          Array.from({ length: 10 }, (_, i) => i),
        ),
      ),
      [
        181.17426627266346, 97.68845772264585, 171.30323630364302, 172.1714766826494, 110.27360053971978,
        100.47708619674951, 102.61511025171284, 112.70250792302731, 153.92863511522495, 182.36956968712164,
      ],
      8,
    );
  });

  it("multiclass and binary log-loss with Newton leaves (10 stages, iris) match", async () => {
    const { X, y } = await raw("iris", "species");
    const m = new GradientBoostingClassifier({ ...params, nEstimators: 10 });
    m.nClasses = 3;
    m.fit(X, y, ctx());
    expectRowsClose(
      m.predictProba(rowsOf(X, ROWS)),
      [
        [0.7988306378212622, 0.10011591153200036, 0.10105345064673757],
        [0.11025119150991235, 0.7775827835031615, 0.11216602498692618],
        [0.11251066566326831, 0.2486048224593459, 0.6388845118773857],
        [0.09989111383109213, 0.11397308366871235, 0.7861358025001955],
        [0.10867448167135663, 0.39577696189389766, 0.49554855643474555],
      ],
      9,
    );
    const b = new GradientBoostingClassifier({ ...params, nEstimators: 10 });
    b.nClasses = 2;
    b.fit(
      X,
      Float64Array.from(y, (v) => (v === 2 ? 1 : 0)),
      ctx(),
    );
    expectRowsClose(
      b.predictProba(rowsOf(X, ROWS)),
      [
        [0.8759374938937088, 0.12406250610629121],
        [0.8759374938937088, 0.12406250610629121],
        [0.34766050056217623, 0.6523394994378238],
        [0.24280507211573865, 0.7571949278842613],
        [0.4590408356129554, 0.5409591643870446],
      ],
      9,
    );
  });
});

describe("support vector machines", () => {
  const params = {
    C: 1,
    kernel: "rbf" as const,
    gamma: "scale" as const,
    epsilon: 0.1,
    probability: false,
    tol: 1e-3,
    maxIter: 1e7,
  };

  it("SVC (RBF and linear, one-vs-one) predicts the same classes with the same support vector count", async () => {
    const { X, y } = await raw("iris", "species");
    const ytr = Float64Array.from(trainIris, (i) => y[i]);
    const s = new SVC(params);
    s.nClasses = 3;
    s.fit(rowsOf(X, trainIris), ytr, ctx());
    expect(Array.from(s.predict(rowsOf(X, testIris)))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ]);
    expect(s.getFitted().nSV).toBe(54);
    const lin = new SVC({ ...params, kernel: "linear" });
    lin.nClasses = 3;
    lin.fit(rowsOf(X, trainIris), ytr, ctx());
    expect(Array.from(lin.predict(rowsOf(X, testIris)))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ]);
  });

  it("Platt-scaled probabilities are proper distributions that agree with the votes on clear cases", async () => {
    const { X, y } = await raw("iris", "species");
    const s = new SVC({ ...params, probability: true });
    s.nClasses = 3;
    s.fit(
      rowsOf(X, trainIris),
      Float64Array.from(trainIris, (i) => y[i]),
      ctx(),
    );
    const test = rowsOf(X, testIris);
    const p = s.predictProba(test);
    const votes = s.predict(test);
    let agree = 0;
    for (let i = 0; i < testIris.length; i++) {
      const row = Array.from(p.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      if (row.indexOf(Math.max(...row)) === votes[i]) agree++;
    }
    expect(agree).toBeGreaterThanOrEqual(28);
  });

  it("ε-SVR (RBF, standardised diabetes) predictions match to 1e-2", async () => {
    const { X, y } = await raw("diabetes", "progression");
    for (let j = 0; j < X.cols; j++) {
      let m = 0;
      for (let i = 0; i < X.rows; i++) m += X.data[i * X.cols + j];
      m /= X.rows;
      let v = 0;
      for (let i = 0; i < X.rows; i++) v += (X.data[i * X.cols + j] - m) ** 2;
      const sd = Math.sqrt(v / X.rows);
      for (let i = 0; i < X.rows; i++) X.data[i * X.cols + j] = (X.data[i * X.cols + j] - m) / sd;
    }
    const s = new SVR(params).fit(X, y, ctx());
    expectClose(
      s.predict(
        rowsOf(
          X,
          Array.from({ length: 10 }, (_, i) => i),
        ),
      ),
      [
        154.5529648991535, 113.21789706210701, 146.27243674276713, 144.1596589237069, 127.32212144445994,
        127.58144775024464, 113.57753994304781, 142.59795250349012, 143.88432730426499, 150.42263941299964,
      ],
      2,
    );
  });
});
