"""Reference values for the statistical tests of /stats (test/ml/stats/scipy-agreement.test.ts), computed with
Debian's python3-scipy 1.10.1 and numpy 1.24.

Run: /usr/bin/python3 bench/reference/stats_reference.py   (writes test/fixtures/stats/scipy_reference.json)

Every case keeps its inputs next to SciPy's outputs, so the TypeScript test feeds the same numbers. Inputs are
drawn from seeded generators and rounded (to 4 decimals, or to integers where ties are the point). NaN is
written as null and infinities as "inf" / "-inf" (JSON has neither). Welch's ANOVA is not in SciPy 1.10; its
statistic is Welch's (1951) formula in numpy, with SciPy's F distribution for the p-value. The effect sizes
(Cohen's d, rank-biserial r, eta², epsilon²) are their textbook formulas in numpy. Confidence intervals use
t quantiles from SciPy's t distribution (see t_quantile).
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import special, stats

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "stats", "scipy_reference.json")
rng = np.random.RandomState(20261206)


def normal(n, loc=0.0, scale=1.0, digits=4):
    return np.round(rng.normal(loc, scale, n), digits)


def integers(n, lo, hi):
    return rng.randint(lo, hi + 1, n).astype(float)


def num(v):
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def arr(a):
    return [num(v) for v in np.asarray(a, dtype=float)]


def t_quantile(p, df):
    """SciPy's t.ppf, polished by two Newton steps on stdtr: for fractional df (Welch) t.ppf alone is only
    good to about 1e-9 (stdtr(df, -t.ppf(0.975, df)) = 0.02500000023 for df = 44.6)."""
    t = stats.t.ppf(p, df)
    for _ in range(2):
        t += (p - special.stdtr(df, t)) / stats.t.pdf(t, df)
    return t


def t_ci(estimate, se, df, level=0.95):
    half = t_quantile(1 - (1 - level) / 2, df) * se
    return [num(estimate - half), num(estimate + half)]


def welch_case(name, x, y):
    res = stats.ttest_ind(x, y, equal_var=False)
    n1, n2 = len(x), len(y)
    v1, v2 = np.var(x, ddof=1), np.var(y, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (v1 / n1 + v2 / n2) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    df = 1.0 if np.isnan(df) else df
    diff = np.mean(x) - np.mean(y)
    pooled = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.float64(diff) / pooled
    return {"name": name, "x": arr(x), "y": arr(y), "t": num(res.statistic), "p": num(res.pvalue),
            "df": num(df), "ci": t_ci(diff, math.sqrt(v1 / n1 + v2 / n2), df), "cohensD": num(d)}


def paired_case(name, x, y):
    res = stats.ttest_rel(x, y)
    d = np.asarray(x) - np.asarray(y)
    n = len(d)
    sd = np.std(d, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dz = np.float64(np.mean(d)) / sd
    return {"name": name, "x": arr(x), "y": arr(y), "t": num(res.statistic), "p": num(res.pvalue),
            "df": n - 1, "ci": t_ci(np.mean(d), sd / math.sqrt(n), n - 1), "cohensD": num(dz)}


def mwu_case(name, x, y):
    res = stats.mannwhitneyu(x, y, alternative="two-sided")
    return {"name": name, "x": arr(x), "y": arr(y), "u": num(res.statistic), "p": num(res.pvalue),
            "rankBiserial": num(2 * res.statistic / (len(x) * len(y)) - 1)}


def welch_anova(groups):
    k = len(groups)
    n = np.array([len(g) for g in groups], dtype=float)
    means = np.array([np.mean(g) for g in groups])
    w = n / np.array([np.var(g, ddof=1) for g in groups])
    mw = np.sum(w * means) / np.sum(w)
    a = np.sum(w * (means - mw) ** 2) / (k - 1)
    lam = np.sum((1 - w / np.sum(w)) ** 2 / (n - 1))
    f = a / (1 + 2 * (k - 2) / (k * k - 1) * lam)
    df2 = (k * k - 1) / (3 * lam)
    return f, k - 1, df2, stats.f.sf(f, k - 1, df2)


def anova_case(name, groups, welch=True):
    res = stats.f_oneway(*groups)
    alldata = np.concatenate(groups)
    grand = np.mean(alldata)
    ss_between = sum(len(g) * (np.mean(g) - grand) ** 2 for g in groups)
    ss_total = np.sum((alldata - grand) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta2 = np.float64(ss_between) / ss_total
    case = {"name": name, "groups": [arr(g) for g in groups], "f": num(res.statistic), "p": num(res.pvalue),
            "df1": len(groups) - 1, "df2": len(alldata) - len(groups), "etaSquared": num(eta2)}
    if welch:
        f, df1, df2, p = welch_anova(groups)
        case["welch"] = {"f": num(f), "df1": df1, "df2": num(df2), "p": num(p)}
        lev = stats.levene(*groups, center="median")
        case["levene"] = {"w": num(lev.statistic), "p": num(lev.pvalue)}
    return case


def kruskal_case(name, groups):
    res = stats.kruskal(*groups)
    n = sum(len(g) for g in groups)
    return {"name": name, "groups": [arr(g) for g in groups], "h": num(res.statistic), "p": num(res.pvalue),
            "df": len(groups) - 1, "epsilonSquared": num(res.statistic / (n - 1))}


def chi2_case(name, table):
    table = np.asarray(table)
    res = stats.chi2_contingency(table)
    return {"name": name, "table": table.tolist(), "chi2": num(res[0]), "p": num(res[1]), "df": int(res[2]),
            "expected": [arr(r) for r in res[3]],
            "cramersV": num(stats.contingency.association(table, method="cramer"))}


def shapiro_case(name, x):
    res = stats.shapiro(x)
    return {"name": name, "x": arr(x), "w": num(res.statistic), "p": num(res.pvalue)}


def normaltest_case(name, x):
    res = stats.normaltest(x)
    s = stats.skewtest(x)
    k = stats.kurtosistest(x)
    return {"name": name, "x": arr(x), "k2": num(res.statistic), "p": num(res.pvalue),
            "zSkewness": num(s.statistic), "zKurtosis": num(k.statistic),
            "skewness": num(stats.skew(x)), "excessKurtosis": num(stats.kurtosis(x))}


def regression_case(name, x, y):
    res = stats.linregress(x, y)
    df = len(x) - 2
    return {"name": name, "x": arr(x), "y": arr(y), "slope": num(res.slope), "intercept": num(res.intercept),
            "r": num(res.rvalue), "p": num(res.pvalue), "slopeStderr": num(res.stderr),
            "interceptStderr": num(res.intercept_stderr),
            "slopeCi": t_ci(res.slope, res.stderr, df), "interceptCi": t_ci(res.intercept, res.intercept_stderr, df)}


def correlation_case(name, x, y):
    p = stats.pearsonr(x, y)
    s = stats.spearmanr(x, y)
    return {"name": name, "x": arr(x), "y": arr(y), "pearson": {"r": num(p.statistic), "p": num(p.pvalue)},
            "spearman": {"r": num(s.correlation), "p": num(s.pvalue)}}


def describe_case(name, x):
    x = np.asarray(x, dtype=float)
    q = np.quantile(x, [0, 0.25, 0.5, 0.75, 1])
    return {"name": name, "x": arr(x), "mean": num(np.mean(x)), "std": num(np.std(x, ddof=1)), "quantiles": arr(q)}


def main():
    import warnings
    warnings.simplefilter("ignore")
    x_line = np.arange(1, 41, dtype=float)
    out = {
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "welch": [
            welch_case("normal 30 vs 25, shifted", normal(30, 10, 2), normal(25, 11.2, 3)),
            welch_case("n = 3 each", normal(3, 5, 1), normal(3, 6, 1)),
            welch_case("integer ties", integers(20, 1, 5), integers(18, 2, 6)),
            welch_case("large n, tiny p", normal(500, 0, 1), normal(400, 0.6, 1.5)),
            welch_case("zero variance, different means", np.full(6, 3.0), np.full(5, 4.0)),
            welch_case("zero variance, same mean", np.full(4, 2.0), np.full(4, 2.0)),
            welch_case("one group constant", np.full(5, 1.0), normal(7, 2, 1)),
        ],
        "paired": [
            paired_case("before/after 20", normal(20, 50, 5), normal(20, 48, 5)),
            paired_case("n = 3", normal(3, 1, 1), normal(3, 0, 1)),
            paired_case("integer ties", integers(15, 1, 4), integers(15, 1, 4)),
            paired_case("constant difference", np.arange(6.0) + 2, np.arange(6.0)),
        ],
        "mannWhitney": [
            mwu_case("exact 5 vs 7", normal(5, 0, 1), normal(7, 1, 1)),
            mwu_case("exact 3 vs 20", normal(3, 0, 1), normal(20, 0.5, 1)),
            mwu_case("exact 8 vs 8", normal(8, 0, 1), normal(8, 0.2, 1)),
            mwu_case("asymptotic 30 vs 40", normal(30, 0, 1), normal(40, 0.4, 1)),
            mwu_case("ties, small", integers(6, 1, 4), integers(7, 2, 5)),
            mwu_case("ties, large", integers(60, 1, 7), integers(50, 2, 8)),
            mwu_case("complete separation", np.arange(1.0, 6.0), np.arange(10.0, 16.0)),
        ],
        "anova": [
            anova_case("3 groups", [normal(20, 5, 1), normal(25, 5.5, 1.2), normal(15, 6, 0.8)]),
            anova_case("4 unequal groups", [normal(8, 0, 1), normal(12, 0.3, 2), normal(30, 0.1, 1), normal(5, 1, 3)]),
            anova_case("n = 3 per group", [normal(3, 1, 1), normal(3, 2, 1), normal(3, 1.5, 1)]),
            anova_case("integer ties", [integers(12, 1, 5), integers(10, 2, 6), integers(11, 1, 4)]),
            anova_case("all groups constant", [np.full(4, 1.0), np.full(5, 2.0), np.full(3, 4.0)], welch=False),
            anova_case("all values equal", [np.full(4, 3.0), np.full(5, 3.0)], welch=False),
        ],
        "kruskal": [
            kruskal_case("3 groups", [normal(15, 0, 1), normal(18, 0.8, 1), normal(12, 0.2, 2)]),
            kruskal_case("ties", [integers(10, 1, 4), integers(12, 2, 5), integers(9, 1, 3), integers(11, 3, 6)]),
            kruskal_case("n = 3 per group", [normal(3, 0, 1), normal(3, 1, 1), normal(3, 2, 1)]),
        ],
        "chiSquare": [
            chi2_case("2x2", [[20, 15], [10, 25]]),
            chi2_case("2x2 with a zero cell", [[12, 0], [5, 9]]),
            chi2_case("2x3", [[30, 14, 6], [12, 20, 18]]),
            chi2_case("3x4", [[5, 12, 9, 4], [8, 3, 10, 11], [14, 6, 2, 9]]),
            chi2_case("small expected counts", [[2, 1, 0], [1, 3, 4]]),
        ],
        "shapiro": [shapiro_case(f"normal n = {n}", normal(n, 10, 2)) for n in (3, 4, 5, 6, 7, 9, 11, 12, 20, 50, 200, 1000)]
        + [
            shapiro_case("exponential n = 40", np.round(rng.exponential(2.0, 40), 4)),
            shapiro_case("uniform n = 100", np.round(rng.uniform(0, 1, 100), 4)),
            shapiro_case("integer ties n = 30", integers(30, 1, 6)),
            shapiro_case("n = 3 with ties", np.array([1.0, 1.0, 2.0])),
            shapiro_case("n = 3 equally spaced", np.array([1.0, 2.0, 3.0])),
            shapiro_case("zero range", np.full(10, 7.0)),
            shapiro_case("skewed n = 8", np.round(rng.lognormal(0, 1, 8), 4)),
        ],
        "dagostino": [
            normaltest_case("normal n = 8", normal(8)),
            normaltest_case("normal n = 20", normal(20, 3, 2)),
            normaltest_case("normal n = 200", normal(200)),
            normaltest_case("exponential n = 100", np.round(rng.exponential(1.0, 100), 4)),
            normaltest_case("integer ties n = 50", integers(50, 1, 5)),
            normaltest_case("heavy tails n = 300", np.round(rng.standard_t(2, 300), 4)),
        ],
        "regression": [
            regression_case("noisy line n = 40", x_line, np.round(3 + 0.5 * x_line + rng.normal(0, 2, 40), 4)),
            regression_case("n = 3", np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.5, 5.0])),
            regression_case("perfect line", np.arange(10.0), 2 * np.arange(10.0) + 1),
            regression_case("integer ties", integers(30, 1, 5), integers(30, 1, 8)),
            regression_case("negative slope", np.arange(60.0), np.round(100 - 1.5 * np.arange(60.0) + rng.normal(0, 10, 60), 4)),
        ],
        "correlation": [
            correlation_case("n = 3", np.array([1.0, 2.5, 2.0]), np.array([3.0, 5.0, 4.5])),
            correlation_case("n = 40 related", x_line[:40], np.round(x_line * 0.3 + rng.normal(0, 4, 40), 4)),
            correlation_case("integer ties", integers(25, 1, 4), integers(25, 1, 4)),
            correlation_case("independent n = 100", normal(100), normal(100)),
            correlation_case("constant", np.full(5, 1.0), np.arange(5.0)),
            correlation_case("perfect monotone", np.arange(1.0, 11.0), np.arange(1.0, 11.0) ** 3),
        ],
        "kolmogorov": [{"lambda": x, "q": num(special.kolmogorov(x))} for x in (0.3, 0.5, 0.8, 1.0, 1.36, 1.63, 2.0, 3.0)],
        "describe": [
            describe_case("normal n = 37", normal(37, 100, 15)),
            describe_case("n = 4", np.array([4.0, 1.0, 3.0, 2.0])),
            describe_case("ties", integers(20, 1, 3)),
        ],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT} (scipy {scipy.__version__})")


main()
