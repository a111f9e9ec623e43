"""Repositories for `scaffold review` to judge, built by the tests: one laid out the way a peer
project generator leaves it, and ways of planting what a review must catch; and the review's
JSON verdict, read."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import git, run_scaffold

# The lock-file check: a project that installs PyTorch's CPU build cannot be locked on a machine
# that reaches only the package registries (`uv lock` asks PyTorch's own index), so the tests
# of those templates review without one.
LOCK_FILE_CHECK = "ML601"


def review_json(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    """`scaffold review PATH --format json ARGS`: its exit code and its report."""
    result = run_scaffold("review", path, "--format", "json", *args, env=env, timeout=900)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def misses(review: dict) -> dict[str, dict]:
    """The checks a review missed, by id."""
    return {code: check for code, check in review["checks"].items() if check["result"] is False}


def assert_only_the_lock_file_is_missed(project: Path) -> None:
    """A PyTorch project after `train` and `report`: nothing to fix but the lock file, which
    PyTorch's CPU index, out of reach here, keeps from being made."""
    code, review = review_json(project)
    assert set(misses(review)) == {LOCK_FILE_CHECK}, misses(review)
    assert code == 1


# A repository as a cookiecutter-data-science (v2) style generator leaves it before any work:
# its README's placeholder description and folder tree, package modules that log and do
# nothing, a test that always fails, empty data/models/notebooks folders. Written here, in the
# shape such a generator produces, not copied from it.
PEER_FILES = {
    "README.md": """# churn-model

<a target="_blank" href="https://example.org/template">
    <img src="https://img.shields.io/badge/project-template-328F97" />
</a>

A short description of the project.

## Project Organization

```
├── LICENSE            <- Open-source license if one is chosen
├── Makefile           <- Makefile with convenience commands like `make data` or `make train`
├── README.md          <- The top-level README for developers using this project.
├── data
│   ├── external       <- Data from third party sources.
│   ├── interim        <- Intermediate data that has been transformed.
│   ├── processed      <- The final, canonical data sets for modeling.
│   └── raw            <- The original, immutable data dump.
├── models             <- Trained and serialized models, model predictions, or model summaries
├── notebooks          <- Jupyter notebooks.
├── reports            <- Generated analysis as HTML, PDF, LaTeX, etc.
│   └── figures        <- Generated graphics and figures to be used in reporting
└── churn_model        <- Source code for use in this project.
```

--------
""",
    "Makefile": (
        "requirements:\n\tpip install -r requirements.txt\n\n"
        "data:\n\tpython churn_model/dataset.py\n"
    ),
    "pyproject.toml": """[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "churn_model"
version = "0.0.1"
description = "A short description of the project."
authors = [{ name = "Your name (or your organization/company/team)" }]
requires-python = "~=3.10"

[tool.ruff]
line-length = 99
src = ["churn_model"]
""",
    "requirements.txt": "loguru\ntqdm\ntyper\npandas\nscikit-learn\n",
    "churn_model/__init__.py": "from churn_model import config  # noqa: F401\n",
    "churn_model/config.py": """from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = DATA_DIR / "raw"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
MODELS_DIR = PROJ_ROOT / "models"
""",
    "churn_model/dataset.py": """from pathlib import Path

import typer
from loguru import logger

from churn_model.config import PROCESSED_DATA_DIR, RAW_DATA_DIR

app = typer.Typer()


@app.command()
def main(
    input_path: Path = RAW_DATA_DIR / "dataset.csv",
    output_path: Path = PROCESSED_DATA_DIR / "dataset.csv",
):
    # ---- REPLACE THIS WITH YOUR OWN CODE ----
    logger.info("Processing dataset...")
    logger.success("Processing dataset complete.")
    # -----------------------------------------


if __name__ == "__main__":
    app()
""",
    "churn_model/modeling/__init__.py": "",
    "churn_model/modeling/train.py": """import typer
from loguru import logger

app = typer.Typer()


@app.command()
def main():
    # TODO: train a model
    logger.info("Training some model...")


if __name__ == "__main__":
    app()
""",
    "tests/test_data.py": "def test_code_is_tested():\n    assert False\n",
    "data/raw/.gitkeep": "",
    "data/processed/.gitkeep": "",
    "models/.gitkeep": "",
    "notebooks/.gitkeep": "",
    "reports/figures/.gitkeep": "",
    "docs/mkdocs.yml": "site_name: churn-model\n",
    "docs/docs/index.md": "# churn-model documentation!\n\nA short description of the project.\n",
    ".gitignore": "__pycache__/\n.venv/\n/data/\n!/data/**/.gitkeep\n",
}


def peer_repository(root: Path) -> Path:
    for name, text in PEER_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "--quiet")
    git(root, "add", "--all", "--force")
    git(root, "commit", "--quiet", "-m", "Initial commit from the project template")
    return root


# Credentials in their real formats, put together at run time so that no file of this
# repository holds one.
AWS_KEY = "AKIA" + "Z7Q4" * 4
HF_TOKEN = "hf_" + "k3Jx9PqW" * 5


def plant_trouble(project: Path) -> None:
    """A key in the code, a committed `.env`, a 60 MB file and a notebook with outputs."""
    (project / "scripts").mkdir()
    (project / "scripts" / "upload.py").write_text(
        f'"""Push the model."""\n\nKEY_ID = "{AWS_KEY}"\n', encoding="utf-8"
    )
    (project / ".env").write_text(f"HF_TOKEN={HF_TOKEN}\n", encoding="utf-8")
    big = project / "data" / "embeddings.bin"
    with big.open("wb") as handle:  # sparse: 60 MB on paper, nothing written
        handle.truncate(60 * 1024 * 1024)
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "source": ["print('accuracy', 0.93)"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["accuracy 0.93\n"]}
                ],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (project / "notebooks").mkdir()
    (project / "notebooks" / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    git(project, "add", "scripts", "notebooks")
    git(project, "add", "--force", ".env")  # .gitignore lists it: forced, as people do
    git(project, "commit", "--quiet", "-m", "Experiments")
    assert os.path.getsize(big) == 60 * 1024 * 1024
