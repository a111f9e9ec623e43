"""The fairness audit: how a classifier's decisions differ between groups of people.

For each group of a sensitive attribute (e.g. each sex, each age bin): accuracy, selection rate
(the share given the favourable outcome), true and false positive rates, computed with
fairlearn's `MetricFrame`; and for the attribute as a whole the demographic-parity and
equalized-odds differences (largest gap between groups, 0 is equal) and ratios (smallest over
largest, 1 is equal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

GROUP_METRICS = {
    "accuracy": accuracy_score,
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
}
GAP_METRICS = {
    "demographic_parity_difference": demographic_parity_difference,
    "demographic_parity_ratio": demographic_parity_ratio,
    "equalized_odds_difference": equalized_odds_difference,
    "equalized_odds_ratio": equalized_odds_ratio,
}


def _number(value: Any) -> float | None:
    """Rounded as every figure of metrics.json; None where a rate is undefined (a group with no
    positive or no negative case), since JSON has no NaN."""
    number = float(value)
    return None if math.isnan(number) else round(number, 4)


def audit(
    true: Sequence[str], predicted: Sequence[str], groups: Sequence[str], positive: str
) -> dict[str, Any]:
    """Per-group metrics and the gaps between groups, for one sensitive attribute."""
    y_true = (np.asarray(true, dtype=object) == positive).astype(int)
    y_pred = (np.asarray(predicted, dtype=object) == positive).astype(int)
    sensitive = pd.Series(np.asarray(groups, dtype=str), name="group")
    frame = MetricFrame(
        metrics=GROUP_METRICS, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive
    )
    counts = sensitive.value_counts()
    by_group = {
        str(group): {
            **{name: _number(row[name]) for name in GROUP_METRICS},
            "count": int(counts[group]),
        }
        for group, row in frame.by_group.iterrows()
    }
    gaps = {
        name: _number(metric(y_true, y_pred, sensitive_features=sensitive))
        for name, metric in GAP_METRICS.items()
    }
    return {**gaps, "groups": by_group}


def audit_all(
    true: Sequence[str], predicted: Sequence[str], groups: pd.DataFrame, positive: str
) -> dict[str, Any]:
    """`audit` for every sensitive attribute (every column of `groups`)."""
    return {str(name): audit(true, predicted, groups[name].tolist(), positive) for name in groups}
