"""`scaffold review`: a portfolio review of any repository, with a fix for every miss.

A generated project before training (misses, each with the exact command that fixes it) and
after `uv sync` (which writes uv.lock), `train` and `report` (full marks, its tests run with
--run); a repository laid out as a peer generator leaves it (a useful, low score); planted
secrets, a 60 MB file and a notebook with outputs; the output formats; and exit 2 when the
review cannot run. Slow: one installed project (a minute or two).
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import assert_clean_failure, git, run_scaffold
from project_env import ProjectEnv
from review_fixtures import (
    AWS_KEY,
    HF_TOKEN,
    misses,
    peer_repository,
    plant_trouble,
    review_json,
)

pytestmark = pytest.mark.slow
PACKAGE = "review_sentiment"


def test_fresh_render_is_told_what_to_run(nlp_default: Path) -> None:
    code, review = review_json(nlp_default)
    assert code == 1
    missed = misses(review)
    train = f"`uv run {PACKAGE} train`"
    report = f"`uv run {PACKAGE} report`"
    assert missed["ML103"]["fix"] == f"run {train}, then {report}."
    assert missed["ML201"]["fix"] == f"run {train} (it writes reports/metrics.json) and commit it."
    assert missed["ML301"]["fix"] == f"run {train}, then {report} to fill its results."
    assert missed["ML601"]["fix"] == "run `uv lock` and commit uv.lock."
    assert set(missed) == {"ML103", "ML201", "ML301", "ML601"}, missed
    assert review["checks"]["ML202"]["result"] is None  # needs ML103 and ML201
    assert review["checks"]["ML701"]["result"] is True  # the template is current
    assert "ML403" not in review["checks"] and review["tests_run"] is False
    assert review["score"]["missed"] == 4 and review["score"]["percent"] < 100


def test_the_table_shows_each_fix(nlp_default: Path) -> None:
    result = run_scaffold("review", nlp_default, env={"COLUMNS": "200"})
    assert result.returncode == 1, result.stderr
    assert "ML103 README shows results from a run" in result.stdout
    assert f"run `uv run {PACKAGE} train`, then `uv run {PACKAGE} report`." in result.stdout
    assert "One-page project" in result.stdout  # PY004's reason, from the project's pyproject
    assert "Score: " in result.stdout and "4 to fix" in result.stdout
    assert "--run" in result.stdout  # says the tests were not run


def test_markdown_and_html(nlp_default: Path) -> None:
    markdown = run_scaffold("review", nlp_default, "--format", "markdown")
    assert markdown.returncode == 1
    lines = markdown.stdout.splitlines()
    assert lines[0] == f"# Review of {nlp_default.name}"
    assert "## README" in lines and "## Model card and datasheet" in lines
    row = next(line for line in lines if line.startswith("| ❌ | ML201 "))
    assert row.count("|") == 4 and f"`uv run {PACKAGE} train`" in row

    page = run_scaffold("review", nlp_default, "--format", "html")
    assert page.returncode == 1
    parsed = _Page()
    parsed.feed(page.stdout)
    assert parsed.title == f"Review of {nlp_default.name}"
    assert parsed.tags["table"] >= 5 and parsed.tags["h3"] >= 5
    assert "Score: " in page.stdout and f"uv run {PACKAGE} report" in page.stdout


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


@pytest.fixture(scope="module")
def env(nlp_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("review") / "review-sentiment"
    shutil.copytree(nlp_default, project, symlinks=True)
    return ProjectEnv.uv_sync(project, PACKAGE)  # writes uv.lock


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> ProjectEnv:
    """The project as its README says to finish it: trained, and its README reported."""
    env.uv("run", PACKAGE, "train")
    env.uv("run", PACKAGE, "report")
    return env


def test_full_marks_after_train_and_report(trained: ProjectEnv) -> None:
    env = trained
    # The project's own environment: `uv run pytest` finds the machine's package sources.
    code, review = review_json(env.project, "--run", env=env.environ())
    assert misses(review) == {} and code == 0
    assert review["checks"]["ML403"]["result"] is True  # its tests ran and passed
    assert review["checks"]["ML202"]["result"] is True  # README numbers = metrics.json
    assert review["checks"]["ML104"]["result"] is True  # the figures report linked exist
    assert review["score"]["percent"] == 100 and review["tests_run"] is True


def test_stale_readme_numbers_are_caught(trained: ProjectEnv, tmp_path: Path) -> None:
    project = tmp_path / "stale"
    shutil.copytree(trained.project, project, symlinks=True, ignore=shutil.ignore_patterns(".venv"))
    metrics_path = project / "reports" / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["accuracy"] = round(metrics["accuracy"] - 0.1234, 4)  # a newer run, not reported
    metrics_path.write_text(json.dumps(metrics), encoding="utf-8")
    code, review = review_json(project)
    assert code == 1 and set(misses(review)) == {"ML202"}
    assert f"accuracy = {metrics['accuracy']:g}" in review["checks"]["ML202"]["err_msg"]
    fix = f"run `uv run {PACKAGE} report` after every training run."
    assert review["checks"]["ML202"]["fix"] == fix


def test_secrets_large_files_and_notebook_outputs_are_caught(
    nlp_default: Path, tmp_path: Path
) -> None:
    project = tmp_path / "leaky"
    shutil.copytree(nlp_default, project, symlinks=True)
    plant_trouble(project)
    code, review = review_json(project)
    assert code == 1
    missed = misses(review)
    secrets = missed["ML502"]["err_msg"]
    assert "scripts/upload.py:3: AWS access key" in secrets
    assert ".env: a `.env` file" in secrets and ".env:1: Hugging Face token" in secrets
    assert AWS_KEY not in secrets and HF_TOKEN not in secrets  # shown redacted
    assert "data/embeddings.bin` (60 MB)" in missed["ML503"]["err_msg"]
    assert "data/embeddings.bin" in missed["ML504"]["err_msg"]
    assert "notebooks/explore.ipynb: 1 cell(s) with outputs" in missed["ML505"]["err_msg"]
    assert "nbstripout" in missed["ML505"]["fix"]
    assert "revoke" in missed["ML502"]["fix"]


def test_a_peer_generators_layout_gets_a_useful_low_score(tmp_path: Path) -> None:
    project = peer_repository(tmp_path / "churn-model")
    code, review = review_json(project)
    assert code == 1
    missed = misses(review)
    expected = {
        "ML101": "A short description of the project",  # placeholder, no problem stated
        "ML102": "data",
        "ML103": "no results section",
        "ML105": "no commands",
        "ML201": "no metrics file",
        "ML301": "no model card",
        "ML302": "no datasheet",
        "ML401": "placeholders",
        "ML402": "tests/test_data.py:1 test_code_is_tested (only `assert False`)",
        "ML404": "No CI",
        "ML501": "no licence",
        "ML601": "No lock file",
        "ML603": "no demo",
    }
    for code_, needle in expected.items():
        assert code_ in missed, code_
        assert needle.lower() in missed[code_]["err_msg"].lower(), (code_, missed[code_])
        assert missed[code_]["fix"], code_
    assert review["checks"]["ML701"]["result"] is None  # not a scaffold project
    assert review["checks"]["ML602"]["result"] is None  # serves nothing
    assert review["score"]["percent"] < 50, review["score"]
    table = run_scaffold("review", project)
    assert table.returncode == 1 and "Traceback" not in table.stderr
    assert "Score: " in table.stdout


def test_exit_2_when_the_review_cannot_run(tmp_path: Path) -> None:
    missing = run_scaffold("review", tmp_path / "nowhere")
    assert missing.returncode == 2
    assert_clean_failure(missing, "is not a directory")

    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello\n", encoding="utf-8")
    assert run_scaffold("review", a_file).returncode == 2

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[project\nname = 'x'\n", encoding="utf-8")
    result = run_scaffold("review", broken)
    assert result.returncode == 2
    assert_clean_failure(result, "Could not review", "TOML")


def test_an_empty_repository_scores_without_crashing(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    code, review = review_json(tmp_path)
    assert code == 1 and review["score"]["passed"] < review["score"]["missed"]
