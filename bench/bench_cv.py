"""Time the computer-vision project's own commands against their budgets: `<package> train` on
the bundled digits (at most 60 s on 2 cores, at least 0.95 test accuracy) and its test suite
(`pytest`, at most 60 s, offline).

The project is rendered with defaults and installed once in its own virtual environment, with
the machine's CPU wheel of PyTorch (not timed). Then, alternating, N runs of `train` and N of
`pytest`; whole commands, process start-up and imports included, median of N, with the CPU
time (user + system) of `train`, which a busy machine changes less than the wall time. torch
uses its default number of threads (one per core). The load average before and after is printed: the
figures mean something only on an otherwise idle machine.

usage: python bench/bench_cv.py [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
from pathlib import Path

from torch_project import installed, run

PACKAGE = "digit_bench"
BUDGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-cv-"))
    work.mkdir(parents=True, exist_ok=True)
    project, venv = work / "digit-bench", work / "venv"
    env = installed("cv", project, venv)

    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    train_times, train_cpu, test_times, metrics = [], [], [], []
    for _ in range(args.runs):
        before = cpu_seconds()
        elapsed, _ = run([str(venv / "bin" / PACKAGE), "train"], project, env)
        train_cpu.append(cpu_seconds() - before)
        train_times.append(elapsed)
        metrics.append(json.loads((project / "reports" / "metrics.json").read_text()))
        elapsed, _ = run(
            [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            project,
            env,
        )
        test_times.append(elapsed)
    print(f"load average after: {os.getloadavg()}")

    train_median, test_median = statistics.median(train_times), statistics.median(test_times)
    accuracies = sorted({m["accuracy"] for m in metrics})
    fit_seconds = statistics.median(m["training"]["seconds"] for m in metrics)
    epochs = sorted({m["training"]["epochs"] for m in metrics})
    steps = sorted({m["training"].get("steps", "?") for m in metrics}, key=str)
    print(f"train runs: {[round(t, 1) for t in train_times]}")
    print(f"train CPU seconds: {[round(t, 1) for t in train_cpu]}")
    print(f"pytest runs: {[round(t, 1) for t in test_times]}")
    print()
    print("| command | median | budget | ratio | result |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| `{PACKAGE} train` (whole command, CPU {statistics.median(train_cpu):.1f} s; the "
        f"training loop alone: {fit_seconds:.1f} s, {'/'.join(map(str, epochs))} epochs, "
        f"{'/'.join(map(str, steps))} steps) | {train_median:.1f} s | {BUDGET_SECONDS:.0f} s | "
        f"{train_median / BUDGET_SECONDS:.2f} | test accuracy {', '.join(map(str, accuracies))} |"
    )
    print(
        f"| `pytest` (the project's own suite) | {test_median:.1f} s | {BUDGET_SECONDS:.0f} s | "
        f"{test_median / BUDGET_SECONDS:.2f} | |"
    )


def cpu_seconds() -> float:
    """User + system CPU time of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
