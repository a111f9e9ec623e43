"""Time `scaffold update` of an NLP project from template v1 to v2 against `copier update`.

Both update the same project (NLP, default answers, a user's commit on top) to the same template
change: v2 fixes the CI workflow, changes the Dockerfile, adds a file and deletes one. scaffold
updates from a copy of the template set; the reference is the NLP layers merged into one plain
Copier template (with Copier's answers file), in a git repository tagged v1 and v2, updated with
`copier update --defaults`. Each run updates a fresh copy of the project; commands are timed whole
(process start-up included), median of N runs, alternating so a busy moment hurts both alike.

usage: python bench/bench_update.py [--runs 5]
"""

from __future__ import annotations

import argparse
import re
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
SCAFFOLD, COPIER = str(BIN / "scaffold"), str(BIN / "copier")
ANSWERS_JINJA = "{{ _copier_conf.answers_file }}.jinja"
CI_FIX = "actions/checkout@v5"


def run(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdin=subprocess.DEVNULL, capture_output=True)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    run(command, cwd)
    return time.perf_counter() - start


def make_v2(v1: Path, v2: Path) -> tuple[str, str]:
    """The template set at its next major version, whatever v1's is: what a bootcamp's fix
    release would change. Returns (v1's version, v2's)."""
    shutil.copytree(v1, v2)
    catalog = v2 / "catalog.yml"
    text = catalog.read_text(encoding="utf-8")
    before = str(yaml.safe_load(text)["version"])
    after = f"{int(before.split('.')[0]) + 1}.0.0"
    text, count = re.subn(r"^version: .*$", f"version: {after}", text, count=1, flags=re.M)
    assert count == 1, "catalog.yml has no top-level version line"
    catalog.write_text(text, encoding="utf-8")
    layer = v2 / "mlops" / "template"
    [workflow] = [p for p in layer.rglob("ci.yml.jinja") if "github" in str(p)]
    workflow.write_text(workflow.read_text(encoding="utf-8").replace("actions/checkout@v4", CI_FIX))
    [dockerfile] = layer.glob("*Dockerfile*.jinja")
    dockerfile.write_text("# Rebuilt for template v2.\n" + dockerfile.read_text(encoding="utf-8"))
    (layer / "CONTRIBUTING.md.jinja").write_text("# Contributing to {{ project_name }}\n")
    (layer / ".pre-commit-config.yaml.jinja").unlink()
    return before, after


def merged_template(template_set: Path, dest: Path) -> Path:
    """The NLP layers as one plain Copier template that records Copier's answers file."""
    catalog = yaml.safe_load((template_set / "catalog.yml").read_text(encoding="utf-8"))
    spec = catalog["specializations"]["nlp"]
    # The catalog's data first: the layers' questions' defaults use it (scaffold passes it as
    # answers, known before any question).
    data = spec["data"]
    config = {key: {"type": "yaml", "when": False, "default": value} for key, value in data.items()}
    for name in spec.get("layers") or [*catalog["base_layers"], "nlp"]:
        layer = template_set / name
        questions = yaml.safe_load((layer / "copier.yml").read_text(encoding="utf-8"))
        config.update({key: value for key, value in questions.items() if key not in data})
        shutil.copytree(layer / "template", dest / "template", dirs_exist_ok=True)
    (dest / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (dest / "template" / ANSWERS_JINJA).write_text("{{ _copier_answers | to_nice_yaml }}")
    return dest


def commit_all(repo: Path, message: str) -> None:
    run(["git", "add", "--all"], repo)
    run(["git", "commit", "-qm", message], repo)


def edit_like_a_user(project: Path) -> None:
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\n## My results\n\nBaseline accuracy beats the majority class.\n")
    (project / "src" / "review_sentiment" / "features.py").write_text("def extra(): ...\n")
    commit_all(project, "My changes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    try:
        v1, v2 = work / "set-v1", work / "set-v2"
        shutil.copytree(REPO / "templates", v1)
        before, after = make_v2(v1, v2)

        # scaffold's project: `scaffold new` (first commit = render), then the user's commit.
        ours = work / "scaffold" / "review-sentiment"
        ours.parent.mkdir()
        run(
            [SCAFFOLD, "new", str(ours), "-t", "nlp", "--defaults", "--templates-dir", str(v1)],
            work,
        )
        edit_like_a_user(ours)

        # Copier's: a git template tagged v1, copied, committed, edited; then tagged v2.
        template = merged_template(v1, work / "copier-template")
        run(["git", "init", "-q"], template)
        commit_all(template, "v1")
        run(["git", "tag", "v1"], template)
        theirs = work / "copier" / "review-sentiment"
        theirs.parent.mkdir()
        copy = [COPIER, "copy", "--defaults", "--quiet", "--data", "author_name=Bench"]
        run([*copy, str(template), str(theirs)], work)
        run(["git", "init", "-q"], theirs)
        commit_all(theirs, "Copied from the template v1")
        edit_like_a_user(theirs)
        shutil.rmtree(template / "template")
        merged_template(v2, template)
        commit_all(template, "v2")
        run(["git", "tag", "v2"], template)

        scaffold_times, copier_times = [], []
        for number in range(args.runs):
            mine, reference = work / f"s{number}" / ours.name, work / f"c{number}" / theirs.name
            shutil.copytree(ours, mine)
            shutil.copytree(theirs, reference)
            update = [SCAFFOLD, "update", "--templates-dir", str(v2)]
            scaffold_times.append(timed(update, mine))
            copier_times.append(timed([COPIER, "update", "--defaults", "--quiet"], reference))
            for project in (mine, reference):  # both really took v2
                ci = (project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
                assert CI_FIX in ci and (project / "CONTRIBUTING.md").is_file(), project
            merged = subprocess.run(
                ["git", "log", "-1", "--format=%s"], cwd=mine, capture_output=True, text=True
            ).stdout
            assert f"{before} → {after}" in merged, merged  # an update, not "up to date"
        files = len(
            [p for p in ours.rglob("*") if p.is_file() and ".git" not in p.relative_to(ours).parts]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    scaffold_median = statistics.median(scaffold_times)
    copier_median = statistics.median(copier_times)
    print(f"median of {args.runs} runs; {files} files per project; Python {sys.version.split()[0]}")
    print(f"scaffold runs (s): {' '.join(f'{t:.3f}' for t in scaffold_times)}")
    print(f"copier runs (s):   {' '.join(f'{t:.3f}' for t in copier_times)}\n")
    print("| command | median (s) | reference | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| `scaffold update` (nlp {before} → {after}, merge commit) | {scaffold_median:.3f} "
        f"| `copier update --defaults` {copier_median:.3f} s "
        f"| {scaffold_median / copier_median:.2f} | <= 0.5 |"
    )


if __name__ == "__main__":
    main()
