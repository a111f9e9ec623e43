"""The AI-ethics project with awkward answers: quotes, emoji and Jinja in the project's words,
the longest package name, GitLab CI, no Docker, MLflow tracking, a proprietary licence, Python
3.10. Rendered and validated statically (not installed: the suite's time budget; the default
project is installed and run by test_project_ethics.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ETHICS_AWKWARD_ANSWERS
from project_env import assert_validators_pass

pytestmark = pytest.mark.slow
PACKAGE = ETHICS_AWKWARD_ANSWERS["package_name"]


def test_the_answers_reach_the_files(ethics_awkward: Path) -> None:
    init = (ethics_awkward / "src" / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert """TITLE = 'Fair "Lender" {{ 7*7 }} ⚖️'""" in init  # literally, not rendered
    examples = ast.literal_eval(init.split("EXAMPLE_INPUTS = ")[1])
    assert [set(example) for example in examples] == [
        {
            "age",
            "job",
            "housing",
            "saving_accounts",
            "checking_account",
            "credit_amount",
            "duration",
            "purpose",
        }
    ] * 2
    assert not (ethics_awkward / "Dockerfile").exists()
    assert (ethics_awkward / ".gitlab-ci.yml").is_file()
    card = (ethics_awkward / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert '# Model card: Fair "Lender" {{ 7*7 }} ⚖️' in card
    assert "O'Brien, Zoë (zoe@example.org)" in card and "proprietary" in card
    readme = (ethics_awkward / "README.md").read_text(encoding="utf-8")
    assert f"{PACKAGE} train" in readme and "## Fairness: audit, mitigation, explanations" in readme
    pyproject = (ethics_awkward / "pyproject.toml").read_text(encoding="utf-8")
    assert "mlflow" in pyproject


def test_generated_files_pass_their_validators(ethics_awkward: Path) -> None:
    assert_validators_pass(ethics_awkward)
