"""Every built-in template, rendered, passes the Scientific Python development guide's checks
(`repo-review` with sp-repo-review): each check passes, or the project's own
`[tool.repo-review.ignore]` says why it does not apply. No check is skipped silently.

Runs the real `repo-review` command of the test environment, which also sees ml-scaffold's
portfolio checks (its entry points); those are the subject of test_review.py (a fresh render has
no results yet), so only the other plugins' checks are held to full marks here.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_scaffold
from project_env import tool
from repo_review.processor import collect_all

from scaffold.templates import load_template_set

AVAILABLE = load_template_set().available_names()
PORTFOLIO = "portfolio-"  # the families of ml-scaffold's own checks


def repo_review(project: Path) -> dict:
    result = subprocess.run(
        [tool("repo-review"), str(project), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 3), result.stdout + result.stderr  # 3: some check missed
    return json.loads(result.stdout)


@functools.cache
def requirements() -> dict[str, frozenset[str]]:
    """Which checks each check needs to pass first (repo-review skips it otherwise)."""
    return {
        code: frozenset(getattr(check, "requires", ()))
        for code, check in collect_all().checks.items()
    }


def unexplained(review: dict, *, portfolio: bool = False) -> dict[str, str]:
    """Checks that missed, or were skipped with no reason of their own nor a skipped check they
    need (GitHub's checks after GH100 is ignored), as {code: description}."""
    checks = review["checks"]
    skipped = {code for code, check in checks.items() if check["result"] is None}
    return {
        code: f"{check['description']}: {check['err_msg'] or 'skipped without a reason'}"
        for code, check in checks.items()
        if check["family"].startswith(PORTFOLIO) == portfolio
        and (
            check["result"] is False
            or (
                check["result"] is None
                and not check["skip_reason"]
                and not requirements().get(code, frozenset()) & skipped
            )
        )
    }


@pytest.fixture(scope="module", params=AVAILABLE)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("repo-review") / f"{request.param}-project"
    result = run_scaffold("new", dest, "-t", request.param, "--defaults")
    assert result.returncode == 0, result.stderr
    return dest


def test_every_template_passes_sp_repo_review(rendered: Path) -> None:
    review = repo_review(rendered)
    sp_checks = [c for c in review["checks"].values() if not c["family"].startswith(PORTFOLIO)]
    assert len(sp_checks) >= 50, "sp-repo-review's checks did not run"
    assert unexplained(review) == {}


def test_ignores_carry_their_reasons(rendered: Path) -> None:
    review = repo_review(rendered)
    ignored = {code: c["skip_reason"] for code, c in review["checks"].items() if c["skip_reason"]}
    assert {"PY004", "PC901"} <= set(ignored), ignored  # no docs site, no pre-commit.ci
    assert all(len(reason.split()) >= 5 for reason in ignored.values()), ignored


def test_other_answers_pass_too(nlp_custom: Path) -> None:
    """GitLab CI, no Docker, MLflow: GitHub's checks and the Dockerfile's are ignored, each
    saying why, and every other check passes."""
    review = repo_review(nlp_custom)
    assert unexplained(review) == {}
    reasons = {code: c["skip_reason"] for code, c in review["checks"].items()}
    assert "GitLab" in reasons["GH100"]
    assert "docker: false" in reasons["ML602"]


def test_repo_review_lists_the_portfolio_checks() -> None:
    listed = subprocess.run(
        [tool("repo-review"), "--list-all"], capture_output=True, text=True, check=True
    ).stdout
    for code in ("ML101", "ML202", "ML403", "ML502", "ML701", "PP302", "SEC001"):
        assert code in listed, code
