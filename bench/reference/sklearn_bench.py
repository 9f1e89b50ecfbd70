"""scikit-learn side of `npm run bench:ml` (bench/ml/run.ts): fits the same model on the same design matrices.

Input: a directory with jobs.json ([{dataset, model, task, repeats}]) and per dataset <name>.Xtrain.f64,
.ytrain.f64, .Xtest.f64, .ytest.f64 (little-endian float64) and <name>.json ({rows_train, rows_test, cols}).
Output: one JSON line per job: {dataset, model, score, fit_s}. Threads are pinned to 1 by the caller.
"""
import json
import sys
import time

import numpy as np
from sklearn import ensemble, linear_model, naive_bayes, neighbors, neural_network, pipeline, preprocessing, svm, tree
from sklearn.metrics import accuracy_score, r2_score


def make(model, task):
    reg = task == "regression"
    if model == "linear":
        return linear_model.LinearRegression()
    if model == "ridge":
        return linear_model.Ridge(alpha=1.0)
    if model == "lasso":
        return linear_model.Lasso(alpha=1.0)
    if model == "elasticnet":
        return linear_model.ElasticNet(alpha=1.0, l1_ratio=0.5)
    if model == "polynomial":
        return pipeline.make_pipeline(preprocessing.PolynomialFeatures(2, include_bias=False), linear_model.LinearRegression())
    if model == "logistic":
        return linear_model.LogisticRegression(C=1.0, max_iter=1000)
    if model == "decision_tree":
        return (tree.DecisionTreeRegressor if reg else tree.DecisionTreeClassifier)(random_state=42)
    if model == "random_forest":
        cls = ensemble.RandomForestRegressor if reg else ensemble.RandomForestClassifier
        return cls(n_estimators=100, random_state=42, n_jobs=1)
    if model == "gradient_boosting":
        cls = ensemble.GradientBoostingRegressor if reg else ensemble.GradientBoostingClassifier
        return cls(n_estimators=100, max_depth=3, learning_rate=0.1, random_state=42)
    if model == "svm":
        return svm.SVR() if reg else svm.SVC(probability=True, random_state=42)
    if model == "naive_bayes":
        return naive_bayes.GaussianNB()
    if model == "mlp":
        cls = neural_network.MLPRegressor if reg else neural_network.MLPClassifier
        return cls(hidden_layer_sizes=(100,), max_iter=200, random_state=42)
    if model == "knn":
        return (neighbors.KNeighborsRegressor if reg else neighbors.KNeighborsClassifier)(n_neighbors=5)
    raise ValueError(model)


def load(directory, name):
    meta = json.load(open(f"{directory}/{name}.json"))
    c = meta["cols"]
    read = lambda part: np.fromfile(f"{directory}/{name}.{part}.f64", dtype="<f8")
    return (read("Xtrain").reshape(-1, c), read("ytrain"), read("Xtest").reshape(-1, c), read("ytest"))


def main(directory):
    import warnings

    warnings.filterwarnings("ignore")
    cache = {}
    for job in json.load(open(f"{directory}/jobs.json")):
        name = job["dataset"]
        if name not in cache:
            cache[name] = load(directory, name)
        Xtr, ytr, Xte, yte = cache[name]
        best = float("inf")
        for _ in range(job["repeats"]):
            m = make(job["model"], job["task"])
            t = time.perf_counter()
            m.fit(Xtr, ytr)
            best = min(best, time.perf_counter() - t)
        pred = m.predict(Xte)
        score = r2_score(yte, pred) if job["task"] == "regression" else accuracy_score(yte, pred)
        print(json.dumps({"dataset": name, "model": job["model"], "score": score, "fit_s": best}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
