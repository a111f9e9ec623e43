"""The edge project with default answers, used as a student would: install (PyTorch's CPU build
in the `train` extra), test, train (export and quantize included), benchmark, report, predict
from the shell, serve over HTTP, serve again from an install without PyTorch, and try the demo
page in headless Chromium.

Slow (two virtual environments, one training run): minutes. One full install and one training
run serve every test of this module; the serving-only install is the second environment.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
import tomllib
import yaml
from conftest import REPO_ROOT
from playwright.sync_api import Page, expect
from project_env import (
    ProjectEnv,
    assert_suite_passed,
    assert_validators_pass,
    documented_prediction_fields,
    http_json,
    predict_images,
)
from review_fixtures import assert_only_the_lock_file_is_missed

pytestmark = pytest.mark.slow
PACKAGE = "tiny_digits"
DIGITS = {str(digit) for digit in range(10)}
EXAMPLES = ["digit-3.png", "digit-7.png", "digit-0.png"]


@pytest.fixture(scope="module")
def env(edge_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    # A private copy: training writes reports/ and models/, other tests read the pristine render.
    project = tmp_path_factory.mktemp("edge") / "tiny-digits"
    shutil.copytree(edge_default, project, symlinks=True)
    return ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))  # as test_project_cv's


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    """`train` then `benchmark`: the metrics (reports/metrics.json) and, under `benchmark`,
    `bars` and `benchmark_setup`, the benchmark's results (reports/benchmark.json)."""
    result = env.command("train")
    assert "epoch   1" in result.stderr
    env.command("benchmark")
    reports = env.project / "reports"
    metrics = json.loads((reports / "metrics.json").read_text(encoding="utf-8"))
    results = json.loads((reports / "benchmark.json").read_text(encoding="utf-8"))
    assert results["model_sha256"] == metrics["model_sha256"]  # of the same model
    return metrics | results


def test_torch_is_in_the_train_extra_only(edge_default: Path) -> None:
    pyproject = tomllib.loads((edge_default / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    extras = project["optional-dependencies"]
    assert not [dep for dep in project["dependencies"] if dep.startswith("torch")]
    assert not [dep for dep in extras["serve"] if dep.startswith(("torch", "onnx>"))]
    assert "torch>=2.1" in extras["train"] and "onnx>=1.15" in extras["train"]
    assert "tiny-digits[train]" in extras["dev"]  # the tests train
    assert any(dep.startswith("onnxruntime") for dep in project["dependencies"])
    # The Docker image trains in an environment of its own and serves from one without torch.
    dockerfile = (edge_default / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --no-dev --extra serve --no-editable" in dockerfile
    assert "UV_PROJECT_ENVIRONMENT=/opt/train-venv" in dockerfile
    assert "RUN /opt/train-venv/bin/tiny_digits train" in dockerfile
    assert "COPY --from=build /app/.venv .venv/" in dockerfile
    assert "/opt/train-venv" not in dockerfile.split("FROM python")[-1]  # not in the final stage
    # The README says so: the image has no PyTorch at all, CPU build or other.
    readme = (edge_default / "README.md").read_text(encoding="utf-8")
    docker = " ".join(readme.split("## Docker")[1].split("\n## ")[0].split())
    assert "PyTorch is its CPU-only build" not in docker
    assert "The image has no PyTorch:" in docker
    catalog = yaml.safe_load((REPO_ROOT / "templates" / "catalog.yml").read_text("utf-8"))
    examples = catalog["specializations"]["edge"]["data"]["spec_example_inputs"]
    assert [base64.b64decode(item) for item in examples] == [
        (edge_default / "data" / "examples" / name).read_bytes() for name in EXAMPLES
    ]


def test_its_own_test_suite_passes_offline(env: ProjectEnv) -> None:
    assert_suite_passed(env.pytest(), at_least=90)


def test_train_exports_and_quantizes_the_model(trained: dict, env: ProjectEnv) -> None:
    models = env.project / "models" / "cnn"
    for name in ("model.onnx", "model.int8.onnx", "compression.json", "weights.pt"):
        assert (models / name).is_file(), name
    compression = trained["compression"]
    assert compression["served"] == "int8" and compression["quantization"] == "static"
    assert compression["parity_max_difference"] <= 1e-4  # ONNX equals PyTorch, test split
    assert trained["accuracy"] >= 0.95, trained  # the int8 model's, the headline
    assert trained["dataset"] == {"train": 1259, "validation": 269, "test": 269}


def test_benchmark_measures_each_variant_and_judges_the_bars(trained: dict) -> None:
    rows = trained["benchmark"]
    assert list(rows) == ["fp32", "int8"]
    for row in rows.values():
        assert 0 < row["latency_p50_ms"] <= row["latency_p95_ms"] and row["throughput_per_s"] > 0
    assert trained["accuracy"] == pytest.approx(rows["int8"]["accuracy"], abs=1e-4)
    # Size and accuracy do not depend on the machine: the sample's bars hold everywhere.
    # (Latency does: docs/benchmarks.md has this machine's figures.)
    assert rows["int8"]["size_kb"] <= 0.30 * rows["fp32"]["size_kb"]
    assert rows["fp32"]["accuracy"] - rows["int8"]["accuracy"] <= 0.01
    bars = trained["bars"]
    assert bars["int8 file size"]["met"] == bars["int8 accuracy"]["met"] == "yes"
    assert bars["int8 latency p50"]["met"] in ("yes", "NO: missed on this CPU")
    setup = trained["benchmark_setup"]
    assert setup["threads"] == 1 and setup["timed_runs"] == 300 and setup["warmup_runs"] == 20


def test_report_puts_the_comparison_in_the_readme(trained: dict, env: ProjectEnv) -> None:
    # `evaluate` after `benchmark` (issue 18: it used to drop the comparison from the README).
    env.command("evaluate")
    reported = env.command("report")
    assert "Benchmark" not in reported.stderr, reported.stderr  # neither missing nor stale
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert f"| accuracy | {trained['accuracy']:.4f} |" in results
    int8 = trained["benchmark"]["int8"]
    assert f"| int8 | {int8['size_kb']:.4f} | {int8['accuracy']:.4f} |" in results
    assert "| int8 file size |" in results and "| int8 latency p50 |" in results
    assert "![Benchmark](reports/figures/benchmark.png)" in results
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "| int8 accuracy |" in card


def test_the_readme_shows_no_figures_measured_when_the_template_was_made(
    edge_default: Path,
) -> None:
    # Sizes, accuracies and latencies come from the user's own run, which `report` writes
    # between the results markers; a fresh project has none anywhere else.
    readme = (edge_default / "README.md").read_text(encoding="utf-8")
    outside = readme.split("<!-- results:start -->")[0] + readme.split("<!-- results:end -->")[1]
    measured = re.findall(r"\d+(?:\.\d+)? ?(?:KB|ms)\b|\b0\.9\d+|\d+\.\d+ ?%", outside)
    assert not measured, measured


def test_predict_from_the_shell(trained: dict, env: ProjectEnv) -> None:
    predicted = env.command("predict", *(f"data/examples/{name}" for name in EXAMPLES))
    lines = [json.loads(line) for line in predicted.stdout.splitlines() if line.strip()]
    assert [line["label"] for line in lines] == ["3", "7", "0"]
    assert all(set(line["scores"]) == DIGITS for line in lines)


def test_serves_real_pngs_over_http_and_refuses_what_is_not_one(
    trained: dict, env: ProjectEnv
) -> None:
    digit_three = (env.project / "data" / "examples" / "digit-3.png").read_bytes()
    with env.serving() as url:
        status, body = predict_images(url, digit_three)
        assert status == 200, body
        (prediction,) = body["predictions"]
        assert set(prediction) == documented_prediction_fields("edge")
        assert prediction["label"] == "3" and set(prediction["scores"]) == DIGITS
        status, body = predict_images(url, b"not an image")
        assert status == 422 and "not an image" in body["detail"][0]["msg"]
        status, body = http_json("POST", f"{url}/predict", {"inputs": 3})
        assert status == 422
        status, description = http_json("GET", f"{url}/model")
        assert status == 200 and description["variant"] == "int8", description
        assert description["latency_p50_ms"] > 0
    # The README says where the latency is: GET /model, not a field of each prediction.
    readme = " ".join((env.project / "README.md").read_text(encoding="utf-8").split())
    assert "`latency_p50_ms`, measured when it was exported" in readme
    assert "latency_ms" not in readme.replace("latency_p50_ms", "")


def test_the_serving_install_has_no_torch_and_serves(
    trained: dict, env: ProjectEnv, edge_default: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`pip install ".[serve]"`, as the Docker image's final stage has it: ONNX Runtime, no
    PyTorch, no onnx; it serves the model the full install trained, over HTTP."""
    project = tmp_path_factory.mktemp("edge-serve") / "tiny-digits"
    shutil.copytree(edge_default, project, symlinks=True)
    serving = ProjectEnv.uv_pip(project, PACKAGE, (".[serve]",))
    installed = serving.uv("pip", "list", "--python", str(serving.python)).stdout
    names = {line.split()[0].lower() for line in installed.splitlines()[2:] if line.strip()}
    assert "torch" not in names and "onnx" not in names, installed
    assert "onnxruntime" in names
    missing = serving.run(str(serving.python), "-c", "import torch", check=False)
    assert missing.returncode != 0
    # Training needs the `train` extra: one line says so, not a traceback.
    refused = serving.command("train", check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    (line,) = refused.stderr.strip().splitlines()
    assert "torch is not installed" in line and 'pip install -e ".[train]"' in line, line
    digit_seven = (env.project / "data" / "examples" / "digit-7.png").read_bytes()
    with serving.serving("--model-dir", str(env.project / "models" / "cnn")) as url:
        status, body = predict_images(url, digit_seven)
    assert status == 200 and body["predictions"][0]["label"] == "7", body


def test_review_finds_nothing_to_fix_after_train_and_report(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    assert_only_the_lock_file_is_missed(env.project)


def test_its_code_passes_mypy_in_strict_mode(env: ProjectEnv, mypy_cache: Path) -> None:
    result = env.mypy(mypy_cache)
    assert "Success: no issues found" in result.stdout, result.stdout


def test_generated_files_pass_their_validators(edge_default: Path) -> None:
    # The default answers give a Dockerfile and GitHub Actions: hadolint, both schemas and zizmor.
    assert (edge_default / "Dockerfile").is_file()
    assert (edge_default / ".github" / "workflows" / "ci.yml").is_file()
    assert_validators_pass(edge_default)


def test_the_model_cards_retraining_installs_pytorchs_cpu_build_first(edge_default: Path) -> None:
    # As the README's pip path does: without it, pip takes PyPI's CUDA build (GBs) on Linux.
    torch_line = "pip install 'torch>=2.1' --index-url https://download.pytorch.org/whl/cpu"
    assert torch_line in ((edge_default / "README.md").read_text(encoding="utf-8"))
    card = (edge_default / "MODEL_CARD.md").read_text(encoding="utf-8")
    retrain = card.split("## How to retrain")[1]
    assert torch_line in retrain
    assert retrain.index(torch_line) < retrain.index('pip install -e ".[dev]"')


# --- The demo page, in a browser (the `url` and `page` fixtures: conftest.py) -----------------


def test_the_demo_page_shows_the_label_and_the_models_latency(page: Page) -> None:
    page.get_by_role("button", name="Example image 2").click()  # the run's test digit 1
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text("1")
    expect(result.locator(".latency")).to_contain_text("ms per image")
    expect(result.locator(".latency")).to_contain_text("int8 ONNX")
    expect(page.get_by_role("alert")).to_be_hidden()


def test_a_file_that_is_not_an_image_shows_the_servers_reason(page: Page, tmp_path: Path) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("these are my notes, not a picture")
    page.get_by_label("Image to classify").set_input_files(notes)
    page.get_by_role("button", name="Classify", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Input not accepted. The input is not an image Pillow can read (PNG, JPEG or WebP)."
    )
