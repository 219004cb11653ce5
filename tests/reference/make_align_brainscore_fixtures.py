#!/usr/bin/python3
"""Reference values for `llmloc align --brainscore` and `extract --context passage`, computed by the libraries that
Brain-Score language (brain-score/language @ c505c70) calls: scikit-learn's ShuffleSplit and LinearRegression, scipy's
pearsonr, xarray's median / mean / std, numpy's RandomState and percentile, Python's re.

    /usr/bin/python3 tests/reference/make_align_brainscore_fixtures.py tests/LlmLoc.Tests/Fixtures/brainscore

Debian 12's python3 with numpy 1.24, scipy 1.10, scikit-learn 1.2.1. Writes brainscore.json and brainscore_*.npy
(described in that folder's README.md). Nothing here is hand-computed: every expected value comes from a library call.
"""
import json
import math
import os
import re
import sys
import warnings

import numpy as np
import scipy
import scipy.stats
import sklearn
import xarray as xr
from numpy.random import RandomState
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import ShuffleSplit

warnings.simplefilter("ignore")  # scipy's ConstantInputWarning: the r is NaN, which is what we record
out = sys.argv[1]


def finite_or_name(value):
    value = float(value)
    return value if math.isfinite(value) else ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))


def splits_of(n, splits, train_size, seed):
    return list(ShuffleSplit(n_splits=splits, train_size=train_size, random_state=seed).split(np.zeros(n)))


def linear_pearsonr(x, y, splits=10, train_size=0.9, seed=1):
    """The metric: per split LinearRegression on the training rows (sorted, as Brain-Score sorts by stimulus_id, which
    is the row index here), predict the test rows, scipy pearsonr per column, median over columns skipping NaN (xarray);
    then mean over splits (skipping NaN) and the standard error std(ddof=0) / sqrt(splits), as Split.aggregate."""
    r_rows, predictions = [], []
    for train, test in splits_of(len(x), splits, train_size, seed):
        train, test = np.sort(train), np.sort(test)
        prediction = LinearRegression().fit(x[train], y[train]).predict(x[test])
        predictions.append(prediction)
        r_rows.append([scipy.stats.pearsonr(y[test][:, c], prediction[:, c])[0] for c in range(y.shape[1])])
    r = xr.DataArray(np.array(r_rows, dtype=float), dims=["split", "neuroid"])
    medians = r.median("neuroid")
    center = medians.mean("split")
    error = medians.std("split") / math.sqrt(len(medians["split"]))
    return dict(r=[[finite_or_name(v) for v in row] for row in r.values], medians=[finite_or_name(m) for m in medians.values],
                score=float(center), error=float(error)), predictions


def prepare_context(parts):
    kept = [part for part in parts if part.strip() != ""]
    return re.sub(r"\s+([.,!?;:])", r"\1", " ".join(kept))


fixture = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}}

# 1. ShuffleSplit index sets, in the order scikit-learn yields them (train, test).
fixture["shuffle_split"] = [
    dict(n=n, splits=k, train_size=t, seed=s,
         sets=[dict(train=tr.tolist(), test=te.tolist()) for tr, te in splits_of(n, k, t, s)])
    for n, k, t, s in [(30, 10, 0.9, 1), (243, 10, 0.9, 1), (384, 10, 0.9, 1), (100, 3, 0.29, 7), (10, 4, 0.7, 0),
                       (57, 5, 0.5, 123), (5003, 2, 0.9, 2 ** 32 - 1)]]

# 2. brain-score/language metrics/linear_predictivity/test.py test_mismatched_source_target: X and Y generated as there.
random_state = RandomState(1)
source = (np.arange(30 * 25) + random_state.standard_normal(30 * 25)).reshape((30, 25))
target = random_state.poisson(lam=1, size=30 * 25).reshape((30, 25))
np.save(os.path.join(out, "brainscore_mismatched_X.npy"), source)
np.save(os.path.join(out, "brainscore_mismatched_Y.npy"), target.astype(np.float64))
mismatched, _ = linear_pearsonr(source, target.astype(np.float64))
mismatched["asserted_by_brainscore"] = 0.02826294
mismatched["asserted_tolerance"] = 0.00001
fixture["mismatched"] = mismatched

# 3. d < training size: per-split predictions of LinearRegression, r, medians, score, error.
rs = RandomState(20240601)
x = rs.standard_normal((150, 20))
w = rs.standard_normal((20, 12))
y = x @ w * 0.3 + rs.standard_normal((150, 12)) * 2.0 + 5.0
np.save(os.path.join(out, "brainscore_tall_X.npy"), x)
np.save(os.path.join(out, "brainscore_tall_Y.npy"), y)
tall, predictions = linear_pearsonr(x, y)
np.save(os.path.join(out, "brainscore_tall_predictions.npy"), np.stack(predictions))  # [split × test item × column]
fixture["tall"] = tall

# 4. Two experiments scored separately as the Pereira2018 benchmark does: rows of each experiment (file order),
#    dropna over neuroids within the experiment, the metric, ceiling-normalised (clipped to [0, 1]) and averaged.
rs = RandomState(99)
experiments = ["e1"] * 40 + ["e2"] * 48
rs.shuffle(experiments)  # interleaved rows: each experiment's rows keep their file order
features = rs.standard_normal((88, 6))
responses = features @ rs.standard_normal((6, 9)) * 0.2 + rs.standard_normal((88, 9))
responses[np.array(experiments) == "e1", 7:] = np.nan  # subject 3 (columns 7, 8) did only e2
responses[np.array(experiments) == "e2", 0] = np.nan   # column 0: only e1
np.save(os.path.join(out, "brainscore_groups_X.npy"), features)
np.save(os.path.join(out, "brainscore_groups_Y.npy"), responses)
ceilings = {"e1": 0.35378928, "e2": 0.36343748}
groups = {}
assembly = xr.DataArray(responses, dims=["presentation", "neuroid"], coords={"experiment": ("presentation", experiments)})
for name in ["e1", "e2"]:
    rows = np.flatnonzero(np.array(experiments) == name)
    kept = assembly.isel(presentation=rows).dropna("neuroid")
    columns = [c for c in range(responses.shape[1]) if not np.isnan(responses[rows, c]).any()]
    assert kept.shape[1] == len(columns)
    result, _ = linear_pearsonr(features[rows], kept.values)
    result["columns"] = columns
    result["normalised"] = float(min(max(result["score"] / ceilings[name], 0.0), 1.0))
    groups[name] = result
fixture["groups"] = dict(experiments=experiments, ceilings=ceilings, scores=groups,
                         mean=float(np.mean([groups[g]["score"] for g in groups])),
                         normalised_mean=float(np.mean([groups[g]["normalised"] for g in groups])))

# 5. language − random over N random sets: bootstrap of the random mean with RandomState(seed).randint(0, N, (B, N)).
language, random_scores, seed, samples = 0.21, [0.12, 0.19, 0.05, 0.23, 0.16, 0.08, 0.21], 42, 10000
draws = RandomState(seed).randint(0, len(random_scores), (samples, len(random_scores)))
differences = language - np.asarray(random_scores)[draws].mean(axis=1)
fixture["random_comparison"] = dict(language=language, random=random_scores, seed=seed, samples=samples,
                                    difference=float(language - np.mean(random_scores)),
                                    interval=[float(v) for v in np.percentile(differences, [2.5, 97.5])],
                                    first_draws=draws[:3].tolist(),
                                    at_least_as_good=int(sum(r >= language for r in random_scores)))

# 6. Passage contexts: drop parts whose stripped text is empty, join with one space, no whitespace before . , ! ? ; :
cases = [["The cat sat.", "It purred ."], ["A", "  ", "", "b , c", ". d"], ["x\u00a0", "; y\t", "\u2003!"],
         ["one\n", "\x1c", "two\x1f", ":three"], ["Wait  ...", "what ?!", "ok", " , "], ["  lead", "trail  "],
         ["q\u3000?", "r\u0085.", "s\u200b."]]
fixture["prepare_context"] = [dict(parts=c, context=prepare_context(c)) for c in cases]

# 7. scipy.stats.pearsonr on its special cases: two items (sign product), a constant side (NaN), magnitudes near 1e300.
rs = RandomState(5)
pairs = [([1.0, 2.0], [5.0, 3.0]), ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]), ([1e300, -2e300, 3e300, 5e299], [1.0, 2.0, 3.0, 4.0]),
         ([1e307, -2e307, 3e307, 5e306], [4e307, -3e307, 1.5e307, -1e307]), (rs.standard_normal(7).tolist(), rs.standard_normal(7).tolist())]
fixture["pearsonr"] = [dict(x=x, y=y, r=finite_or_name(scipy.stats.pearsonr(x, y)[0])) for x, y in pairs]

with open(os.path.join(out, "brainscore.json"), "w", encoding="utf-8") as f:
    json.dump(fixture, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("mismatched score", mismatched["score"], "error", mismatched["error"])
