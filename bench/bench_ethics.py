"""The AI-ethics template's figures: train time, the project's own test time, and its bars.

The issue's bars, on the bundled German Credit sample with the default config: test accuracy of
at least 0.70, and mitigation that at least halves the demographic-parity difference of the
mitigated attribute (age) at a cost of at most 3 accuracy points. This renders
`scaffold new -t ethics --defaults`, installs it once the way the tests do (`uv pip install -e
".[dev]"`), then runs the project's own commands:

- `pytest`, N times: the project's own suite (wall time);
- `train` with the default config, N times: the command's wall time (imports included) and the
  fitting time `train` records (`training.seconds`), with the run's metrics;
- `train` with the default config under other seeds (other splits of the same table), once per
  mitigation method (`--methods`; the default method first): how often each bar is met, since
  300 test applicants (about 45 under 25) make every gap noisy, and whether another method is
  more robust.

The machine is shared: the load average is printed at start and end.

usage: python bench/bench_ethics.py [--runs 3] [--seeds 0-19]
                                   [--methods exponentiated_gradient,threshold_optimizer]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))
from project_env import PYTEST_ARGS, ProjectEnv  # noqa: E402

PACKAGE = "bench_fairness"


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(env: ProjectEnv, *args: str) -> float:
    start = time.perf_counter()
    env.run(*args, timeout=900)
    return time.perf_counter() - start


def metrics(env: ProjectEnv) -> dict:
    return json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def summary(m: dict) -> str:
    bars = m["fairness"]["bars"]
    return (
        f"accuracy {m['accuracy']:.3f} (baseline {m['baseline_accuracy']:.3f}, cost "
        f"{m['accuracy_cost']:+.3f}), DP difference {m['dp_difference_before']:.3f} -> "
        f"{m['dp_difference_after']:.3f}; halved {bars['dp_difference_halved']}, "
        f"cost <= 3 points {bars['accuracy_cost_at_most_3_points']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seeds", default="0-19", help="a range such as 0-19")
    parser.add_argument(
        "--methods",
        default="exponentiated_gradient,threshold_optimizer",
        help="the fairness.method values to train each seed with, comma-separated",
    )
    args = parser.parse_args()
    first, last = (int(part) for part in args.seeds.split("-"))

    print(f"load average at start: {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-ethics-") as tmp:
        project = Path(tmp) / "bench-fairness"
        subprocess.run(
            [str(BIN / "scaffold"), "new", str(project), "-t", "ethics", "--defaults",
             "--data", f"package_name={PACKAGE}", "--no-git"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        start = time.perf_counter()
        env = ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))
        print(f"install (uv pip): {time.perf_counter() - start:.1f} s")
        python = str(env.python)

        tests = [timed(env, python, "-m", "pytest", *PYTEST_ARGS) for _ in range(args.runs)]
        rounded = [round(seconds, 1) for seconds in tests]
        print(f"own tests: median {statistics.median(tests):.1f} s of {rounded}")

        walls, fits = [], []
        for _ in range(args.runs):
            walls.append(timed(env, str(env.venv / "bin" / PACKAGE), "train"))
            fits.append(metrics(env)["training"]["seconds"])
        print(
            f"train: median {statistics.median(walls):.1f} s wall, "
            f"{statistics.median(fits):.2f} s fitting; {summary(metrics(env))}"
        )

        text = (project / "configs" / "config.yaml").read_text(encoding="utf-8")
        default_method = next(
            line.split(":")[1].strip() for line in text.splitlines() if "  method:" in line
        )
        for method in args.methods.split(","):
            met = {"halved": 0, "cost": 0, "both": 0, "accuracy": 0}
            seeds = range(first, last + 1)
            for seed in seeds:
                config = project / "configs" / f"seed-{seed}-{method}.yaml"
                changed = text.replace("seed: 42", f"seed: {seed}").replace(
                    f"method: {default_method}", f"method: {method}"
                )
                config.write_text(changed, encoding="utf-8")
                env.run(str(env.venv / "bin" / PACKAGE), "train", "--config", str(config))
                m = metrics(env)
                assert m["fairness"]["method"] == method, m["fairness"]
                bars = m["fairness"]["bars"]
                met["halved"] += bars["dp_difference_halved"]
                met["cost"] += bars["accuracy_cost_at_most_3_points"]
                met["both"] += (
                    bars["dp_difference_halved"] and bars["accuracy_cost_at_most_3_points"]
                )
                met["accuracy"] += m["baseline_accuracy"] >= 0.70
                print(f"{method}, seed {seed}: {summary(m)}")
            n = len(seeds)
            print(
                f"{method}, of {n} seeds: baseline accuracy >= 0.70 in {met['accuracy']}, gap "
                f"halved in {met['halved']}, cost <= 3 points in {met['cost']}, both bars in "
                f"{met['both']}"
            )
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
