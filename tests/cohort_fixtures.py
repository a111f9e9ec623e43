"""Rosters, real git remotes (bare repositories over file://, a `git daemon` on 127.0.0.1) and
the cohort's manifest, for the `scaffold cohort` tests."""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from conftest import git, run_scaffold

# Thirty students, a few with names that are hard on folders, URLs and CSV alike.
AWKWARD_NAMES = [
    "Ada Lovelace",
    "Zoë Müller",
    "Иван Петров",
    "李小龙",
    "José Ñúñez",
    "O'Brien, Siobhán",  # a comma: quoted in the CSV
    "Ana-María  López",  # two spaces
    "  Padded Name  ",  # spaces around: trimmed
    "Łukasz Żółć",
    "محمد علي",
    'Quote "Q" Person',  # quotes: escaped in the CSV
    "Renée O’Connor",  # a typographic apostrophe
]
NAMES = AWKWARD_NAMES + [f"Student {number}" for number in range(len(AWKWARD_NAMES) + 1, 31)]
FOLDERS = [
    "ada-lovelace",
    "zoe-muller",
    "ivan-petrov",
    "li-xiao-long",
    "jose-nunez",
    "o-brien-siobhan",
    "ana-maria-lopez",
    "padded-name",
    "lukasz-zolc",
    "mhmd-ly",
    "quote-q-person",
    "renee-o-connor",
] + [f"student-{number}" for number in range(len(AWKWARD_NAMES) + 1, 31)]


def email_of(name: str) -> str:
    return f"{'-'.join(name.split()).lower()}@example.org".replace('"', "")


def write_roster(path: Path, rows: list[dict[str, str]], bom: bool = False) -> Path:
    """A roster CSV with the columns of the first row, written as a spreadsheet would."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def class_of_thirty(path: Path) -> Path:
    return write_roster(path, [{"name": n, "email": email_of(n.strip())} for n in NAMES], bom=True)


def cohort(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return run_scaffold("cohort", *args, timeout=timeout)


def manifest(directory: Path) -> dict:
    return yaml.safe_load((directory / "cohort.yml").read_text(encoding="utf-8"))


def students_by_id(directory: Path) -> dict[str, dict]:
    return {s["id"]: s for s in manifest(directory)["students"] if s["id"] is not None}


def bare_repos(root: Path, ids: list[str]) -> Path:
    """An empty bare repository per id, as a hosting site makes them: ROOT/<id>.git."""
    root.mkdir(parents=True, exist_ok=True)
    for student_id in ids:
        subprocess.run(
            ["git", "init", "--quiet", "--bare", str(root / f"{student_id}.git")], check=True
        )
    return root


def remote_branches(repo: Path) -> dict[str, str]:
    """branch -> commit of a bare repository."""
    out = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
    return dict(line.split() for line in out.splitlines())


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@dataclass(frozen=True)
class GitDaemon:
    base: Path  # where its repositories are
    url: str  # git://127.0.0.1:PORT


@contextlib.contextmanager
def git_daemon(base: Path) -> Iterator[GitDaemon]:
    """`git daemon` serving (and accepting pushes to) every repository under `base`."""
    port = _free_port()
    log = (base.parent / "git-daemon.log").open("w")
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
         "--informative-errors", f"--base-path={base}", "--listen=127.0.0.1", f"--port={port}",
         str(base)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert daemon.poll() is None, "git daemon did not start"
            assert time.monotonic() < deadline, "git daemon did not listen in time"
            time.sleep(0.05)
        yield GitDaemon(base, f"git://127.0.0.1:{port}")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Students at work ------------------------------------------------------------------------


def package_of(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return str(answers["package_name"])


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "-qm", message)


def class_of(path: Path, count: int) -> Path:
    """A roster of `count` students, "Student 1" (student-1, s1@example.org) and on."""
    rows = [{"name": f"Student {n}", "email": f"s{n}@example.org"} for n in range(1, count + 1)]
    return write_roster(path, rows)
