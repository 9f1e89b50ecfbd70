"""Reference side of the issue-12 shapes in `npm run bench:ml` (bench/ml/shapes-bench.ts).

Usage: shapes_bench.py DIR JOB_JSON. DIR holds <name>.Xtrain.f64, .ytrain.f64, .Xtest.f64, .ytest.f64 and
<name>.json ({cols}); JOB_JSON is {dataset, model, task, threads, max_bin (xgboost; default 256)}. Prints one
JSON line: {score, fit_s (wall),
cpu_s, iterations, evaluations}. The caller sets OMP_NUM_THREADS to the job's thread count.
Models: logistic (LogisticRegression lbfgs, C=1), xgboost (XGBoost's own defaults: 100 rounds, depth 6,
learning rate 0.3, 256 bins, no sampling; nthread), random_forest (100 trees, n_jobs).
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score, r2_score


def make(model, task, threads, max_bin=256):
    reg = task == "regression"
    if model == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1.0, max_iter=1000)
    if model == "xgboost":
        import xgboost as xgb

        cls = xgb.XGBRegressor if reg else xgb.XGBClassifier
        return cls(n_estimators=100, max_depth=6, learning_rate=0.3, max_bin=max_bin, tree_method="hist",
                   nthread=threads, random_state=42)
    if model == "random_forest":
        from sklearn import ensemble

        cls = ensemble.RandomForestRegressor if reg else ensemble.RandomForestClassifier
        return cls(n_estimators=100, random_state=42, n_jobs=threads)
    raise ValueError(model)


def count_evaluations():
    """Counts loss evaluations of scikit-learn's lbfgs by wrapping scipy.optimize.minimize's function."""
    import scipy.optimize

    calls = [0]
    original = scipy.optimize.minimize

    def minimize(fun, *a, **k):
        def counted(*x, **kw):
            calls[0] += 1
            return fun(*x, **kw)

        return original(counted, *a, **k)

    import sklearn.linear_model._logistic as lg

    lg.optimize.minimize = minimize
    return calls


def main(directory, job):
    import warnings

    warnings.filterwarnings("ignore")
    name = job["dataset"]
    c = json.load(open(f"{directory}/{name}.json"))["cols"]
    read = lambda part: np.fromfile(f"{directory}/{name}.{part}.f64", dtype="<f8")
    Xtr, ytr, Xte, yte = read("Xtrain").reshape(-1, c), read("ytrain"), read("Xtest").reshape(-1, c), read("ytest")
    calls = count_evaluations() if job["model"] == "logistic" else [0]
    m = make(job["model"], job["task"], job["threads"], job.get("max_bin", 256))
    t = time.perf_counter()
    cpu = time.process_time()
    m.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    pred = m.predict(Xte)
    score = r2_score(yte, pred) if job["task"] == "regression" else accuracy_score(yte, pred)
    iters = int(np.max(m.n_iter_)) if hasattr(m, "n_iter_") else 0
    print(json.dumps({"score": score, "fit_s": fit_s, "cpu_s": cpu_s, "iterations": iters, "evaluations": calls[0]}))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
