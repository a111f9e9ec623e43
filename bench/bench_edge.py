"""Time the edge project's own commands and measure its bars: `<package> train` (training, ONNX
export and int8 quantization), `<package> benchmark` and the project's `pytest`.

The project is rendered with defaults and installed once in its own virtual environment, with
the machine's CPU wheel of PyTorch (not timed). Then, alternating, N runs of `train`, N of
`benchmark` and N of `pytest`: whole commands, start-up and imports included, median of N,
against the budgets (train and pytest at most 60 s each on 2 cores). Each `benchmark` run
measures both model files with ONNX Runtime (the files take turns run by run, so load on the
machine slows both alike); the table gives the median of the N runs' figures and the bars
judged on those medians. The load average before and after is printed.

usage: python bench/bench_edge.py [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

from torch_project import installed, run

PACKAGE = "edge_bench"
BUDGET_SECONDS = 60.0
FIGURES = ("size_kb", "accuracy", "latency_p50_ms", "latency_p95_ms", "throughput_per_s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-edge-"))
    work.mkdir(parents=True, exist_ok=True)
    project, venv = work / "edge-bench", work / "venv"
    env = installed("edge", project, venv)
    command = str(venv / "bin" / PACKAGE)

    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    times: dict[str, list[float]] = {"train": [], "benchmark": [], "pytest": []}
    trained, benchmarked = [], []
    for _ in range(args.runs):
        times["train"].append(run([command, "train"], project, env)[0])
        trained.append(json.loads((project / "reports" / "metrics.json").read_text()))
        times["benchmark"].append(run([command, "benchmark"], project, env)[0])
        benchmarked.append(json.loads((project / "reports" / "metrics.json").read_text()))
        pytest = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        times["pytest"].append(run(pytest, project, env)[0])
    print(f"load average after: {os.getloadavg()}")
    for name, values in times.items():
        print(f"{name} runs: {[round(value, 1) for value in values]}")

    fit = statistics.median(m["training"]["seconds"] for m in trained)
    compress = json.loads((project / "models" / "cnn" / "compression.json").read_text())["seconds"]
    print()
    print("| command | median | budget | ratio | result |")
    print("| --- | --- | --- | --- | --- |")
    median = {name: statistics.median(values) for name, values in times.items()}
    accuracies = sorted({m["accuracy"] for m in trained})
    print(
        f"| `{PACKAGE} train` (whole command; training loop {fit:.1f} s, prune + export + "
        f"quantize {compress:.1f} s) | {median['train']:.1f} s | {BUDGET_SECONDS:.0f} s | "
        f"{median['train'] / BUDGET_SECONDS:.2f} | int8 test accuracy "
        f"{', '.join(map(str, accuracies))} |"
    )
    print(f"| `{PACKAGE} benchmark` | {median['benchmark']:.1f} s | | | |")
    print(
        f"| `pytest` (the project's own suite) | {median['pytest']:.1f} s | "
        f"{BUDGET_SECONDS:.0f} s | {median['pytest'] / BUDGET_SECONDS:.2f} | |"
    )

    rows = {
        variant: {
            figure: statistics.median(m["benchmark"][variant][figure] for m in benchmarked)
            for figure in FIGURES
        }
        for variant in ("fp32", "int8")
    }
    print()
    print("| file | " + " | ".join(FIGURES) + " |")
    print("| --- |" + " ---: |" * len(FIGURES))
    for variant, row in rows.items():
        print(f"| {variant} | " + " | ".join(f"{row[figure]:g}" for figure in FIGURES) + " |")
    fp32, int8 = rows["fp32"], rows["int8"]
    share = int8["size_kb"] / fp32["size_kb"]
    drop = (fp32["accuracy"] - int8["accuracy"]) * 100
    speed = int8["latency_p50_ms"] / fp32["latency_p50_ms"]
    print()
    print("| bar | measured (median of runs) | met |")
    print("| --- | --- | --- |")
    print(f"| int8 file ≤ 30 % of fp32 | {share:.1%} | {'✓' if share <= 0.30 else '✗'} |")
    print(f"| accuracy drop ≤ 1 point | {drop:.2f} points | {'✓' if drop <= 1 else '✗'} |")
    print(
        f"| int8 p50 ≤ fp32 p50 | {int8['latency_p50_ms']:.4f} ms vs {fp32['latency_p50_ms']:.4f}"
        f" ms ({speed:.2f}x) | {'✓' if speed <= 1 else '✗'} |"
    )
    verdicts = [m["bars"]["int8 latency p50"]["met"] for m in benchmarked]
    print(f"\nlatency bar per run: {verdicts}")


if __name__ == "__main__":
    main()
