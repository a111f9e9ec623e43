"""Figures for `reports/figures/`: the learning curve, the evaluation returns and a recording.

Charts are drawn on `matplotlib.figure.Figure` objects rather than through pyplot: a bare Figure
saves to PNG with the Agg backend, needs no display (CI, Docker and SSH sessions have none) and
leaves no global state behind. The recording is an animated GIF written with Pillow.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

GIF_COLOURS = 128  # renders of control tasks: flat colours, their edges, some text


def plot_learning_curve(
    timesteps: np.ndarray,
    returns: np.ndarray,
    threshold: float | None,
    env_id: str,
    path: Path,
) -> Path:
    """Return of every training episode against the timestep it ended at, with a moving average.

    Training episodes sample actions from the policy (that is how it explores), so they score
    below the evaluation, where the agent takes its most probable action.
    """
    fig = Figure(figsize=(6.4, 4))
    ax = fig.subplots()
    if len(returns):
        ax.scatter(timesteps, returns, s=4, alpha=0.25, label="training episode")
        window = max(1, min(50, len(returns) // 10))
        average = np.convolve(returns, np.ones(window) / window, mode="valid")
        ax.plot(timesteps[window - 1 :], average, label=f"mean of the last {window}")
    if threshold is not None:
        ax.axhline(threshold, color="tab:red", linestyle="--", label=f"solved ({threshold:g})")
    ax.set(xlabel="Timesteps", ylabel="Episode return", title=f"Learning curve: {env_id}")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    return _save(fig, path)


def plot_return_distribution(
    returns: np.ndarray,
    random_returns: np.ndarray,
    threshold: float | None,
    env_id: str,
    path: Path,
) -> Path:
    """Histogram of the evaluation episodes' returns, the agent's beside the random baseline's."""
    fig = Figure(figsize=(6.4, 4))
    ax = fig.subplots()
    values = np.concatenate([np.asarray(returns, float), np.asarray(random_returns, float)])
    low, high = float(values.min()), float(values.max())
    bins = np.linspace(low, high if high > low else low + 1.0, 31).tolist()
    ax.hist(
        random_returns, bins=bins, alpha=0.6, label=f"random (mean {np.mean(random_returns):.1f})"
    )
    ax.hist(returns, bins=bins, alpha=0.8, label=f"agent (mean {np.mean(returns):.1f})")
    if threshold is not None:
        ax.axvline(threshold, color="tab:red", linestyle="--", label=f"solved ({threshold:g})")
    ax.set(
        xlabel="Episode return",
        ylabel="Episodes",
        title=f"Evaluation: {len(returns)} held-out episodes of {env_id}",
    )
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def save_gif(
    frames: Sequence[np.ndarray], path: Path, seconds_per_frame: float, width: int = 300
) -> Path:
    """An animated GIF of RGB frames, scaled to `width` pixels, looping forever."""
    images = []
    for frame in frames:
        image = Image.fromarray(np.asarray(frame, dtype=np.uint8))
        height = max(1, round(image.height * width / image.width))
        # A box filter is the fast, sharp choice for shrinking flat-coloured renders.
        images.append(image.resize((width, height), Image.Resampling.BOX))
    # One palette for every frame, made from all of them side by side (shrunk: it is quicker):
    # colours do not flicker, a colour that shows late (a room warming up) has its entry, and
    # Pillow maps each frame to it instead of building a palette per frame.
    thumbnails = [image.reduce(4) for image in images]
    strip = Image.new("RGB", (sum(image.width for image in thumbnails), thumbnails[0].height))
    for index, image in enumerate(thumbnails):
        strip.paste(image, (index * image.width, 0))
    palette = strip.quantize(colors=GIF_COLOURS)
    images = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    path.parent.mkdir(parents=True, exist_ok=True)
    # GIF delays are in hundredths of a second; browsers slow anything under 2 down to 10.
    duration_ms = max(20, round(seconds_per_frame * 100) * 10)
    images[0].save(
        path,
        save_all=True,
        append_images=images[1:],
        duration=duration_ms,
        loop=0,
        optimize=True,
    )
    return path


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
