"""Figures for `reports/figures/`.

They are drawn on `matplotlib.figure.Figure` objects rather than through pyplot: a bare Figure
saves to PNG with the Agg backend, needs no display (CI, Docker and SSH sessions have none) and
leaves no global state behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def plot_confusion_matrix(matrix: np.ndarray, labels: Sequence[str], path: Path) -> Path:
    """Rows are the true labels, columns the predicted ones; each cell shows its count."""
    size = 1.2 + 0.9 * len(labels)
    fig = Figure(figsize=(size + 1.0, size))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="Predicted label",
        ylabel="True label",
        title="Confusion matrix (test split)",
    )
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        color = "white" if count > threshold else "black"
        ax.text(column, row, str(count), ha="center", va="center", color=color)
    return save_figure(fig, path)


def plot_learning_curve(
    sizes: Sequence[int],
    train_scores: Sequence[float],
    validation_scores: Sequence[float],
    path: Path,
) -> Path:
    """Accuracy against training-set size: a gap between the curves means overfitting, a
    validation curve still rising at the right means more data would help."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.plot(sizes, train_scores, marker="o", label="train")
    ax.plot(sizes, validation_scores, marker="o", label="validation")
    ax.set(
        xlabel="Training examples",
        ylabel="Accuracy",
        ylim=(0, 1.05),
        title="Learning curve",
    )
    ax.grid(alpha=0.3)
    ax.legend()
    return save_figure(fig, path)


def plot_training_curves(
    history: Sequence[Mapping[str, float]], path: Path, best_epoch: int | None = None
) -> Path:
    """Loss and accuracy after each epoch, on the training and the validation split.

    `history` holds one mapping per epoch with `train_loss`, `validation_loss`,
    `train_accuracy` and `validation_accuracy`; `best_epoch` (counted from 1) marks the epoch
    whose weights were kept. Validation loss rising while training loss falls is overfitting.
    """
    epochs = range(1, len(history) + 1)
    fig = Figure(figsize=(10, 4))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    for ax, metric, title in (
        (loss_ax, "loss", "Cross-entropy loss"),
        (accuracy_ax, "accuracy", "Accuracy"),
    ):
        for split in ("train", "validation"):
            ax.plot(
                epochs,
                [epoch[f"{split}_{metric}"] for epoch in history],
                marker="o",
                markersize=3,
                label=split,
            )
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle="--", linewidth=1, label="kept")
        ax.set(xlabel="Epoch", title=title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    accuracy_ax.set_ylim(0, 1.05)
    return save_figure(fig, path)


def plot_training_loss(losses: Sequence[float], path: Path) -> Path:
    """Training loss after each optimizer step (the transformer path)."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set(xlabel="Optimizer step", ylabel="Cross-entropy loss", title="Training loss")
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def save_figure(fig: Figure, path: Path) -> Path:
    """Lay out `fig` and write it to `path` as a PNG (also for a specialization's own figures)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
