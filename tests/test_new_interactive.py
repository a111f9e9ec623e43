"""`scaffold new` in a real terminal (a pty): the specialization list and Copier's questions."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pexpect
import yaml
from conftest import REPO_ROOT, spawn_scaffold

spawn = spawn_scaffold


def answer_remaining_with_enter(child: pexpect.spawn) -> None:
    while child.expect([r"\?", "Created"], timeout=30) == 0:
        child.send("\r")
    child.expect(pexpect.EOF)
    child.close()


def test_pick_rl_and_get_reprompted_for_a_bad_package_name(tmp_path: Path) -> None:
    child = spawn("new", str(tmp_path / "proj"))
    child.expect("Which specialization")
    for title in ("NLP", "Computer vision", "Reinforcement learning", "Edge", "fairness"):
        child.expect(title)
    child.send("\x1b[B\x1b[B\r")  # two arrows down from NLP: past computer vision to RL
    child.expect("Project name")
    child.send("\r")  # default: the folder's name
    child.expect("Python package name")
    child.send("\x15" + "9lives\r")  # clear the default, type an invalid name
    child.expect("Use lowercase letters, digits and _, starting with a letter.")
    child.send("\x15" + "email\r")  # a standard-library module: its imports would break
    child.expect("A standard-library module has that name: pick another.")
    child.send("\x15" + "good_pkg\r")
    answer_remaining_with_enter(child)
    assert child.exitstatus == 0
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert answers["_scaffold_template"] == "rl"
    assert answers["project_name"] == "proj"
    assert answers["package_name"] == "good_pkg"


def test_pick_computer_vision_from_the_list(tmp_path: Path) -> None:
    child = spawn("new", str(tmp_path / "digits"))
    child.expect("Which specialization")
    child.expect("fairness")  # the last entry: the whole list is drawn
    child.send("\x1b[B\r")  # arrow down: computer vision
    child.expect("Project name")
    child.send("\r")
    answer_remaining_with_enter(child)
    assert child.exitstatus == 0
    answers = yaml.safe_load((tmp_path / "digits" / ".copier-answers.yml").read_text())
    assert answers["_scaffold_template"] == "cv"
    assert (tmp_path / "digits" / "data" / "sample" / "digits.npz").is_file()
    assert (tmp_path / "digits" / "src" / "digits" / "resnet.py").is_file()


def on_screen(words: str) -> str:
    """A pattern for `words` as a terminal draws them: any line breaks, spaces and escape
    sequences (cursor moves, colours) between them."""
    gap = r"(?:\s|\x1b\[[0-9;?]*[A-Za-z])+"
    return gap.join(re.escape(word) for word in words.split())


def test_the_list_shows_titles_and_the_highlighted_description_whole_at_80_columns(
    tmp_path: Path,
) -> None:
    """Descriptions are too long for one line beside their title: the list shows the titles,
    and under it the description of the highlighted one, wrapped, never cut off."""
    catalog = yaml.safe_load((REPO_ROOT / "templates" / "catalog.yml").read_text("utf-8"))
    specializations = catalog["specializations"]
    child = spawn("new", str(tmp_path / "proj"), columns=80)
    child.expect("Which specialization")
    for entry in specializations.values():
        child.expect(re.escape(entry["title"]))
    child.expect(on_screen(specializations["nlp"]["description"]))
    child.send("\x1b[B" * 4)  # down to the last one, ethics, the longest description
    child.expect(on_screen(specializations["ethics"]["description"]))
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_a_question_leaves_nothing(tmp_path: Path) -> None:
    child = spawn("new", str(tmp_path / "proj"), "-t", "nlp")
    child.expect("Project name")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_questions_and_messages_fit_an_80_column_terminal(tmp_path: Path) -> None:
    """Help texts and validation messages are shown on one line each: nothing cut off."""
    child = spawn("new", str(tmp_path / "proj"), "-t", "nlp", columns=80)
    child.expect("Project name")
    child.send("\r")
    child.expect("Python package name [(]a lowercase identifier; also the project's command[)]")
    child.send("\x15" + "numpy\r")
    child.expect("The project imports a package of that name: pick another.")
    child.send("\x15" + "fine_name\r")
    child.expect("One-line description")
    child.send("\r")
    child.expect("Author name")
    child.send("\r")
    child.expect("Author email")
    child.send("\x15" + "not-an-address\r")
    child.expect("Not an email address [(]like name@example.org[)].")
    child.send("\x15" + "me@example.org\r")
    child.expect("License")
    child.send("\r")
    child.expect("Python version for CI and Docker [(]the package supports 3.10 and newer[)]")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert list(tmp_path.iterdir()) == []


def test_sigterm_or_sighup_while_questions_wait_leaves_nothing(tmp_path: Path) -> None:
    for signal_number in (signal.SIGTERM, signal.SIGHUP):
        child = spawn("new", str(tmp_path / "proj"), "-t", "nlp")
        child.expect("Project name")
        child.kill(signal_number)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 128 + signal_number, (signal_number, child.before)
        assert "Interrupted: nothing was written." in child.before
        assert list(tmp_path.iterdir()) == []  # no DEST, no staging directory


def test_help_texts_fit_on_one_terminal_line() -> None:
    """Every question of every layer: the prompt ("🎤 " + help) fits in 80 columns."""
    for config in (REPO_ROOT / "templates").glob("*/copier.yml"):
        for key, question in yaml.safe_load(config.read_text(encoding="utf-8")).items():
            if isinstance(question, dict) and question.get("when") is not False:
                assert len(str(question.get("help", key))) <= 76, (config, key)
