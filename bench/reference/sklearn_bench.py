"""scikit-learn side of `npm run bench:ml` (bench/ml/run.ts): fits the same model on the same design matrices.

Input: a directory with jobs.json ([{dataset, model, task, repeats}]) and per dataset <name>.Xtrain.f64,
.ytrain.f64, .Xtest.f64, .ytest.f64 (little-endian float64) and <name>.json ({rows_train, rows_test, cols}).
Output: one JSON line per job: {dataset, model, score, fit_s (CPU seconds), wall_s, predict_s (CPU)}. Threads are pinned to 1 by
the caller. XGBoost stands in for CatBoost and scikit-learn's HistGradientBoosting for LightGBM (not installed).
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
    if model == "hist_gradient_boosting":
        cls = ensemble.HistGradientBoostingRegressor if reg else ensemble.HistGradientBoostingClassifier
        return cls(max_iter=100, random_state=42)
    if model == "lightgbm":
        # LightGBM is not installed here: scikit-learn's leaf-wise HistGradientBoosting with LightGBM's
        # defaults as the original bot set them (31 leaves, 20 rows per leaf, no early stopping) stands in.
        cls = ensemble.HistGradientBoostingRegressor if reg else ensemble.HistGradientBoostingClassifier
        return cls(max_iter=100, max_leaf_nodes=31, min_samples_leaf=20, early_stopping=False, random_state=42)
    if model in ("xgboost", "catboost"):
        import xgboost as xgb

        cls = xgb.XGBRegressor if reg else xgb.XGBClassifier
        if model == "xgboost":
            return cls(n_estimators=100, max_depth=6, learning_rate=0.1, subsample=0.8, colsample_bytree=0.8,
                       min_child_weight=1, reg_lambda=1, tree_method="hist", nthread=1, random_state=42)
        # CatBoost is not installed here: XGBoost with CatBoost's defaults (1000 rounds, depth 6, lr 0.03,
        # L2 3, row subsample 0.8) stands in.
        return cls(n_estimators=1000, max_depth=6, learning_rate=0.03, subsample=0.8, reg_lambda=3,
                   min_child_weight=0, tree_method="hist", nthread=1, random_state=42)
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
        best_wall = float("inf")
        for _ in range(job["repeats"]):
            m = make(job["model"], job["task"])
            t = time.perf_counter()
            c = time.process_time()
            m.fit(Xtr, ytr)
            best = min(best, time.process_time() - c)
            best_wall = min(best_wall, time.perf_counter() - t)
        predict_s = float("inf")
        for _ in range(2):
            c = time.process_time()
            pred = m.predict(Xte)
            predict_s = min(predict_s, time.process_time() - c)
        score = r2_score(yte, pred) if job["task"] == "regression" else accuracy_score(yte, pred)
        row = {"dataset": name, "model": job["model"], "score": score, "fit_s": best, "wall_s": best_wall,
               "predict_s": predict_s}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
