"""Expected metric values for test/ml/metrics.test.ts, from scikit-learn (Debian python3-sklearn 1.2.1).

Run: /usr/bin/python3 bench/reference/metrics_reference.py
The inputs below are copied verbatim into the test; the printed JSON is hard-coded there.
"""
import json

import numpy as np
from sklearn import metrics as M

# Regression
y_true = np.array([3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 9.3, 5.5, 2.2, 6.8, 0.7, 3.3])
y_pred = np.array([2.5, 0.0, 2.1, 7.8, 3.9, 1.5, 8.7, 5.0, 2.9, 6.1, 1.2, 3.0])

# Binary: labels 0/1, probability of class 1 (with ties)
b_true = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0])
b_p1 = np.array([0.1, 0.9, 0.8, 0.4, 0.35, 0.4, 0.2, 0.7, 0.55, 0.6, 0.35, 0.05, 0.95, 0.4, 0.3, 0.65])
b_pred = (b_p1 >= 0.5).astype(int)

# Multiclass: 3 classes, probabilities per row
m_true = np.array([0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 0])
m_proba = np.array([
    [0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2],
    [0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.25, 0.5, 0.25],
    [0.6, 0.1, 0.3], [0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6], [0.4, 0.35, 0.25],
])
m_pred = m_proba.argmax(axis=1)

out = {
    "regression": {
        "r2": M.r2_score(y_true, y_pred),
        "mse": M.mean_squared_error(y_true, y_pred),
        "rmse": M.mean_squared_error(y_true, y_pred) ** 0.5,
        "mae": M.mean_absolute_error(y_true, y_pred),
        "mape": M.mean_absolute_percentage_error(y_true, y_pred),
    },
    "binary": {
        "accuracy": M.accuracy_score(b_true, b_pred),
        "precision": M.precision_score(b_true, b_pred),
        "recall": M.recall_score(b_true, b_pred),
        "f1": M.f1_score(b_true, b_pred),
        "f1Macro": M.f1_score(b_true, b_pred, average="macro"),
        "f1Weighted": M.f1_score(b_true, b_pred, average="weighted"),
        "rocAuc": M.roc_auc_score(b_true, b_p1),
        "prAuc": M.average_precision_score(b_true, b_p1),
        "logLoss": M.log_loss(b_true, np.c_[1 - b_p1, b_p1]),
        "brier": M.brier_score_loss(b_true, b_p1),
        "confusionMatrix": M.confusion_matrix(b_true, b_pred).tolist(),
    },
    "multiclass": {
        "accuracy": M.accuracy_score(m_true, m_pred),
        "precision": M.precision_score(m_true, m_pred, average="weighted", zero_division=0),
        "recall": M.recall_score(m_true, m_pred, average="weighted", zero_division=0),
        "f1": M.f1_score(m_true, m_pred, average="weighted", zero_division=0),
        "f1Macro": M.f1_score(m_true, m_pred, average="macro", zero_division=0),
        "f1Weighted": M.f1_score(m_true, m_pred, average="weighted", zero_division=0),
        "rocAuc": M.roc_auc_score(m_true, m_proba, multi_class="ovr", average="macro"),
        "prAuc": M.average_precision_score(np.eye(3)[m_true], m_proba, average="macro"),
        "logLoss": M.log_loss(m_true, m_proba),
        "confusionMatrix": M.confusion_matrix(m_true, m_pred).tolist(),
    },
}
print(json.dumps(out, indent=2))
