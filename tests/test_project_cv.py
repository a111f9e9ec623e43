"""The computer-vision project with default answers, used as a student would: install (PyTorch's
CPU build, as the project's pyproject.toml tells uv), test, train, report, predict from the
shell, serve over HTTP, and try the demo page in headless Chromium.

Slow (a virtual environment, an install and a training run): minutes, not seconds. One install
serves every test of this module.
"""

from __future__ import annotations

import base64
import json
import shutil
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT
from playwright.sync_api import Page, expect
from project_env import (
    LOCAL_TORCH,
    TORCH_CPU_INDEX,
    ProjectEnv,
    assert_suite_passed,
    assert_validators_pass,
    documented_prediction_fields,
    http_json,
    predict_images,
)
from review_fixtures import assert_only_the_lock_file_is_missed

pytestmark = pytest.mark.slow
PACKAGE = "digit_reader"
BARS = "Probability of each label"
DIGITS = {str(digit) for digit in range(10)}
EXAMPLES = ["digit-3.png", "digit-7.png", "digit-0.png"]


def make_image(env: ProjectEnv, name: str, pillow_code: str) -> Path:
    """An image file written with Pillow in the project's environment (this one has none)."""
    path = env.project / name
    code = f"from PIL import Image; Image.{pillow_code}.save({str(path)!r})"
    env.run(str(env.venv / "bin" / "python"), "-c", code)
    return path


@pytest.fixture(scope="module")
def env(cv_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    # A private copy: training writes reports/ and models/, other tests read the pristine render.
    project = tmp_path_factory.mktemp("cv") / "digit-reader"
    shutil.copytree(cv_default, project, symlinks=True)
    # `uv pip install`, not the README's `uv sync`: a lock is resolved for every Python the
    # project supports, and the machine's torch wheel (standing in for PyTorch's CPU index, see
    # torch_index_settings) is for this Python only.
    return ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    result = env.command("train")
    assert "epoch   1" in result.stderr  # the progress: one line per epoch
    return json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def test_the_render_is_small_and_its_examples_are_the_catalogs(cv_default: Path) -> None:
    files = [path for path in cv_default.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert len(files) < 80  # the sample is one array file, not 1,797 little ones
    assert (cv_default / "data" / "sample" / "digits.npz").stat().st_size < 100_000
    catalog = yaml.safe_load((REPO_ROOT / "templates" / "catalog.yml").read_text("utf-8"))
    examples = catalog["specializations"]["cv"]["data"]["spec_example_inputs"]
    assert [base64.b64decode(item) for item in examples] == [
        (cv_default / "data" / "examples" / name).read_bytes() for name in EXAMPLES
    ]
    readme = (cv_default / "README.md").read_text(encoding="utf-8")
    assert "[tool.uv.sources]" in readme  # why uv takes the CPU build, and how to change that
    assert "pip install 'torch>=2.1' --index-url https://download.pytorch.org/whl/cpu" in readme
    assert f"{PACKAGE} train --config configs/transfer.yaml" in readme  # the section's package


def test_uv_takes_torch_from_the_cpu_index_the_project_names(env: ProjectEnv) -> None:
    """The project's `[tool.uv.sources]` decides: without it uv would take the newest torch the
    indexes offer (PyPI's CUDA build), not the local CPU wheel behind the `pytorch-cpu` name."""
    pyproject = (env.project / "pyproject.toml").read_text(encoding="utf-8")
    assert f'torch = [{{ index = "{TORCH_CPU_INDEX}" }}]' in pyproject
    assert 'url = "https://download.pytorch.org/whl/cpu"' in pyproject
    python = str(env.python)
    version = env.run(python, "-c", "import torch; print(torch.__version__)").stdout.strip()
    assert version == LOCAL_TORCH.split("==")[1] + "+cpu", version
    installed = env.uv("pip", "list", "--python", python).stdout
    assert "torchvision" not in installed and "nvidia" not in installed


def test_its_own_test_suite_passes_offline(env: ProjectEnv) -> None:
    assert_suite_passed(env.pytest(), at_least=90)


def test_train_reaches_the_baseline_accuracy(trained: dict, env: ProjectEnv) -> None:
    assert trained["accuracy"] >= 0.95, trained
    assert 0.9 <= trained["macro_f1"] <= 1.0
    assert set(trained["per_class"]) == DIGITS
    assert trained["dataset"] == {"train": 1259, "validation": 269, "test": 269}
    assert trained["training"]["model"] == "cnn"
    assert 1 <= trained["training"]["best_epoch"] <= trained["training"]["epochs"] <= 15
    assert trained["training"]["steps"] <= 500  # the default budget, in optimiser steps
    assert trained["better_than_baseline"] is True and trained["baseline"]["accuracy"] < 0.2
    assert trained["data"]["sample"] is True and trained["data"]["rows"] == 1797
    figures = env.project / "reports" / "figures"
    for name in ("confusion_matrix.png", "training_curves.png", "misclassified.png"):
        header = (figures / name).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", header[16:24])
        assert width >= 300 and height >= 150, name
    assert (env.project / "models" / "cnn" / "weights.pt").is_file()


def test_report_fills_the_readme_and_card_from_the_metrics(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert f"| accuracy | {trained['accuracy']:.4f} |" in results
    assert f"seconds: {trained['training']['seconds']:.4f}" in results
    assert "![Misclassified](reports/figures/misclassified.png)" in results
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"{trained['macro_f1']:.4f}" in card
    # The sample keeps its own texts; the datasheet's composition is the run's.
    sheet = (env.project / "data" / "README.md").read_text(encoding="utf-8")
    assert "hand-written" in card and "hand-written" in sheet
    composition = sheet.split("<!-- data:start -->")[1].split("<!-- data:end -->")[0]
    assert "`data/sample/digits.npz`" in composition and "| 3 | 183 |" in composition


def test_evaluate_and_predict_from_the_shell(trained: dict, env: ProjectEnv) -> None:
    env.command("evaluate")
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == trained  # the saved model, re-evaluated: the same numbers
    # A photo-like image: 96 x 96 RGB JPEG of an example digit, as a phone might give it.
    photo = make_image(
        env, "photo.jpg", "open('data/examples/digit-7.png').convert('RGB').resize((96, 96))"
    )
    predicted = env.command("predict", *(f"data/examples/{name}" for name in EXAMPLES), str(photo))
    lines = [json.loads(line) for line in predicted.stdout.splitlines() if line.strip()]
    assert [line["label"] for line in lines] == ["3", "7", "0", "7"]
    assert all(set(line["scores"]) == DIGITS for line in lines)
    missing = env.command("predict", "no/such/image.png", check=False)
    assert missing.returncode == 1
    assert "No such image file" in missing.stderr and "Traceback" not in missing.stderr


def test_serves_real_pngs_over_http_and_refuses_what_is_not_one(
    trained: dict, env: ProjectEnv
) -> None:
    digit_three = (env.project / "data" / "examples" / "digit-3.png").read_bytes()
    with env.serving() as url:
        status, body = predict_images(url, digit_three)
        assert status == 200, body
        (prediction,) = body["predictions"]
        assert set(prediction) == documented_prediction_fields("cv")
        assert prediction["label"] == "3" and prediction["score"] > 0.5
        assert set(prediction["scores"]) == DIGITS

        status, body = predict_images(url, b"GIF89a? no, plain text")
        assert status == 422
        assert "not an image" in body["detail"][0]["msg"]
        status, body = predict_images(url, b"\x00" * (11 * 1024 * 1024))
        assert status == 422
        assert "the limit is 10 MB" in body["detail"][0]["msg"]

        # Still serving, and any mode and size is taken: a 200 x 120 RGBA PNG.
        rgba = make_image(env, "wide.png", "new('RGBA', (200, 120), (20, 20, 20, 255))")
        status, body = predict_images(url, rgba.read_bytes())
        assert status == 200 and body["predictions"][0]["label"] in DIGITS, body


def test_health_answers_while_a_request_of_large_images_is_decoded(
    trained: dict, env: ProjectEnv
) -> None:
    # An audit's case: a request of 30 large PNGs held /health up for 34 s, as each image was
    # decoded while the request was validated, on the event loop (and again to predict). Now
    # validation reads headers only and each image is decoded once, in a worker thread.
    large = make_image(
        env, "large.png", "linear_gradient('L').resize((4000, 4000)).convert('RGB')"
    ).read_bytes()
    waits = []
    with env.serving() as url, ThreadPoolExecutor(1) as pool:
        request = pool.submit(predict_images, url, *[large] * 20)
        time.sleep(0.5)  # the request is on its way: read, validated, then decoded
        while not request.done():
            started = time.perf_counter()
            assert http_json("GET", f"{url}/health")[0] == 200
            waits.append(time.perf_counter() - started)
            time.sleep(0.1)
        status, body = request.result()
    assert status == 200 and len(body["predictions"]) == 20, body
    assert len(waits) >= 3 and max(waits) < 1.0, waits


def test_review_finds_nothing_to_fix_after_train_and_report(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    assert_only_the_lock_file_is_missed(env.project)


def test_its_code_passes_mypy_in_strict_mode(env: ProjectEnv, mypy_cache: Path) -> None:
    """torch, Pillow and numpy with their own types; only scikit-learn is taken untyped."""
    result = env.mypy(mypy_cache)  # what CI and `make lint` run
    assert "Success: no issues found" in result.stdout, result.stdout


def test_generated_files_pass_their_validators(cv_default: Path) -> None:
    # The default answers give a Dockerfile and GitHub Actions: hadolint, both schemas and zizmor.
    assert (cv_default / "Dockerfile").is_file() and (
        cv_default / ".github" / "workflows" / "ci.yml"
    ).is_file()
    assert_validators_pass(cv_default)


def test_the_model_cards_retraining_installs_pytorchs_cpu_build_first(cv_default: Path) -> None:
    # As the README's pip path does: without it, pip takes PyPI's CUDA build (GBs) on Linux.
    torch_line = "pip install 'torch>=2.1' --index-url https://download.pytorch.org/whl/cpu"
    assert torch_line in ((cv_default / "README.md").read_text(encoding="utf-8"))
    card = (cv_default / "MODEL_CARD.md").read_text(encoding="utf-8")
    retrain = card.split("## How to retrain")[1]
    assert torch_line in retrain
    assert retrain.index(torch_line) < retrain.index('pip install -e ".[dev]"')


# --- The demo page, in a browser (the `url` and `page` fixtures: conftest.py) -----------------


def expect_label(page: Page, label: str) -> None:
    """The result shows `label`, a bar for each digit (the label's first), and the image."""
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text(label)
    expect(result.get_by_role("img", name="The classified image")).to_be_visible()
    rows = page.get_by_role("list", name=BARS).get_by_role("listitem")
    expect(rows).to_have_count(10)
    assert rows.first.locator(".score-label").inner_text() == label
    expect(page.get_by_role("alert")).to_be_hidden()


def test_an_example_digit_is_one_click_from_its_label(page: Page) -> None:
    # The run's examples: test digits 0 to 5, one of each (model_info.json), each captioned
    # with its true label.
    expect(page.get_by_role("button", name="Example image 1")).to_be_visible()
    expect(page.get_by_role("button", name="Example image 6")).to_be_visible()
    captions = page.locator("#demo-example-buttons .example-label")
    expect(captions).to_have_text(["0", "1", "2", "3", "4", "5"])
    page.get_by_role("button", name="Example image 4").click()
    expect_label(page, "3")
    expect(page.get_by_role("img", name="The image to classify: Example image 4")).to_be_visible()


def test_an_uploaded_png_gets_a_label(page: Page, env: ProjectEnv, tmp_path: Path) -> None:
    upload = tmp_path / "my-seven.png"
    shutil.copy(env.project / "data" / "examples" / "digit-7.png", upload)
    page.get_by_label("Image to classify").set_input_files(upload)
    expect(page.get_by_role("img", name="The image to classify: my-seven.png")).to_be_visible()
    page.get_by_role("button", name="Classify", exact=True).click()
    expect_label(page, "7")


def test_a_dropped_image_gets_a_label(page: Page, env: ProjectEnv) -> None:
    zero = base64.b64encode((env.project / "data" / "examples" / "digit-0.png").read_bytes())
    # The widget draws its drop zone once its module has loaded, which may be after the page's
    # load event: wait for it, as a person would.
    page.locator("#demo-drop").wait_for()
    page.evaluate(
        """(data) => {
          const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
          const zone = document.getElementById("demo-drop");
          zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
          zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        zero.decode(),
    )
    expect(page.get_by_role("img", name="The image to classify: dropped.png")).to_be_visible()
    page.get_by_role("button", name="Classify", exact=True).click()
    expect_label(page, "0")


def test_a_file_that_is_not_an_image_shows_the_servers_reason(
    page: Page, env: ProjectEnv, tmp_path: Path
) -> None:
    page.get_by_role("button", name="Classify", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Check the input. Choose, drop or paste an image first."
    )
    notes = tmp_path / "notes.png"
    notes.write_text("these are my notes, not a picture")
    page.get_by_label("Image to classify").set_input_files(notes)
    expect(page.locator("#demo-preview")).to_be_visible()
    page.get_by_role("button", name="Classify", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Input not accepted. The input is not an image Pillow can read (PNG, JPEG or WebP)."
    )
    # The server goes on serving: a real image right after gets its label.
    page.get_by_role("button", name="Example image 2").click()
    expect_label(page, "1")
