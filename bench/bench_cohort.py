"""Time `scaffold cohort new` and `scaffold cohort update` for a class of 100 against a shell
loop of `scaffold new` / `scaffold update` over the same roster.

`cohort new` (no push) makes the same 100 projects the loop makes, one `scaffold new` per
student with the roster's answers. `cohort update` takes all 100 from the set's version to the
next major one (bench_update's v2: a CI fix, a changed Dockerfile, a new file, a deleted one; a
third of the students have a commit of their own) as a branch each; the loop runs `scaffold
update` in each project. Both work on local projects (no remotes), each run on a fresh copy.
Whole commands, process start-up included, median of N runs, the cohort command and the loop
alternating.

usage: python bench/bench_cohort.py [--runs 3] [--students 100]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_update import make_v2  # the same template change as bench_update's

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCAFFOLD = str(BIN / "scaffold")
PROJECT_NAME = "NLP capstone - {name}"


def run(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdin=subprocess.DEVNULL, capture_output=True)


def roster(path: Path, count: int) -> list[dict[str, str]]:
    students = [
        {"name": f"Student {number:03d}", "email": f"student{number:03d}@example.org"}
        for number in range(1, count + 1)
    ]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=["name", "email"])
        writer.writeheader()
        writer.writerows(students)
    return students


def cohort_new(roster_path: Path, out: Path, template_set: Path) -> float:
    start = time.perf_counter()
    command = [SCAFFOLD, "cohort", "new", str(roster_path), "-t", "nlp", "--out", str(out)]
    run(
        [*command, "--project-name", PROJECT_NAME, "--templates-dir", str(template_set)], out.parent
    )
    return time.perf_counter() - start


def loop_new(students: list[dict[str, str]], out: Path, template_set: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    for student in students:
        folder = student["name"].lower().replace(" ", "-")
        answers = {
            "author_name": student["name"],
            "author_email": student["email"],
            "project_name": PROJECT_NAME.format(name=student["name"]),
        }
        data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
        command = [SCAFFOLD, "new", str(out / folder), "-t", "nlp"]
        run([*command, "--templates-dir", str(template_set), *data], out)
    return time.perf_counter() - start


def students_work(cohort_dir: Path) -> None:
    """A third of the class commits something of their own."""
    projects = sorted(p for p in cohort_dir.iterdir() if (p / ".git").is_dir())
    for project in projects[::3]:
        with (project / "README.md").open("a", encoding="utf-8") as readme:
            readme.write("\n## My results\n\nBaseline accuracy beats the majority class.\n")
        run(["git", "commit", "-qam", "My results"], project)


def cohort_update(cohort_dir: Path, template_set: Path, version: str) -> float:
    start = time.perf_counter()
    command = [SCAFFOLD, "cohort", "update", str(cohort_dir), "--templates-dir", str(template_set)]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    for project in (p for p in cohort_dir.iterdir() if (p / ".git").is_dir()):
        branch = subprocess.run(["git", "rev-parse", "--verify", f"scaffold/update-{version}"],
                                cwd=project, capture_output=True)  # fmt: skip
        assert branch.returncode == 0, f"{project} was not offered {version}"
    return elapsed


def loop_update(cohort_dir: Path, template_set: Path) -> float:
    projects = sorted(p for p in cohort_dir.iterdir() if (p / ".git").is_dir())
    start = time.perf_counter()
    for project in projects:
        run([SCAFFOLD, "update", "--templates-dir", str(template_set)], project)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--students", type=int, default=100)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-cohort-"))
    os.environ["GIT_CONFIG_GLOBAL"] = str(work / "gitconfig")  # a known identity, main branch
    (work / "gitconfig").write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    times: dict[str, list[float]] = {
        "cohort new": [],
        "loop new": [],
        "cohort up": [],
        "loop up": [],
    }
    try:
        v1, v2 = work / "set-v1", work / "set-v2"
        shutil.copytree(REPO / "templates", v1)
        before, after = make_v2(v1, v2)
        roster_path = work / "roster.csv"
        students = roster(roster_path, args.students)
        run([SCAFFOLD, "--help"], work)  # byte-compiled modules and file caches for all alike
        for number in range(args.runs):
            times["cohort new"].append(cohort_new(roster_path, work / f"cohort{number}", v1))
            times["loop new"].append(loop_new(students, work / f"loop{number}", v1))
        pristine = work / "cohort0"
        students_work(pristine)
        for number in range(args.runs):
            ours, theirs = work / f"up-cohort{number}", work / f"up-loop{number}"
            shutil.copytree(pristine, ours, symlinks=True)
            shutil.copytree(pristine, theirs, symlinks=True)
            times["cohort up"].append(cohort_update(ours, v2, after))
            times["loop up"].append(loop_update(theirs, v2))
        updated = sum(1 for p in (work / "up-cohort0").iterdir() if (p / ".git").is_dir())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    medians = {name: statistics.median(values) for name, values in times.items()}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"median of {args.runs} runs; {args.students} students; {cores} cores; "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    for name, values in times.items():
        print(f"{name} runs (s): {' '.join(f'{t:.1f}' for t in values)}")
    print()
    print("| command | median | reference | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| `scaffold cohort new` of {args.students} students (no push) "
        f"| {medians['cohort new']:.1f} s | a loop of `scaffold new`: {medians['loop new']:.1f} s "
        f"| {medians['loop new'] / medians['cohort new']:.1f}x faster | ≤ 30 s, ≥ 3x |"
    )
    print(
        f"| `scaffold cohort update` of {updated} students, {before} → {after} (a branch each) "
        f"| {medians['cohort up']:.1f} s | a loop of `scaffold update`: {medians['loop up']:.1f} s "
        f"| {medians['loop up'] / medians['cohort up']:.1f}x faster | |"
    )


if __name__ == "__main__":
    main()
