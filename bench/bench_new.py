"""Time `scaffold --help` and `scaffold new -t nlp --defaults` against `copier copy`.

The reference renders the same file set with plain Copier: the NLP template's layers merged into
one template, copied with `copier copy --defaults`, no git. scaffold's run includes `git init` and
the first commit. Both are timed as whole commands (process start-up included), median of N runs,
alternating so a busy moment hurts both alike.

usage: python bench/bench_new.py [--runs 5]
"""

from __future__ import annotations

import argparse
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


def merged_template(layers: list[Path], data: dict, dest: Path) -> Path:
    """One plain Copier template with every layer's files and questions."""
    config: dict = {}
    for layer in layers:
        config.update(yaml.safe_load((layer / "copier.yml").read_text(encoding="utf-8")))
        shutil.copytree(layer / "template", dest / "template", dirs_exist_ok=True)
    for key, value in data.items():  # catalog data: a hidden question with its value
        config[key] = {"type": "yaml", "when": False, "default": value}
    (dest / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dest


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    catalog = yaml.safe_load((REPO / "templates/catalog.yml").read_text(encoding="utf-8"))
    layers = [REPO / "templates" / name for name in [*catalog["base_layers"], "nlp"]]
    work = Path(tempfile.mkdtemp(prefix="bench-new-"))
    try:
        reference = merged_template(
            layers, catalog["specializations"]["nlp"]["data"], work / "merged"
        )
        help_times, scaffold_times, copier_times = [], [], []
        for run in range(args.runs):
            help_times.append(timed([str(BIN / "scaffold"), "--help"], work))
            scaffold_times.append(
                timed([str(BIN / "scaffold"), "new", f"s{run}", "-t", "nlp", "--defaults"], work)
            )
            copier_times.append(
                timed(
                    [str(BIN / "copier"), "copy", "--defaults", "--quiet"]
                    + ["--data", "author_name=Bench", str(reference), f"c{run}"],
                    work,
                )
            )
        rendered = sorted(
            p.relative_to(work / "s0") for p in (work / "s0").rglob("*") if p.is_file()
        )
        files = len([p for p in rendered if p.parts[0] != ".git"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    help_median = statistics.median(help_times)
    scaffold_median = statistics.median(scaffold_times)
    copier_median = statistics.median(copier_times)
    print(f"median of {args.runs} runs; {files} files rendered; Python {sys.version.split()[0]}\n")
    print("| command | median (s) | reference | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| `scaffold --help` | {help_median:.3f} | - | - | <= 0.3 s |")
    print(
        f"| `scaffold new -t nlp --defaults` (+ git init, commit) | {scaffold_median:.3f} "
        f"| `copier copy --defaults` {copier_median:.3f} s "
        f"| {scaffold_median / copier_median:.2f} | <= 1.0 |"
    )


if __name__ == "__main__":
    main()
