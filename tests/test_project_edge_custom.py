"""The edge project with awkward answers: quotes, emoji and Jinja in the project's words, the
longest package name, GitLab CI, no Docker, MLflow tracking, BSD-3-Clause.

Rendered and validated statically, not installed (the default project's module installs and
runs one): the suite's time budget.
"""

from __future__ import annotations

from pathlib import Path

import tomllib
import yaml
from project_env import assert_validators_pass

PACKAGE = "pocket_reader_for_tiny_devices_1"


def test_the_answers_reach_the_files(edge_awkward: Path) -> None:
    init = (edge_awkward / "src" / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert """TITLE = 'Pocket "Reader" {{ 7*7 }} 📟'""" in init  # literally, not rendered
    assert not (edge_awkward / "Dockerfile").exists()
    assert "BSD 3-Clause" in (edge_awkward / "LICENSE").read_text(encoding="utf-8")
    pyproject = tomllib.loads((edge_awkward / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"] == {PACKAGE: f"{PACKAGE}.cli:app"}
    assert not [dep for dep in pyproject["project"]["dependencies"] if "torch" in dep]
    assert "mlflow-skinny>=2.16" in pyproject["project"]["dependencies"]


def test_gitlab_ci_trains_with_the_train_extra(edge_awkward: Path) -> None:
    ci = yaml.safe_load((edge_awkward / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    script = ci["train-smoke"]["script"]
    assert "uv sync --no-dev --extra train" in script
    assert f"uv run --no-dev --extra train {PACKAGE} train" in script


def test_the_cli_and_config_know_the_benchmark(edge_awkward: Path) -> None:
    cli = (edge_awkward / "src" / PACKAGE / "cli.py").read_text(encoding="utf-8")
    assert '@app.command("benchmark")' in cli
    config = yaml.safe_load((edge_awkward / "configs" / "config.yaml").read_text("utf-8"))
    assert config["compress"]["quantization"] == "static" and config["benchmark"]["threads"] == 1
    assert "resnet18" not in config and config["model_type"] == "cnn"


def test_generated_files_pass_their_validators(edge_awkward: Path) -> None:
    assert_validators_pass(edge_awkward)
