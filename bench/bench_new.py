"""Time `scaffold --help` and `scaffold new` for a 2- and a 3-layer stack against `copier copy`.

For each stack the reference renders the same file set with plain Copier: the stack's layers
merged into one template by hand, copied with `copier copy --defaults`, no git. The floor is
`copier copy` of the rendered files themselves as a plain template (no Jinja, no questions):
what Copier costs to copy this many files at all. scaffold's run includes `git init` and the
first commit. Whole commands (process start-up included), median of N runs, scaffold and the
references alternating so a busy moment hurts all alike.

The stacks are the NLP specialization's files arranged as mlops + one layer (2) and as mlops +
two layers (3), so the only difference between them is the number of layers.

usage: python bench/bench_new.py [--runs 9]
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
SPEC = "nlp"


def stack_of(layer_count: int, dest: Path) -> Path:
    """A copy of the template set whose NLP stack has `layer_count` layers, same files."""
    shutil.copytree(REPO / "templates", dest)
    catalog_path = dest / "catalog.yml"
    catalog = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    entry = catalog["specializations"][SPEC]
    stack = entry.get("layers") or [*catalog.get("base_layers", []), SPEC]
    base, upper = stack[0], stack[1:]
    files, questions = [], {}
    for name in upper:  # everything above the base layer, pooled
        layer = dest / name
        config = yaml.safe_load((layer / "copier.yml").read_text(encoding="utf-8"))
        questions.update({k: v for k, v in config.items() if not k.startswith("_")})
        files += [(layer / "template", path) for path in (layer / "template").rglob("*")]
    files = [(root, path) for root, path in files if path.is_file()]
    settings = {"_subdirectory": "template", "_min_copier_version": "9.4"}
    settings["_templates_suffix"] = ".jinja"
    names = [f"bench_layer_{index}" for index in range(1, layer_count)]
    for index, name in enumerate(names):
        layer = dest / name
        share = files[index :: len(names)]  # round robin: every layer gets some files
        for root, path in share:
            target = layer / "template" / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        config = {**settings, **(questions if index == len(names) - 1 else {})}
        (layer / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    entry["layers"] = [base, *names]
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    return dest


def merged_template(template_set: Path, dest: Path) -> Path:
    """The reference: one plain Copier template with every layer's files and questions."""
    catalog = yaml.safe_load((template_set / "catalog.yml").read_text(encoding="utf-8"))
    entry = catalog["specializations"][SPEC]
    config: dict = {}
    for name in entry["layers"]:
        layer = template_set / name
        config.update(yaml.safe_load((layer / "copier.yml").read_text(encoding="utf-8")))
        shutil.copytree(layer / "template", dest / "template", dirs_exist_ok=True)
    # Catalog data: hidden questions with its values, first, as scaffold passes them before
    # any question is asked (a question's default may use them).
    data = {
        key: {"type": "yaml", "when": False, "default": value}
        for key, value in entry["data"].items()
    }
    config = {**data, **{key: value for key, value in config.items() if key not in data}}
    (dest / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dest


def plain_template(rendered: Path, dest: Path) -> Path:
    """The floor: the rendered files as a template with nothing to render."""
    shutil.copytree(rendered, dest / "template", ignore=shutil.ignore_patterns(".git"))
    (dest / "copier.yml").write_text("_subdirectory: template\n_templates_suffix: .none\n")
    return dest


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdin=subprocess.DEVNULL, capture_output=True)
    return time.perf_counter() - start


def copier_copy(template: Path, dest: str, cwd: Path) -> float:
    command = [str(BIN / "copier"), "copy", "--defaults", "--quiet", "--data", "author_name=B"]
    return timed([*command, str(template), dest], cwd)


def bench_stack(layer_count: int, work: Path, runs: int) -> dict:
    template_set = stack_of(layer_count, work / f"set{layer_count}")
    reference = merged_template(template_set, work / f"merged{layer_count}")
    scaffold = [str(BIN / "scaffold"), "new", "-t", SPEC, "--defaults"]
    scaffold += ["--templates-dir", str(template_set)]
    timed([*scaffold, "warm"], work)  # file caches and byte-compiled modules, for every run alike
    floor = plain_template(work / "warm", work / f"plain{layer_count}")
    times: dict[str, list[float]] = {"scaffold": [], "reference": [], "floor": []}
    for run in range(runs):
        times["scaffold"].append(timed([*scaffold, f"s{layer_count}-{run}"], work))
        times["reference"].append(copier_copy(reference, f"c{layer_count}-{run}", work))
        times["floor"].append(copier_copy(floor, f"f{layer_count}-{run}", work))
    shutil.rmtree(work / "warm")
    rendered = work / f"s{layer_count}-0"
    files = [p for p in rendered.rglob("*") if p.is_file() and ".git" not in p.parts]
    return {
        "files": len(files),
        **{name: statistics.median(values) for name, values in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-new-"))
    try:
        help_times = [timed([str(BIN / "scaffold"), "--help"], work) for _ in range(args.runs)]
        results = {count: bench_stack(count, work, args.runs) for count in (2, 3)}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"median of {args.runs} runs; Python {sys.version.split()[0]}\n")
    print("| command | median | reference | ratio (target <= 1.0) | floor | ratio to floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| `scaffold --help` | {statistics.median(help_times):.3f} s | | | | |")
    for count, result in results.items():
        print(
            f"| `scaffold new -t nlp --defaults`, {count} layers, {result['files']} files "
            f"(+ git init, commit) | {result['scaffold']:.3f} s "
            f"| `copier copy` of the layers merged: {result['reference']:.3f} s "
            f"| {result['scaffold'] / result['reference']:.2f} "
            f"| `copier copy` of the rendered files: {result['floor']:.3f} s "
            f"| {result['scaffold'] / result['floor']:.2f} |"
        )


if __name__ == "__main__":
    main()
