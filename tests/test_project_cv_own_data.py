"""The computer-vision project on a student's own images, as its README's "Use your own data"
says: a folder of three classes of shapes drawn with Pillow (PNG and JPEG; RGB, RGBA and
grayscale; several sizes), the README's command sequence run as written (copy the config, change
only the data keys it names, train, report, serve) with the rendered defaults. The model must
reach 0.90 test accuracy and beat the majority class; the results, the model card, the
datasheet, GET /model, /docs and the demo page's examples (clicked in Chromium) must speak of
the shapes, not of the sample's digits. The errors a student meets with their own data are one
line naming their own folder, class, column or file.

Slow (an install and a training run): minutes. One install and one training run serve every
test of this module.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
import yaml
from own_images import SAMPLE_WORDS, blocks, commands, draw, merge, own_data_section
from playwright.sync_api import Page, expect
from project_env import ProjectEnv, http_json, predict_images

pytestmark = pytest.mark.slow
PACKAGE = "digit_reader"
BARS = "Probability of each label"


def run_readme_commands(env: ProjectEnv, words: list[str], **kwargs):
    """`uv run <package> ARGS` as the README writes it, with the installed command (the test
    environment is installed with `uv pip`, see test_project_cv); other commands as they are."""
    if words[:3] == ["uv", "run", PACKAGE]:
        return env.command(*words[3:], **kwargs)
    return env.run(*words, **kwargs)


@pytest.fixture(scope="module")
def env(cv_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("cv-own") / "digit-reader"
    shutil.copytree(cv_default, project, symlinks=True)
    return ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))


@pytest.fixture(scope="module")
def sequence(env: ProjectEnv) -> dict[str, list[list[str]]]:
    """The README's own-data commands: `setup` (copy the config), `data` (the keys to change),
    `run` (train, report, serve)."""
    section = own_data_section((env.project / "README.md").read_text(encoding="utf-8"))
    setup, run = (commands(block) for block in blocks(section, "bash"))
    (data,) = blocks(section, "yaml")
    return {"setup": setup, "data": yaml.safe_load(data), "run": run}


@pytest.fixture(scope="module")
def labels(env: ProjectEnv, sequence: dict) -> list[str]:
    """The student's folder, where the README's data keys point."""
    return draw(env, env.project / sequence["data"]["data"]["root"], "shapes")


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, sequence: dict, labels: list[str]) -> dict:
    """The README's sequence up to `report`, with the rendered defaults."""
    for words in sequence["setup"]:
        run_readme_commands(env, words)
    config = env.project / "configs" / "own.yaml"
    default = yaml.safe_load((env.project / "configs" / "config.yaml").read_text("utf-8"))
    assert yaml.safe_load(config.read_text("utf-8")) == default  # a copy
    assert list(sequence["data"]) == ["data"]  # only data keys to change
    config.write_text(yaml.safe_dump(merge(default, sequence["data"])), encoding="utf-8")
    steps = {words[3]: words for words in sequence["run"]}
    assert list(steps) == ["train", "report", "serve"]
    assert all(words[-2:] == ["--config", "configs/own.yaml"] for words in steps.values())
    trained = run_readme_commands(env, steps["train"])
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    metrics["stdout"] = trained.stdout
    run_readme_commands(env, steps["report"])
    return metrics


def test_the_defaults_learn_the_shapes_and_say_they_beat_the_baseline(
    trained: dict, labels: list[str]
) -> None:
    assert trained["accuracy"] >= 0.90, trained
    assert set(trained["per_class"]) == set(labels)
    assert trained["better_than_baseline"] is True
    assert trained["verdict"].startswith("Clearly better than the majority-class baseline")
    assert trained["verdict"] in trained["stdout"]
    assert trained["baseline"]["accuracy"] < 0.5
    data = trained["data"]
    assert data["sample"] is False and data["source"] == "data/my_images"
    assert data["classes"] == {label: 40 for label in labels}
    assert data["splits"] == {"train": 84, "validation": 18, "test": 18}
    # The budget counts steps: 84 images make 3 batches an epoch, so many epochs.
    assert trained["training"]["epochs"] > 30
    assert trained["training"]["steps"] <= 500


def test_report_speaks_of_the_shapes_only(trained: dict, env: ProjectEnv, labels: list[str]):
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert f"**{trained['verdict']}**" in results
    assert "`data/my_images`" in results
    assert all(f"| {label} |" in results for label in labels)
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    sheet = (env.project / "data" / "README.md").read_text(encoding="utf-8")
    for text in (card, sheet):
        assert "sample:start" not in text
        found = [word for word in SAMPLE_WORDS if word in text]
        assert not found, found
        named = text.replace("digit-reader", "").replace(PACKAGE, "")  # the project's own name
        words = named.split("## Bring your own images")[0].lower()
        assert "digit" not in words, [line for line in words.splitlines() if "digit" in line]
    composition = sheet.split("<!-- data:start -->")[1].split("<!-- data:end -->")[0]
    assert "`data/my_images`" in composition
    assert all(f"| {label} | 40 | 33.3% |" in composition for label in labels)
    assert trained["verdict"] in card


def test_get_model_docs_and_predict_give_the_shapes(
    trained: dict, env: ProjectEnv, sequence: dict, labels: list[str]
) -> None:
    (serve,) = [words for words in sequence["run"] if words[3] == "serve"]
    with env.serving(*serve[4:]) as url:
        status, described = http_json("GET", f"{url}/model")
        assert status == 200
        assert described["labels"] == labels
        assert described["data"]["classes"] == {label: 40 for label in labels}
        examples = described["examples"]
        assert [example["label"] for example in examples[:3]] == labels  # one of each first
        assert 3 <= len(examples) <= 6
        images = [base64.b64decode(example["input"]) for example in examples]
        assert all(image.startswith(b"\x89PNG") and len(image) < 4000 for image in images)
        status, body = predict_images(url, *images)
        assert status == 200
        assert [p["label"] for p in body["predictions"]] == [e["label"] for e in examples]
        assert all(set(p["scores"]) == set(labels) for p in body["predictions"])
        status, schema = http_json("GET", f"{url}/openapi.json")
        request = json.dumps(schema["components"]["schemas"]["PredictRequest"])
        assert examples[0]["input"] in request


def test_own_data_mistakes_are_one_line_naming_them(env: ProjectEnv, tmp_path: Path) -> None:
    base = yaml.safe_load((env.project / "configs" / "config.yaml").read_text("utf-8"))

    def train_on(root: Path) -> str:
        config = tmp_path / "config.yaml"
        settings = merge(base, {"data": {"root": str(root)}, "model_dir": str(tmp_path / "m")})
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        result = env.command("train", "--config", str(config), check=False)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        (line,) = result.stderr.strip().splitlines()
        return line

    one = tmp_path / "one-class"
    shutil.copytree(env.project / "data" / "my_images" / "circle", one / "circle")
    line = train_on(one)
    assert "at least two" in line and "found 1 (circle)" in line

    few = tmp_path / "few"
    shutil.copytree(env.project / "data" / "my_images" / "square", few / "square")
    (few / "owl").mkdir()
    shutil.copy(next((one / "circle").glob("*.png")), few / "owl" / "only.png")
    assert f"Class 'owl' has 1 image(s) in {few}: too few for the splits" in train_on(few)

    listing = tmp_path / "labels.csv"
    listing.write_text("file,class\nx.png,circle\n", encoding="utf-8")
    line = train_on(listing)
    assert "no column 'path' or 'label'" in line and "(found: file, class)" in line
    listing.write_text("path,label\ncircle/a.png,circle\n", encoding="utf-8")
    line = train_on(listing)
    assert f"{listing}, line 2: no image file at {tmp_path / 'circle' / 'a.png'}" in line


# --- The demo page, in a browser (the `url` and `page` fixtures: conftest.py) -----------------


def test_the_examples_are_the_runs_test_shapes_and_click_to_their_labels(
    page: Page, labels: list[str]
) -> None:
    buttons = page.locator("#demo-example-buttons button")
    expect(buttons.first).to_be_visible()
    count = buttons.count()
    assert 3 <= count <= 6
    captions = [buttons.nth(i).locator(".example-label").inner_text() for i in range(count)]
    assert captions[:3] == labels and set(captions) <= set(labels)
    for index, label in enumerate(captions[:3]):
        buttons.nth(index).click()
        result = page.locator("#demo-result")
        expect(result.locator(".verdict-label")).to_have_text(label)
        rows = page.get_by_role("list", name=BARS).get_by_role("listitem")
        expect(rows).to_have_count(3)
        expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.get_by_role("button", name="Example image 1")).to_be_visible()
