"""Expected outputs for test/ml/models/sklearn-agreement.test.ts (scikit-learn 1.2.1).

Run from the repository root: /usr/bin/python3 bench/reference/models_reference.py
Reads test/fixtures/{iris,diabetes}.csv; the features are used raw (no scaling) so the test can feed the
same matrices to our estimators directly.
"""
import json

import numpy as np
import pandas as pd
from sklearn import ensemble, naive_bayes, neighbors, svm, tree

iris = pd.read_csv("test/fixtures/iris.csv")
Xi = iris.iloc[:, :4].to_numpy()
yi = pd.Categorical(iris["species"]).codes  # setosa 0, versicolor 1, virginica 2
dia = pd.read_csv("test/fixtures/diabetes.csv")
Xd = dia.drop(columns="progression").to_numpy()
yd = dia["progression"].to_numpy()
Xd_std = (Xd - Xd.mean(0)) / Xd.std(0)

test_rows = np.arange(150) % 5 == 0
train_rows = ~test_rows
rows = [0, 50, 70, 100, 133]
out = {}

nb = naive_bayes.GaussianNB().fit(Xi, yi)
out["nb_proba"] = nb.predict_proba(Xi[rows]).tolist()

knn = neighbors.KNeighborsClassifier(5).fit(Xi[train_rows], yi[train_rows])
out["knn_pred"] = knn.predict(Xi[test_rows]).tolist()
knnd = neighbors.KNeighborsClassifier(5, weights="distance").fit(Xi[train_rows], yi[train_rows])
out["knn_distance_proba"] = knnd.predict_proba(Xi[test_rows])[:6].tolist()
# Diabetes, not iris: iris has exact distance ties, which scikit-learn breaks by an unspecified order.
knr = neighbors.KNeighborsRegressor(5).fit(Xd[:350], yd[:350])
out["knn_reg_pred"] = knr.predict(Xd[350:365]).tolist()

dtr = tree.DecisionTreeRegressor(max_depth=3, random_state=0).fit(Xd, yd)
out["tree_reg_pred"] = dtr.predict(Xd[:20]).tolist()
out["tree_reg_importance"] = dtr.feature_importances_.tolist()
dtc = tree.DecisionTreeClassifier(random_state=0).fit(Xi, yi)
out["tree_clf_depth"] = int(dtc.get_depth())
out["tree_clf_leaves"] = int(dtc.get_n_leaves())
dte = tree.DecisionTreeClassifier(criterion="entropy", max_depth=3, random_state=0).fit(Xi, yi)
out["tree_entropy_proba"] = dte.predict_proba(Xi[rows]).tolist()

gbr = ensemble.GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0).fit(Xd, yd)
out["gb_reg_pred"] = gbr.predict(Xd[:10]).tolist()
gbc = ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(Xi, yi)
out["gb_multi_proba"] = gbc.predict_proba(Xi[rows]).tolist()
yb = (yi == 2).astype(int)
gbb = ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(Xi, yb)
out["gb_binary_proba"] = gbb.predict_proba(Xi[rows]).tolist()

svc = svm.SVC(C=1.0, kernel="rbf", gamma="scale").fit(Xi[train_rows], yi[train_rows])
out["svc_pred"] = svc.predict(Xi[test_rows]).tolist()
out["svc_n_support"] = svc.n_support_.tolist()
lin = svm.SVC(C=1.0, kernel="linear").fit(Xi[train_rows], yi[train_rows])
out["svc_linear_pred"] = lin.predict(Xi[test_rows]).tolist()
svr = svm.SVR(C=1.0, epsilon=0.1).fit(Xd_std, yd)
out["svr_pred"] = svr.predict(Xd_std[:10]).tolist()

print(json.dumps(out))
