"""The edge project on a student's own images, listed in a CSV file of `path,label` (the other
way in the README's "Use your own data" names): four classes of motifs drawn with Pillow (PNG
and JPEG; RGB, RGBA and grayscale; several sizes), the README's commands (train, benchmark,
report, serve) with the rendered defaults. The served int8 model must reach 0.90 test accuracy
and beat the majority class; GET /model, the demo page's examples (clicked in Chromium) and
the model card speak of the motifs, and the benchmark keeps working on them.

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
PACKAGE = "tiny_digits"


@pytest.fixture(scope="module")
def env(edge_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("edge-own") / "tiny-digits"
    shutil.copytree(edge_default, project, symlinks=True)
    return ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))


@pytest.fixture(scope="module")
def labels(env: ProjectEnv) -> list[str]:
    """The motifs in `data/motifs/<class>/`, listed with relative paths in data/motifs.csv."""
    folder = env.project / "data" / "motifs"
    labels = draw(env, folder, "motifs")
    rows = sorted(
        f"motifs/{path.parent.name}/{path.name},{path.parent.name}"
        for path in folder.rglob("*")
        if path.is_file()
    )
    (env.project / "data" / "motifs.csv").write_text(
        "path,label\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return labels


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, labels: list[str]) -> dict:
    """The README's sequence, data.root naming the CSV file, up to `report`."""
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    section = own_data_section(readme)
    setup, run = (commands(block) for block in blocks(section, "bash"))
    (data,) = blocks(section, "yaml")
    assert "CSV file" in section and "path,label" in section
    assert setup == [["cp", "configs/config.yaml", "configs/own.yaml"]]
    env.run(*setup[0])
    change = yaml.safe_load(data)
    assert list(change) == ["data"] and list(change["data"]) == ["root"]
    change["data"]["root"] = "data/motifs.csv"
    config = env.project / "configs" / "own.yaml"
    config.write_text(yaml.safe_dump(merge(yaml.safe_load(config.read_text()), change)), "utf-8")
    steps = {words[3]: words[4:] for words in run}
    assert list(steps) == ["train", "benchmark", "report", "serve"]
    result = env.command("train", *steps["train"])
    env.command("benchmark", *steps["benchmark"])
    env.command("report", *steps["report"])
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    benchmark = json.loads((env.project / "reports" / "benchmark.json").read_text("utf-8"))
    return metrics | {"stdout": result.stdout, "benchmark": benchmark, "serve": steps["serve"]}


def test_the_int8_model_learns_the_motifs_and_beats_the_baseline(
    trained: dict, labels: list[str]
) -> None:
    assert trained["accuracy"] >= 0.90, trained
    assert trained["compression"]["served"] == "int8"
    assert trained["better_than_baseline"] is True and trained["verdict"] in trained["stdout"]
    assert trained["data"]["source"] == "data/motifs.csv" and trained["data"]["sample"] is False
    assert trained["data"]["classes"] == {label: 30 for label in labels}
    rows = trained["benchmark"]["benchmark"]
    assert list(rows) == ["fp32", "int8"]
    assert rows["int8"]["accuracy"] == pytest.approx(trained["accuracy"], abs=1e-4)


def test_the_card_and_datasheet_speak_of_the_motifs(trained: dict, env: ProjectEnv) -> None:
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    sheet = (env.project / "data" / "README.md").read_text(encoding="utf-8")
    assert trained["verdict"] in card and "| int8 |" in card
    for text in (card, sheet):
        found = [word for word in SAMPLE_WORDS if word in text]
        assert not found, found
    assert "`data/motifs.csv`" in sheet.split("<!-- data:start -->")[1]


def test_get_model_has_the_motifs_and_the_latency(
    trained: dict, env: ProjectEnv, labels: list[str]
) -> None:
    with env.serving(*trained["serve"]) as url:
        status, described = http_json("GET", f"{url}/model")
        assert status == 200
        assert described["labels"] == labels
        assert described["variant"] == "int8" and described["latency_p50_ms"] > 0
        examples = described["examples"]
        assert [example["label"] for example in examples[:4]] == labels
        images = [base64.b64decode(example["input"]) for example in examples]
        status, body = predict_images(url, *images)
        assert status == 200
        assert [p["label"] for p in body["predictions"]] == [e["label"] for e in examples]


def test_an_example_motif_clicks_to_its_label_and_latency(page: Page, labels: list[str]) -> None:
    buttons = page.locator("#demo-example-buttons button")
    expect(buttons).to_have_count(6)
    captions = page.locator("#demo-example-buttons .example-label").all_inner_texts()
    assert captions[:4] == labels
    buttons.nth(2).click()
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text(labels[2])
    expect(result.locator(".latency")).to_contain_text("int8 ONNX")
    expect(page.get_by_role("alert")).to_be_hidden()
