"""What the trained model saw and can show: `model_info.json`, written by `train` beside the model.

It holds the run's label names, a few examples drawn from its test split and the composition of
the data it was trained on, so that everything the project shows (`GET /model`, the demo page's
examples, the API docs' example request, the datasheet) comes from the data of that run, not from
the sample the project was made with.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

FILE_NAME = "model_info.json"


def save(model_dir: str | Path, info: Mapping[str, Any]) -> Path:
    """Write `info` into `model_dir`, whole or not at all (a stop midway leaves the old file)."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / FILE_NAME
    partial = path.with_name(f".{FILE_NAME}.partial")
    partial.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def load(model_dir: str | Path) -> dict[str, Any]:
    """The info saved with the model in `model_dir`; `{}` for a model saved without one."""
    path = Path(model_dir) / FILE_NAME
    if not path.is_file():
        return {}
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} cannot be read ({exc}): train the model again.") from exc
    return info if isinstance(info, dict) else {}


def pick_examples(
    inputs: Sequence[Any], labels: Sequence[Hashable], limit: int = 6, seed: int = 0
) -> list[dict[str, Any]]:
    """Up to `limit` examples `{"input": ..., "label": ...}`, drawn with `seed` (a re-run picks
    the same): one of each label in the labels' order, then another of each, and so on, so
    the examples are as balanced as the labels allow."""
    order = list(range(len(inputs)))
    random.Random(seed).shuffle(order)
    by_label: dict[Hashable, list[int]] = {}
    for index in order:
        by_label.setdefault(labels[index], []).append(index)
    queues = [by_label[label] for label in sorted(by_label, key=str)]
    chosen: list[int] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return [{"input": inputs[index], "label": str(labels[index])} for index in chosen]
