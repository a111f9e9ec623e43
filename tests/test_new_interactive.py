"""`scaffold new` in a real terminal (a pty): the specialization list and Copier's questions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import yaml


def spawn(*args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", *args],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
        env={**os.environ, "TERM": "xterm"},
    )
    return child


def answer_remaining_with_enter(child: pexpect.spawn) -> None:
    while child.expect([r"\?", "Created"], timeout=30) == 0:
        child.send("\r")
    child.expect(pexpect.EOF)
    child.close()


def test_pick_nlp_and_get_reprompted_for_a_bad_package_name(tmp_path: Path) -> None:
    child = spawn("new", str(tmp_path / "proj"))
    child.expect("Which specialization")
    for title in ("NLP", "Computer vision", "Reinforcement learning", "Edge", "fairness"):
        child.expect(title)
    child.expect("coming soon")
    child.send("\x1b[B\r")  # arrow down skips the disabled entries: NLP stays the only choice
    child.expect("Project name")
    child.send("\r")  # default: the folder's name
    child.expect("Python package name")
    child.send("\x15" + "9lives\r")  # clear the default, type an invalid name
    child.expect("not a valid package name")
    child.send("\x15" + "good_pkg\r")
    answer_remaining_with_enter(child)
    assert child.exitstatus == 0
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert answers["_scaffold_template"] == "nlp"
    assert answers["project_name"] == "proj"
    assert answers["package_name"] == "good_pkg"


def test_ctrl_c_at_a_question_leaves_nothing(tmp_path: Path) -> None:
    child = spawn("new", str(tmp_path / "proj"), "-t", "nlp")
    child.expect("Project name")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert list(tmp_path.iterdir()) == []
