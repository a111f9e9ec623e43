"""Time to first green: from `scaffold new` to the served model's first answer, uv against pip.

For each available specialization of templates/catalog.yml, one run is what a student does first,
following the generated README: `scaffold new DEST -t NAME --defaults`, install, the project's own
tests, `train`, then `serve` until the first `POST /predict` over HTTP answers 200. With uv the
install is `uv sync` (no lock yet, so uv resolves and writes one) and every command goes through
`uv run`; with pip it is `python -m venv .venv` + `pip install -e ".[dev]"` and the commands run
from `.venv/bin`, as in an activated environment. Each run renders a fresh project; uv and pip
alternate within a run, so a busy moment hurts both alike. A first, untimed run warms both
caches (uv's and pip's own), then the median of N runs is reported, phase by phase and in total,
with the total's ratio to the target: at most 60 s per specialization with uv.

uv gets the package sources pip is configured with, as in the tests (tests/project_env.py).
A specialization that needs PyTorch (`spec_torch`: computer vision, RL) takes its CPU build, as
its README says, from the machine's local wheel standing in for PyTorch's CPU index: with uv,
`uv venv` + `uv pip install -e ".[dev]"` with that index named as pyproject.toml's
`[tool.uv.sources]` names it (`uv sync` would lock torch for every Python from
download.pytorch.org, which this machine cannot reach); with pip, `pip install torch==2.13.0`
(the README's `pip install 'torch>=...' --index-url .../cpu`), then the project.
PYTHONDONTWRITEBYTECODE is removed from the commands' environment, as a student's machine does
not set it: uv installs without compiling bytecode, so Python compiles (and caches) what it
imports on first use, while pip compiles everything at install time.

usage: python bench/bench_first_green.py [--runs 3] [--only nlp] [--tools uv,pip]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))
from project_env import (  # noqa: E402
    LOCAL_TORCH,
    free_port,
    http_json,
    torch_index_settings,
    uv_only_dir,
    uv_settings,
)

PHASES = ("new", "install", "tests", "train", "first /predict")
TARGET_SECONDS = 60.0


def environ(project: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.pop("VIRTUAL_ENV", None)
    env.update(uv_settings())
    env["PATH"] = os.pathsep.join([str(project / ".venv" / "bin"), str(uv_only_dir()), env["PATH"]])
    env["MPLBACKEND"] = "Agg"
    return env


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def first_prediction(command: list[str], cwd: Path, env: dict[str, str], item: object) -> float:
    """Start `serve`; seconds until POST /predict first answers 200."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                status, _ = http_json(
                    "POST", f"http://127.0.0.1:{port}/predict", {"inputs": [item]}
                )
            except OSError:
                status = None
            if status == 200:
                return time.perf_counter() - start
            if server.poll() is not None or time.perf_counter() - start > 120:
                sys.exit(f"serve in {cwd} gave no prediction (exit {server.returncode})")
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)


def one_run(tool: str, spec: str, item: object, work: Path, torch: bool) -> dict[str, float]:
    """Every phase of a first green with `tool` ("uv" or "pip"), in a fresh project under work."""
    project = work / f"my-{spec}-project"
    package = project.name.replace("-", "_")
    env = environ(project)
    new = [str(BIN / "scaffold"), "new", project.name, "-t", spec, "--defaults"]
    times = {"new": timed(new, work, env)}
    if tool == "uv" and not torch:
        times["install"] = timed(["uv", "sync"], project, env)
        prefix = ["uv", "run"]
    elif tool == "uv":
        env.update(torch_index_settings(project))
        times["install"] = timed(["uv", "venv", "--quiet", ".venv"], project, env)
        install = ["uv", "pip", "install", "--quiet", "--python", ".venv/bin/python"]
        times["install"] += timed([*install, "-e", ".[dev]"], project, env)
        prefix = []
    else:
        times["install"] = timed([sys.executable, "-m", "venv", ".venv"], project, env)
        if torch:
            times["install"] += timed(["pip", "install", "--quiet", LOCAL_TORCH], project, env)
        times["install"] += timed(["pip", "install", "--quiet", "-e", ".[dev]"], project, env)
        prefix = []  # .venv/bin comes first on PATH, as in an activated environment
    times["tests"] = timed([*prefix, "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    times["train"] = timed([*prefix, package, "train"], project, env)
    times["first /predict"] = first_prediction([*prefix, package], project, env, item)
    return times


def versions() -> str:
    def version(command: list[str]) -> str:
        output = subprocess.run(command, capture_output=True, text=True).stdout.split()
        return output[1] if len(output) > 1 else "?"

    return (
        f"Python {platform.python_version()}, uv {version([str(BIN / 'uv'), '--version'])}, "
        f"pip {version([sys.executable, '-m', 'pip', '--version'])}, "
        f"{os.cpu_count()} cores, {datetime.date.today().isoformat()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="one specialization of the catalog")
    # uv alone halves the bench's time where pip's figures are known: pip is the comparison.
    parser.add_argument("--tools", default="uv,pip", help="uv,pip (default), uv or pip")
    args = parser.parse_args()
    os.environ["PATH"] = os.pathsep.join([str(uv_only_dir()), os.environ["PATH"]])

    catalog = yaml.safe_load((REPO / "templates/catalog.yml").read_text(encoding="utf-8"))
    specs = {
        name: spec
        for name, spec in catalog["specializations"].items()
        if spec.get("available") and args.only in (None, name)
    }
    print(f"median of {args.runs} runs after a warm-up run; {versions()}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}\n")
    for name, spec in specs.items():
        item = (spec.get("data", {}).get("spec_example_inputs") or ["hello"])[0]
        torch = bool(spec.get("data", {}).get("spec_torch"))
        runs: dict[str, list[dict[str, float]]] = {tool: [] for tool in args.tools.split(",")}
        for index in range(args.runs + 1):
            for tool in runs:
                work = Path(tempfile.mkdtemp(prefix=f"bench-green-{tool}-"))
                try:
                    times = one_run(tool, name, item, work, torch)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                if index:  # run 0 warms the caches
                    runs[tool].append(times)
                print(f"  {name} run {index} {tool}: {sum(times.values()):.1f} s", file=sys.stderr)
        report(name, runs)
    print(f"load average at end: {os.getloadavg()[0]:.1f} (the machine's other work slows both)")


def report(name: str, runs: dict[str, list[dict[str, float]]]) -> None:
    def median(tool: str, phase: str | None) -> float:
        return statistics.median(
            sum(times.values()) if phase is None else times[phase] for times in runs[tool]
        )

    tools = list(runs)
    print(f"### {name}\n")
    ratio = ["pip / uv"] if tools == ["uv", "pip"] else []
    print("| " + " | ".join(["phase", *(f"{tool} (s)" for tool in tools), *ratio]) + " |")
    print("|" + " --- |" * (1 + len(tools) + len(ratio)))
    for phase in (*PHASES, None):
        seconds = [median(tool, phase) for tool in tools]
        label = "**total**" if phase is None else phase
        cells = [label, *(f"{value:.1f}" for value in seconds)]
        if ratio:
            cells.append(f"{seconds[1] / seconds[0]:.1f}")
        print("| " + " | ".join(cells) + " |")
    print()
    for tool in tools:
        total = median(tool, None)
        verdict = "met" if total <= TARGET_SECONDS else "missed"
        target = " (the target is uv's)" if tool != "uv" else f" ({verdict})"
        print(f"{tool} total / {TARGET_SECONDS:.0f} s target: {total / TARGET_SECONDS:.2f}{target}")
    print()


if __name__ == "__main__":
    main()
