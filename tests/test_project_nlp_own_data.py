"""The NLP project trained on a student's own data, as its README's "Use your own data" says.

The test writes a CSV of its own: other column names, three labels unlike the sample's two, a
few empty texts, and an extra column. It follows the README's command sequence literally (copy
the config, change only the data keys the README names, `uv run ... train`, `report`, `serve`)
with the rendered defaults, then checks that everything the project shows speaks of that data:
the verdict against the majority-class baseline in the terminal, metrics.json and the README,
the model card and the datasheet without the sample's words, GET /model, the API docs' example
and the demo page's examples clicked in headless Chromium. Beside it, the same file as JSON
lines and Parquet, a dataset written with `save_to_disk` (with `datasets` installed in the
project's environment), and the one-line errors for data a classifier cannot learn from.
Slow: a whole project installed, trained and served (a minute or two).
"""

from __future__ import annotations

import json
import random
import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect
from project_env import ProjectEnv, http_json

pytestmark = pytest.mark.slow
PACKAGE = "review_sentiment"
PROJECT_NAME = "review-sentiment"
OWN_CONFIG = "configs/own.yaml"
DATA_FILE = "data/mine/messages.csv"
TEXT_COLUMN, LABEL_COLUMN = "message", "topic"
# Three labels, none of them the sample's, each with words of its own.
WORDS = {
    "astronomy": ["telescope", "nebula", "comet", "orbit", "galaxy", "eclipse", "planet", "meteor"],
    "gardening": [
        "compost",
        "tulip",
        "seedling",
        "hedge",
        "mulch",
        "trowel",
        "greenhouse",
        "weeds",
    ],
    "sailing": ["mast", "keel", "harbour", "tide", "anchor", "regatta", "dinghy", "spinnaker"],
}
LABELS = sorted(WORDS)
PER_LABEL = 40
EMPTY_TEXTS = 3
# What describes only the sample: wrong in a project trained on these messages.
SAMPLE_WORDS = re.compile(
    r"\b(positive|negative|reviews?|sentiment|2,000|1,400|300 texts|data/sample)\b", re.IGNORECASE
)


def messages() -> list[dict[str, str]]:
    """PER_LABEL messages of each label, then a few without a text, in a shuffled order."""
    rng = random.Random(7)
    openers = ["Question about the", "Notes on the", "Today I saw the", "Help with my", "Photos of"]
    rows = []
    for label, words in WORDS.items():
        for i in range(PER_LABEL):
            first, second = rng.sample(words, 2)
            text = f"{rng.choice(openers)} {first} and the {second}, entry {i}."
            rows.append({"id": f"{label[:3]}-{i}", TEXT_COLUMN: text, LABEL_COLUMN: label})
    rows += [
        {"id": f"blank-{i}", TEXT_COLUMN: "", LABEL_COLUMN: LABELS[i]} for i in range(EMPTY_TEXTS)
    ]
    rng.shuffle(rows)
    return rows


def own_data_section(readme: str) -> str:
    """The body of the README's "Use your own data" section."""
    match = re.search(r"^## Use your own data\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no 'Use your own data' section"
    return match.group(1)


def code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)


def section_between(text: str, start: str, end: str) -> str:
    return text.split(start)[1].split(end)[0]


def without_names(text: str) -> str:
    """`text` without the project's and the package's names (which hold the word "review")."""
    return text.replace(PROJECT_NAME, "").replace(PACKAGE, "")


@pytest.fixture(scope="module")
def env(nlp_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("own-data") / PROJECT_NAME
    shutil.copytree(nlp_default, project, symlinks=True)
    return ProjectEnv.uv_sync(project, PACKAGE)


@pytest.fixture(scope="module")
def steps(env: ProjectEnv) -> dict[str, list[str]]:
    """The README's own-data commands (by what they run) and the data keys it names."""
    section = own_data_section((env.project / "README.md").read_text(encoding="utf-8"))
    (commands,) = code_blocks(section, "bash")
    (keys,) = code_blocks(section, "yaml")
    lines = [shlex.split(line, comments=True) for line in commands.splitlines()]
    by_step = {words[3] if words[0] == "uv" else words[0]: words for words in lines if words}
    return {**by_step, "data keys": list(yaml.safe_load(keys)["data"])}


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, steps: dict[str, list[str]]):
    """The README's sequence up to `train`: the test's CSV, the copied config with only the
    data keys the README names changed, and `uv run <package> train --config ...`."""
    data = env.project / DATA_FILE
    data.parent.mkdir(parents=True)
    with data.open("w", encoding="utf-8", newline="") as file:
        import csv

        writer = csv.DictWriter(file, fieldnames=["id", TEXT_COLUMN, LABEL_COLUMN])
        writer.writeheader()
        writer.writerows(messages())
    env.run(*steps["cp"])
    own = env.project / OWN_CONFIG
    config = yaml.safe_load(own.read_text(encoding="utf-8"))
    values = {
        "train": DATA_FILE,
        "validation": None,
        "test": None,
        "text_column": TEXT_COLUMN,
        "label_column": LABEL_COLUMN,
    }
    assert sorted(steps["data keys"]) == sorted(values), steps["data keys"]
    config["data"].update(values)
    own.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    assert steps["train"][-2:] == ["--config", OWN_CONFIG]
    result = env.uv(*steps["train"][1:])
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    return result, metrics


@pytest.fixture(scope="module")
def reported(env: ProjectEnv, trained, steps: dict[str, list[str]]) -> dict:
    assert steps["report"][-2:] == ["--config", OWN_CONFIG]
    env.uv(*steps["report"][1:])
    return trained[1]


@pytest.fixture(scope="module")
def url(env: ProjectEnv, reported: dict, steps: dict[str, list[str]]) -> Iterator[str]:
    """`serve` as the README runs it (its --config), on a free port of 127.0.0.1."""
    assert steps["serve"][-2:] == ["--config", OWN_CONFIG]
    with env.serving(*steps["serve"][-2:]) as base_url:
        yield base_url


def test_the_readme_shows_one_command_sequence(steps: dict[str, list[str]]) -> None:
    assert steps["cp"] == ["cp", "configs/config.yaml", OWN_CONFIG]
    for step in ("train", "report", "serve"):
        assert steps[step] == ["uv", "run", PACKAGE, step, "--config", OWN_CONFIG]


def test_train_cuts_the_file_and_beats_the_majority_class(trained) -> None:
    result, metrics = trained
    assert metrics["better_than_baseline"] is True, metrics["verdict"]
    assert metrics["verdict"] in result.stdout  # said in the terminal
    assert metrics["baseline"]["name"] == "majority class"
    assert metrics["macro_f1"] > metrics["baseline"]["macro_f1"]
    assert metrics["accuracy"] >= 0.9, metrics
    assert sorted(metrics["per_class"]) == LABELS
    data = metrics["data"]
    assert data["source"] == DATA_FILE and data["sample"] is False
    assert data["columns"] == {"text": TEXT_COLUMN, "label": LABEL_COLUMN}
    assert data["classes"] == dict.fromkeys(LABELS, PER_LABEL)
    assert data["rows"] == sum(data["splits"].values()) == len(LABELS) * PER_LABEL
    assert data["splits"] == {"train": 84, "validation": 18, "test": 18}  # 6 of each label
    assert data["dropped"]["rows"] == EMPTY_TEXTS
    assert "dropped 3 row(s)" in result.stderr  # the warning, with the count


def test_report_speaks_of_the_new_data(env: ProjectEnv, reported: dict) -> None:
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = section_between(readme, "<!-- results:start -->", "<!-- results:end -->")
    assert reported["verdict"] in results
    assert all(label in results for label in LABELS)
    assert not SAMPLE_WORDS.search(without_names(results)), results
    assert not SAMPLE_WORDS.search(without_names(own_data_section(readme)))

    card = without_names((env.project / "MODEL_CARD.md").read_text(encoding="utf-8"))
    assert reported["verdict"] in card and all(label in card for label in LABELS)
    assert "sample:start" not in card
    assert not SAMPLE_WORDS.search(card), SAMPLE_WORDS.search(card)

    sheet = without_names((env.project / "data" / "README.md").read_text(encoding="utf-8"))
    composition = section_between(sheet, "<!-- data:start -->", "<!-- data:end -->")
    assert DATA_FILE in composition
    assert all(label in composition for label in LABELS)
    assert "sample:start" not in sheet
    assert not SAMPLE_WORDS.search(sheet), SAMPLE_WORDS.search(sheet)
    assert "sample" not in sheet.lower()


def test_get_model_and_the_docs_show_the_new_labels_and_test_texts(url: str) -> None:
    texts = {row[TEXT_COLUMN]: row[LABEL_COLUMN] for row in messages() if row[TEXT_COLUMN]}
    status, info = http_json("GET", f"{url}/model")
    assert status == 200, info
    assert info["labels"] == LABELS
    examples = info["examples"]
    assert [example["label"] for example in examples[: len(LABELS)]] == LABELS  # one of each
    assert all(texts[example["input"]] == example["label"] for example in examples)
    assert info["data"]["source"] == DATA_FILE

    status, schema = http_json("GET", f"{url}/openapi.json")
    request = schema["components"]["schemas"]["PredictRequest"]["properties"]["inputs"]
    assert all(text in texts for text in request["examples"][0])

    status, body = http_json("POST", f"{url}/predict", {"inputs": [examples[0]["input"]]})
    assert status == 200 and set(body["predictions"][0]["scores"]) == set(LABELS)


def test_the_demo_pages_examples_give_the_new_labels(page: Page) -> None:
    buttons = page.locator("#demo-example-buttons button.example")
    expect(buttons.first).to_be_visible()
    names = buttons.all_inner_texts()
    assert len(names) >= len(LABELS)
    assert {name.split(" · ")[0] for name in names} == set(LABELS)  # each with its true label
    for index, name in enumerate(names[: len(LABELS)]):
        label, text = name.split(" · ", 1)
        buttons.nth(index).click()
        result = page.locator("#demo-result")
        expect(result.locator(".echo")).to_have_text(text)
        expect(result.locator(".verdict-label")).to_have_text(label)
        shown = result.locator(".score-label").all_inner_texts()
        assert sorted(shown) == LABELS


def test_json_lines_and_parquet_give_the_same_splits(env: ProjectEnv, trained) -> None:
    script = f"""
import json, pandas as pd
from {PACKAGE}.config import load_config
from {PACKAGE}.data import load_data
config = load_config("{OWN_CONFIG}")
frame = pd.read_csv("{DATA_FILE}", dtype=str, keep_default_na=False)
frame.to_json("data/mine/messages.jsonl", orient="records", lines=True)
frame.to_parquet("data/mine/messages.parquet")
out = {{}}
for suffix in ("csv", "jsonl", "parquet"):
    config.data.train = config.data.train.with_suffix("." + suffix)
    data = load_data(config)
    out[suffix] = [data.composition, [part["text"].tolist() for part in data.splits]]
print(json.dumps(out))
"""
    result = env.run(str(env.python), "-c", script)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    csv_composition, csv_splits = loaded.pop("csv")
    assert csv_composition == trained[1]["data"]
    for suffix, (composition, splits) in loaded.items():
        assert composition == {**csv_composition, "source": f"data/mine/messages.{suffix}"}
        assert splits == csv_splits, suffix


def test_a_dataset_saved_to_disk_trains_offline(env: ProjectEnv, trained) -> None:
    # `datasets` alone (the transformer extra's part that reads datasets), not PyTorch.
    env.uv("pip", "install", "--quiet", "--python", str(env.python), "datasets>=2.18")
    script = f"""
import datasets, pandas as pd
frame = pd.read_csv("{DATA_FILE}", dtype=str, keep_default_na=False)
frame = frame[frame["{TEXT_COLUMN}"] != ""]
names = sorted(set(frame["{LABEL_COLUMN}"]))
features = datasets.Features(
    {{"sentence": datasets.Value("string"), "class": datasets.ClassLabel(names=names)}}
)
ids = [names.index(label) for label in frame["{LABEL_COLUMN}"]]
texts = frame["{TEXT_COLUMN}"].tolist()
half = len(frame) // 2
datasets.DatasetDict({{
    "train": datasets.Dataset.from_dict(
        {{"sentence": texts[:half], "class": ids[:half]}}, features=features
    ),
    "test": datasets.Dataset.from_dict(
        {{"sentence": texts[half:], "class": ids[half:]}}, features=features
    ),
}}).save_to_disk("data/saved")
"""
    env.run(str(env.python), "-c", script)
    config = yaml.safe_load((env.project / OWN_CONFIG).read_text(encoding="utf-8"))
    config["data"].update(dataset="data/saved", text_column="sentence", label_column="class")
    config.update(model_dir="models/saved", reports_dir="reports/saved")
    (env.project / "configs" / "saved.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    env.command("train", "--config", "configs/saved.yaml")

    metrics = json.loads((env.project / "reports/saved/metrics.json").read_text(encoding="utf-8"))
    data = metrics["data"]
    assert data["source"] == "data/saved" and data["sample"] is False
    assert sorted(data["classes"]) == LABELS  # class ids became their names
    assert data["splits"]["test"] == len(LABELS) * PER_LABEL - len(LABELS) * PER_LABEL // 2
    assert data["splits"]["validation"] > 0  # cut out of the train split
    assert metrics["better_than_baseline"] is True


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"text_column": "body"}, ["missing column(s) body", "found id, message, topic"]),
        ({"label_names": {"astronomy": "stars"}}, ["label_names has no name for 'gardening'"]),
        ({"validation_size": 0.01}, ["each label needs at least", "'astronomy' has 40"]),
    ],
)
def test_unusable_settings_are_one_line_errors(
    env: ProjectEnv, trained, tmp_path: Path, change: dict, says: list[str]
) -> None:
    config = yaml.safe_load((env.project / OWN_CONFIG).read_text(encoding="utf-8"))
    config["data"].update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = env.command("train", "--config", str(path), check=False)
    assert_one_line_error(result, DATA_FILE, *says)


def test_a_single_label_is_a_one_line_error(env: ProjectEnv, trained, tmp_path: Path) -> None:
    single = tmp_path / "single.jsonl"
    single.write_text(
        "".join(
            json.dumps({"msg": f"about the comet {i}", "kind": "astronomy"}) + "\n"
            for i in range(9)
        ),
        encoding="utf-8",
    )
    config = yaml.safe_load((env.project / OWN_CONFIG).read_text(encoding="utf-8"))
    config["data"].update(train=str(single), text_column="msg", label_column="kind")
    path = tmp_path / "single.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = env.command("train", "--config", str(path), check=False)
    assert_one_line_error(result, str(single), "'kind' has a single value, 'astronomy'")


def assert_one_line_error(result, *needles: str) -> None:
    """Exit status 1 and one line that names the user's values, no traceback (a warning about
    dropped rows may come before it)."""
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    for needle in needles:
        assert needle in errors[0], output
