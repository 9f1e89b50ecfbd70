"""Expected coefficients for test/ml/models/linear.test.ts and logistic.test.ts (scikit-learn 1.2.1).

Run: /usr/bin/python3 bench/reference/linear_reference.py
"""
import json

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge

X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 6.0], [6.0, 5.0], [7.0, 8.0], [8.0, 6.5]])
y = np.array([3.1, 4.9, 7.2, 8.8, 11.1, 13.2, 14.8, 17.5])

Xc = np.array([[0.5, 1.2], [1.0, 0.3], [1.5, 2.2], [2.0, 1.1], [2.5, 0.4], [3.0, 2.9],
               [3.5, 1.7], [4.0, 0.2], [4.5, 2.5], [5.0, 1.4], [5.5, 3.1], [6.0, 0.9]])
yb = np.array([0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1])
ym = np.array([0, 0, 1, 0, 2, 1, 1, 2, 1, 2, 1, 2])

def fit(model, X, y):
    m = model.fit(X, y)
    return {"coef": np.ravel(m.coef_).tolist(), "intercept": np.ravel(m.intercept_).tolist()}

out = {
    "linear": fit(LinearRegression(), X, y),
    "ridge": fit(Ridge(alpha=1.0), X, y),
    "lasso": fit(Lasso(alpha=0.1), X, y),
    "elasticnet": fit(ElasticNet(alpha=0.1, l1_ratio=0.5), X, y),
    "logistic_binary": fit(LogisticRegression(C=1.0, max_iter=1000, tol=1e-8), Xc, yb),
    "logistic_multinomial": fit(LogisticRegression(C=1.0, max_iter=1000, tol=1e-8), Xc, ym),
}
m = LogisticRegression(C=1.0, max_iter=1000, tol=1e-8).fit(Xc, ym)
out["logistic_multinomial"]["proba_first_row"] = m.predict_proba(Xc[:1]).ravel().tolist()

# scikit-learn's lbfgs stops on scipy's relative-decrease test (ftol 2.2e-9), about 5e-5 short of the optimum
# here; the exact minimiser of the same objective (gradient ~1e-12) is what the test compares with.
from scipy.optimize import minimize
from scipy.special import logsumexp

Y = np.eye(3)[ym]


def objective(w):
    W = w[:6].reshape(3, 2)
    b = w[6:]
    Z = Xc @ W.T + b
    lse = logsumexp(Z, axis=1)
    P = np.exp(Z - lse[:, None])
    G = P - Y
    loss = np.sum(lse - np.sum(Z * Y, axis=1)) + 0.5 * np.sum(W * W)
    return loss, np.r_[(G.T @ Xc + W).ravel(), G.sum(0)]


r = minimize(objective, np.zeros(9), jac=True, method="L-BFGS-B", options=dict(gtol=1e-14, ftol=1e-16, maxiter=10000))
out["logistic_multinomial_exact"] = {"coef": r.x[:6].tolist(), "intercept": r.x[6:].tolist()}
print(json.dumps(out, indent=2))
