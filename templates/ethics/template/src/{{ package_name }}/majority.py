"""Is the model better than guessing? A comparison with the trivial baseline on the test split.

The baseline always predicts the outcome most frequent in the training split (the majority
class). Both are scored on the same test people; a paired bootstrap (the same resampled people
for both, `resamples` times) gives a 95 % interval of the model's macro F1 and accuracy, and of
the difference in macro F1 from the baseline's. The model is called better only when that
interval lies above 0: on a few hundred people a small lead can be luck. Macro F1 weighs both
outcomes equally, so always answering the frequent one cannot score well on it, where it can on
accuracy (700 good of 1,000 loans: 0.70 for saying "good" to everyone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

METRIC_NAMES = {"macro_f1": "macro F1", "accuracy": "accuracy"}


def majority_baseline(
    train_labels: Sequence[str], test_labels: Sequence[str], labels: Sequence[str]
) -> list[str]:
    """The most frequent training label (the first of `labels` on a tie), for every test item."""
    counts = Counter(train_labels)
    most = max(labels, key=lambda label: (counts[label], -list(labels).index(label)))
    return [most] * len(test_labels)


def _scores(true: np.ndarray, predicted: np.ndarray, classes: int) -> dict[str, np.ndarray]:
    """Accuracy and macro F1 of each row of `true`/`predicted` (class indices, one row per
    resample), computed at once."""
    f1 = []
    for label in range(classes):
        is_true, is_predicted = true == label, predicted == label
        hits = np.sum(is_true & is_predicted, axis=-1)
        wrong = np.sum(is_true != is_predicted, axis=-1)  # false positives and negatives
        denominator = 2 * hits + wrong
        f1.append(np.divide(2 * hits, denominator, out=np.zeros(hits.shape), where=denominator > 0))
    return {"accuracy": np.mean(true == predicted, axis=-1), "macro_f1": np.mean(f1, axis=0)}


def _interval(values: np.ndarray) -> list[float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def compare(
    true: Sequence[str],
    predicted: Sequence[str],
    baseline_predicted: Sequence[str],
    labels: Sequence[str],
    metric: str = "macro_f1",
    seed: int = 0,
    resamples: int = 1000,
) -> dict[str, Any]:
    """The model against the baseline on the same test items, with a paired bootstrap."""
    index = {label: number for number, label in enumerate(labels)}
    y_true = np.array([index[label] for label in true])
    y_model = np.array([index[label] for label in predicted])
    y_base = np.array([index[label] for label in baseline_predicted])
    rows = np.random.default_rng(seed).integers(0, len(y_true), size=(resamples, len(y_true)))
    model = _scores(y_true, y_model, len(labels))
    base = _scores(y_true, y_base, len(labels))
    model_boot = _scores(y_true[rows], y_model[rows], len(labels))
    base_boot = _scores(y_true[rows], y_base[rows], len(labels))
    difference = _interval(model_boot[metric] - base_boot[metric])
    better = difference[0] > 0
    name = METRIC_NAMES[metric]
    model_value, base_value = round(float(model[metric]), 4), round(float(base[metric]), 4)
    majority = baseline_predicted[0] if len(baseline_predicted) else labels[0]
    if better:
        verdict = (
            f"Better than always predicting the majority class ({majority}): {name} "
            f"{model_value:.3f} against {base_value:.3f}, the 95 % interval of the difference "
            f"[{difference[0]:.3f}, {difference[1]:.3f}] is above 0."
        )
    else:
        verdict = (
            f"Not clearly better than always predicting the majority class ({majority}): "
            f"{name} {model_value:.3f} against {base_value:.3f}, the 95 % interval of the "
            f"difference [{difference[0]:.3f}, {difference[1]:.3f}] includes 0 or lies below "
            "it. Do not trust its decisions or its audit."
        )
    return {
        "metric": metric,
        "model": model_value,
        "baseline": base_value,
        "baseline_scores": {key: round(float(value), 4) for key, value in base.items()},
        "difference_interval": difference,
        "model_interval": _interval(model_boot[metric]),
        "intervals": {key: _interval(values) for key, values in model_boot.items()},
        "better": bool(better),
        "verdict": verdict,
    }
