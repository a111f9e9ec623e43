"""The NLP project with default answers, used as a student would: install, test, train, serve.

It follows the README's uv path literally: `uv sync`, `uv run pytest`, `uv run review_sentiment
train`. Slow (a whole project installed): a minute or so.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from project_env import (
    PYTEST_ARGS,
    ProjectEnv,
    assert_validators_pass,
    documented_prediction_fields,
    http_json,
    pytest_counts,
)

pytestmark = pytest.mark.slow
PACKAGE = "review_sentiment"


@pytest.fixture(scope="module")
def env(nlp_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    # A private copy: training writes reports/ and models/, other tests read the pristine render.
    project = tmp_path_factory.mktemp("default") / "review-sentiment"
    shutil.copytree(nlp_default, project, symlinks=True)
    return ProjectEnv.uv_sync(project, PACKAGE)


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    env.uv("run", PACKAGE, "train")
    return json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def test_uv_sync_installs_the_dev_group_and_writes_a_lock(env: ProjectEnv) -> None:
    # The dev group is the dev extra: test and lint tools and the API server, no other extra.
    for command in (PACKAGE, "pytest", "ruff", "uvicorn"):
        assert (env.venv / "bin" / command).is_file(), command
    assert env.run(str(env.python), "-c", "import torch", check=False).returncode != 0
    assert 'name = "review-sentiment"' in (env.project / "uv.lock").read_text(encoding="utf-8")
    env.uv("sync", "--locked")  # the lock it wrote matches pyproject.toml


def test_makefile_targets_go_through_uv(env: ProjectEnv) -> None:
    result = env.run("make", "lint")
    assert (
        "uv run ruff check ." in result.stdout and "uv run ruff format --check ." in result.stdout
    )


def test_its_own_test_suite_passes(env: ProjectEnv) -> None:
    result = env.uv("run", "pytest", *PYTEST_ARGS)
    counts = pytest_counts(result.stdout)
    assert counts.get("passed", 0) >= 15, result.stdout
    assert not counts.get("failed") and not counts.get("error") and not counts.get("errors")
    # The only tests allowed to skip are the transformer ones, which need the extra.
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("transformer" in line for line in skips), skips


def test_train_reaches_the_baseline_accuracy(trained: dict, env: ProjectEnv) -> None:
    assert trained["accuracy"] >= 0.80, trained
    assert 0.0 < trained["macro_f1"] <= 1.0
    assert set(trained["per_class"]) == {"positive", "negative"}
    figures = env.project / "reports" / "figures"
    for name in ("confusion_matrix.png", "learning_curve.png"):
        header = (figures / name).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", header[16:24])
        assert width >= 300 and height >= 200, name
    assert any((env.project / "models").rglob("*")), "no model artifact written"


def test_report_fills_the_readme_from_the_metrics(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert f"{trained['accuracy']:.4f}" in results
    assert f"{trained['macro_f1']:.4f}" in results
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"{trained['accuracy']:.4f}" in card


def test_evaluate_and_predict_commands(trained: dict, env: ProjectEnv) -> None:
    evaluated = env.command("evaluate")
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["accuracy"] == pytest.approx(trained["accuracy"]), evaluated.stdout
    predicted = env.command(
        "predict", "Absolutely loved it, would buy again.", "Broke in a day. Awful."
    )
    lines = [json.loads(line) for line in predicted.stdout.splitlines() if line.strip()]
    assert [line["label"] for line in lines] == ["positive", "negative"]


def test_serves_predictions_over_http(trained: dict, env: ProjectEnv) -> None:
    with env.serving() as url:
        status, health = http_json("GET", f"{url}/health")
        assert status == 200 and health["status"] == "ok"
        inputs = ["What a wonderful, heartfelt film.", "Terrible service and cold food."]
        status, body = http_json("POST", f"{url}/predict", {"inputs": inputs})
        assert status == 200, body
        predictions = body["predictions"]
        assert [p["label"] for p in predictions] == ["positive", "negative"]
        assert all(set(p) == documented_prediction_fields("nlp") for p in predictions)
        assert all(0.5 <= p["score"] <= 1.0 for p in predictions)
        assert http_json("POST", f"{url}/predict", {"inputs": []})[0] == 422
        assert http_json("POST", f"{url}/predict", {"text": "no inputs key"})[0] == 422


def test_cli_reports_missing_model_without_traceback(env: ProjectEnv, tmp_path: Path) -> None:
    result = env.command("predict", "hello", "--model-dir", str(tmp_path / "none"), check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "train" in result.stderr


def test_its_code_passes_mypy_in_strict_mode(env: ProjectEnv) -> None:
    result = env.uv("run", "mypy")  # what CI, `make lint` and the pre-commit hook run
    assert "Success: no issues found" in result.stdout, result.stdout


def test_generated_files_pass_their_validators(nlp_default: Path) -> None:
    # The default answers give a Dockerfile and GitHub Actions: hadolint, both schemas and zizmor.
    assert (nlp_default / "Dockerfile").is_file() and (
        nlp_default / ".github" / "workflows" / "ci.yml"
    ).is_file()
    assert_validators_pass(nlp_default)
