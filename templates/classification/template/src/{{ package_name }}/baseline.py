"""Is the model any better than guessing? A trivial baseline on the same test split, and intervals.

The baseline predicts the most frequent training label for every test item. A paired bootstrap
(the same resampled test items scored for both) gives 95 % intervals of the model's accuracy and
macro F1 and of its lead over the baseline; the model is "clearly better" only when the interval
of that lead is above zero. `versus_baseline` returns what `reports/metrics.json` holds of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

BASELINE_NAME = "majority class"
METRIC_NAMES = {"accuracy": "accuracy", "macro_f1": "macro F1"}


def majority_baseline(
    train_labels: Sequence[Hashable], test_labels: Sequence[Hashable], labels: Sequence[Hashable]
) -> list[Hashable]:
    """The most frequent training label (the first of `labels` on a tie), for every test item."""
    counts = Counter(train_labels)
    majority = max(labels, key=lambda label: counts.get(label, 0))
    return [majority] * len(test_labels)


def _scores(true: np.ndarray, predicted: np.ndarray, classes: int) -> dict[str, np.ndarray]:
    """Accuracy and macro F1 of each row of `true`/`predicted` (label indices), vectorised."""
    rows = true.shape[0]
    offsets = (np.arange(rows) * classes)[:, None]
    correct = true == predicted

    def per_class(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        flat = np.bincount(
            (values + offsets).ravel(),
            weights=None if weights is None else weights.ravel(),
            minlength=rows * classes,
        )
        return flat.reshape(rows, classes)

    hits = per_class(true, correct.astype(float))
    both = per_class(true) + per_class(predicted)
    # sklearn's F1 with zero_division=0: a label neither true nor predicted scores 0.
    f1 = np.divide(2 * hits, both, out=np.zeros_like(hits, dtype=float), where=both > 0)
    return {"accuracy": correct.mean(axis=1), "macro_f1": f1.mean(axis=1)}


def compare(
    true: Sequence[Hashable],
    predicted: Sequence[Hashable],
    baseline_predicted: Sequence[Hashable],
    labels: Sequence[Hashable],
    metric: str = "macro_f1",
    seed: int = 0,
    resamples: int = 1000,
) -> dict[str, Any]:
    """The model against the baseline on `metric`, with paired-bootstrap 95 % intervals."""
    index = {label: position for position, label in enumerate(labels)}
    true_ids, model_ids, baseline_ids = (
        np.array([index[label] for label in column])
        for column in (true, predicted, baseline_predicted)
    )
    classes = len(labels)

    def score(guesses: np.ndarray) -> dict[str, float]:
        return {k: float(v[0]) for k, v in _scores(true_ids[None], guesses[None], classes).items()}

    model, baseline = score(model_ids), score(baseline_ids)
    draws = np.random.default_rng(seed).integers(0, len(true_ids), (resamples, len(true_ids)))
    model_draws = _scores(true_ids[draws], model_ids[draws], classes)
    baseline_draws = _scores(true_ids[draws], baseline_ids[draws], classes)

    def interval(values: np.ndarray) -> list[float]:
        low, high = np.percentile(values, [2.5, 97.5])
        return [round(float(low), 4), round(float(high), 4)]

    difference = interval(model_draws[metric] - baseline_draws[metric])
    model_interval = interval(model_draws[metric])
    better = difference[0] > 0
    return {
        "metric": metric,
        "model": round(model[metric], 4),
        "baseline": round(baseline[metric], 4),
        "model_interval": model_interval,
        "difference_interval": difference,
        "intervals": {name: interval(values) for name, values in model_draws.items()},
        "baseline_scores": {name: round(value, 4) for name, value in baseline.items()},
        "better": bool(better),
        "verdict": verdict(
            metric, model[metric], baseline[metric], model_interval, difference, better
        ),
    }


def verdict(
    metric: str,
    model: float,
    baseline: float,
    model_interval: Sequence[float],
    difference_interval: Sequence[float],
    better: bool,
) -> str:
    """One plain sentence: is the model clearly better than the baseline, by how much."""
    name = METRIC_NAMES.get(metric, metric)
    guesser = f"the {BASELINE_NAME.replace(' ', '-')} baseline"
    low, high = model_interval
    figures = (
        f"{name} {model:.3f} (95% interval {low:.3f} to {high:.3f}) against {baseline:.3f} "
        "on the same test split"
    )
    lead_low, lead_high = difference_interval
    if better:
        return f"Clearly better than {guesser}: {figures}."
    return (
        f"Not clearly better than {guesser}: {figures}; the interval of the "
        f"difference ({lead_low:+.3f} to {lead_high:+.3f}) does not exclude zero. Check the data "
        "and the training settings before trusting these results."
    )


def versus_baseline(
    true: Sequence[Hashable],
    predicted: Sequence[Hashable],
    train_labels: Sequence[Hashable],
    labels: Sequence[Hashable],
    metric: str = "macro_f1",
    seed: int = 0,
) -> dict[str, Any]:
    """What `reports/metrics.json` says of the baseline: `baseline`, `interval`, `verdict` and
    `better_than_baseline`, for a classifier's test-split predictions."""
    guessed = majority_baseline(train_labels, true, labels)
    result = compare(true, predicted, guessed, labels, metric=metric, seed=seed)
    return {
        "baseline": {"name": BASELINE_NAME, **result["baseline_scores"]},
        "interval": result["intervals"],
        "verdict": result["verdict"],
        "better_than_baseline": result["better"],
    }
