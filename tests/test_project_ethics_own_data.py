"""The AI-ethics project on a student's own tables, as the README's "Use your own data" says:
copy the config, change only the data keys it names, train, report, serve.

Two tables made here: one of numeric features only with a 0/1 target (`train` used to crash on
it, and the sample's names "good"/"bad" labelled its outcomes), and one with a text target,
categories and missing values, whose young people are too few in the test split. The second is
the one served: `GET /model`, the demo page (an example clicked in Chromium), the model card and
the datasheet must speak of it, not of the German Credit sample.

Slow (an install and two training runs): a few minutes. One rendered project, one install.
"""

from __future__ import annotations

import json
import random
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect
from project_env import ProjectEnv, http_json

pytestmark = pytest.mark.slow
PACKAGE = "fair_credit"
CONTRIBUTIONS = "Features that pushed the decision most"
# Words of the German Credit sample that are wrong about another table.
SAMPLE_WORDS = re.compile(
    r"\b(German|credit|applicants?|loans?|good|bad|Grömping|dalex|1973|Deutsche|"
    r"sex)\b",
    flags=re.IGNORECASE,
)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def numbers_table(path: Path) -> Path:
    """Numeric features only, a 0/1 target, a sensitive `group`; `tier` has three values and
    `country` one."""
    rng = random.Random(1)
    rows = []
    for _ in range(500):
        income, debt = round(rng.gauss(50, 15), 1), round(rng.gauss(20, 8), 1)
        years, age = rng.randrange(30), rng.randrange(18, 81)
        score = 0.08 * (income - 50) - 0.12 * (debt - 20) + 0.05 * (years - 15)
        repaid = int(score + rng.gauss(0, 1) > 0)
        group = rng.choice(["a", "b"])
        rows.append([income, debt, years, age, group, repaid, rng.randrange(3), "nl"])
    header = ["income", "debt", "years", "age", "group", "repaid", "tier", "country"]
    return write_csv(path, header, rows)


def text_table(path: Path) -> Path:
    """A text target (approved/denied), categories and numbers, missing values in two columns,
    ages such that few test people are under 25."""
    rng = random.Random(2)
    rows = []
    for index in range(600):
        income, years = round(rng.gauss(50, 15), 1), rng.randrange(30)
        region = rng.choice(["north", "south", "east"])
        age = rng.randrange(18, 81)
        score = 0.1 * (income - 50) + 0.06 * (years - 15) + (0.8 if region == "south" else 0)
        outcome = "approved" if score + rng.gauss(0, 1) > 0 else "denied"
        rows.append(
            [
                None if index % 10 == 3 else income,  # 60 rows without an income
                None if index % 25 == 7 else region,  # 24 without a region
                years,
                age,
                rng.choice(["f", "m", "x"]),
                outcome,
            ]
        )
    return write_csv(path, ["income", "region", "years", "age", "gender", "outcome"], rows)


def own_data_section(project: Path) -> str:
    readme = (project / "README.md").read_text(encoding="utf-8")
    return readme.split("## Use your own data", 1)[1].split("\n## ", 1)[0]


def section_commands(section: str) -> list[list[str]]:
    """The commands of the section's code blocks, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def named_keys(section: str) -> set[str]:
    """The config keys the section tells the user to change (`data.path`, ...)."""
    return set(re.findall(r"`((?:data|fairness)\.\w+)`", section))


def follow_readme(env: ProjectEnv, changes: dict[str, object], name: str):
    """The README's sequence up to `train`: its copy command, then only the keys it names set to
    `changes`, then its train command (the run's result). `serve` and `report` are left to the
    tests."""
    section = own_data_section(env.project)
    commands = section_commands(section)
    copy, train = commands[0], next(c for c in commands if "train" in c)
    assert copy[0] == "cp" and train[:3] == ["uv", "run", PACKAGE], commands
    config_path = copy[-1]
    assert train[-2:] == ["--config", config_path]
    assert set(changes) <= named_keys(section), (set(changes), named_keys(section))
    env.run(*copy[:-1], f"configs/{name}.yaml")
    path = env.project / "configs" / f"{name}.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        section_name, setting = key.split(".")
        config[section_name][setting] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return env.run(*train[:-1], f"configs/{name}.yaml", check=False)


def metrics_of(env: ProjectEnv) -> dict:
    return json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def model_info_of(env: ProjectEnv) -> dict:
    path = env.project / "models" / "fair" / "model_info.json"
    return json.loads(path.read_text(encoding="utf-8"))


NUMBERS = {
    "data.path": "data/numbers.csv",
    "data.target": "repaid",
    "data.positive_label": 1,
    "data.features": ["income", "debt", "years", "age"],
    "fairness.sensitive": {"group": None, "age": [40]},
    "fairness.attribute": "age",
}
TEXT = {
    "data.path": "data/applications.csv",
    "data.target": "outcome",
    "data.positive_label": "approved",
    "data.features": ["income", "region", "years", "age"],
    "fairness.sensitive": {"gender": None, "age": [25]},
    "fairness.attribute": "gender",
}


@pytest.fixture(scope="module")
def env(ethics_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("ethics-own") / "fair-credit"
    shutil.copytree(ethics_default, project, symlinks=True)
    numbers_table(project / "data" / "numbers.csv")
    text_table(project / "data" / "applications.csv")
    return ProjectEnv.uv_sync(project, PACKAGE)


@pytest.fixture(scope="module")
def numbers_run(env: ProjectEnv) -> dict:
    """The README's sequence on the table of numbers only."""
    result = follow_readme(env, NUMBERS, "numbers")
    assert result.returncode == 0, result.stdout + result.stderr
    return {"result": result, "metrics": metrics_of(env), "info": model_info_of(env)}


@pytest.fixture(scope="module")
def trained(env: ProjectEnv, numbers_run: dict) -> dict:
    """The README's sequence on the table with a text target and missing values, then `report`:
    the project as the rest of the module sees it (served, reported)."""
    result = follow_readme(env, TEXT, "applications")
    assert result.returncode == 0, result.stdout + result.stderr
    env.command("report")
    return {"result": result, "metrics": metrics_of(env), "info": model_info_of(env)}


def test_a_table_of_numbers_only_trains_with_its_own_labels(numbers_run: dict) -> None:
    metrics, info = numbers_run["metrics"], numbers_run["info"]
    assert "Traceback" not in numbers_run["result"].stderr
    # The copied config's label_names are the sample's target's (risk): not this table's.
    assert info["labels"] == ["0", "1"] and set(metrics["per_class"]) == {"0", "1"}
    assert [feature["kind"] for feature in info["features"]] == ["number"] * 4
    assert metrics["data"]["classes"] and set(metrics["data"]["classes"]) == {"0", "1"}
    assert metrics["data"]["dropped"]["rows"] == 0 and metrics["data"]["sample"] is False
    # A learnable table: better than always answering the majority class, and said so.
    assert metrics["better_than_baseline"] is True, metrics["verdict"]
    assert metrics["baseline"]["name"] == "majority class"
    assert metrics["macro_f1"] > metrics["baseline"]["macro_f1"]
    assert metrics["verdict"] in numbers_run["result"].stdout


def test_missing_values_and_small_groups_are_reported(trained: dict) -> None:
    metrics, stderr = trained["metrics"], trained["result"].stderr
    dropped = metrics["data"]["dropped"]
    assert dropped["rows"] == 84 and dropped["of"] == 600
    assert dropped["why"] == "missing values in income (60), region (24)"
    assert "84 of 600 rows were left out for missing values in income (60), region (24)" in stderr
    assert metrics["data"]["rows"] == 516 and sum(metrics["data"]["splits"].values()) == 516
    young = metrics["dataset"]["test_groups"]["age"]["under 25"]
    assert young < 30 and metrics["fairness"]["small_groups"] == {"age": {"under 25": young}}
    assert any(f"age under 25 ({young})" in warning for warning in metrics["warnings"])
    assert f"age under 25 ({young})" in stderr
    assert metrics["verdict"] in trained["result"].stdout
    assert trained["info"]["labels"] == ["denied", "approved"]


def test_the_model_card_and_datasheet_speak_of_the_own_table(
    trained: dict, env: ProjectEnv
) -> None:
    metrics = trained["metrics"]
    for name in ("MODEL_CARD.md", "data/README.md"):
        text = (env.project / name).read_text(encoding="utf-8")
        assert "sample:start" not in text, name  # report took the sample's prose out
        wrong = SAMPLE_WORDS.findall(text.replace(env.project.name, ""))
        assert not wrong, (name, wrong)
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    results = card.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert metrics["verdict"] in results
    assert "Fewer than 30 people" in results
    figures = {path.name for path in (env.project / "reports" / "figures").glob("fairness_*")}
    # The first run's figure of its own column (group) is gone: not reported beside these.
    assert figures == {"fairness_gender.png", "fairness_age.png"}
    datasheet = (env.project / "data" / "README.md").read_text(encoding="utf-8")
    composition = datasheet.split("<!-- data:start -->")[1].split("<!-- data:end -->")[0]
    assert "516" in composition and "84" in composition and "income" in composition
    assert "data/applications.csv" in composition


ERRORS = {
    "positive_label": (
        {"data.positive_label": "yes"},
        "data.positive_label 'yes' is not a value of the target repaid; its values are 0, 1",
    ),
    "three values": ({"data.target": "tier"}, "the target tier has 3 values (0, 1, 2)"),
    "one value": ({"data.target": "country"}, "the target country has one value (nl)"),
    "missing column": (
        {"data.features": ["income", "salary"]},
        "missing column(s) salary; the table has income, debt, years, age, group, repaid",
    ),
    "many groups": (
        {"fairness.sensitive": {"group": None, "age": None}},
        "groups, more than fairness.max_groups (10)",
    ),
    "label_names": (
        {"data.label_names": {"repaid": {"yes": "paid"}}},
        "data.label_names names yes for repaid, whose values are 0, 1",
    ),
}


def test_a_table_that_does_not_fit_is_refused_in_one_line(
    env: ProjectEnv, numbers_run: dict
) -> None:
    """Each mistake through the real `train` command, in one process (typer's test runner):
    exit status 1, one line on stderr naming the table's own columns and values."""
    base = yaml.safe_load((env.project / "configs" / "numbers.yaml").read_text("utf-8"))
    paths = {}
    for name, (changes, _) in ERRORS.items():
        config = json.loads(json.dumps(base))
        config["fairness"].update({"sensitive": {"group": None}, "attribute": "group"})
        for key, value in changes.items():
            section, setting = key.split(".")
            config[section][setting] = value
        path = env.project / "configs" / f"wrong-{name.replace(' ', '-')}.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        paths[name] = str(path)
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        f"from {PACKAGE}.cli import app\n"
        "out = {}\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    r = CliRunner().invoke(app, ['train', '--config', path])\n"
        "    out[name] = [r.exit_code, r.output, type(r.exception).__name__]\n"
        "print(json.dumps(out))\n"
    )
    result = env.run(str(env.python), "-c", script, json.dumps(paths))
    outcomes = json.loads(result.stdout.splitlines()[-1])
    for name, (_, message) in ERRORS.items():
        code, output, exception = outcomes[name]
        assert (code, exception) == (1, "SystemExit"), (name, output)
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), (name, output)
        assert message in lines[0], (name, lines[0])
    assert "fairness.sensitive: age has 6" in outcomes["many groups"][1]  # 60-odd ages
    assert "bin it: `age: [" in outcomes["many groups"][1]


def test_serves_the_own_tables_features_and_examples(trained: dict, url: str) -> None:
    status, description = http_json("GET", f"{url}/model")
    assert status == 200, description
    assert [f["name"] for f in description["features"]] == ["income", "region", "years", "age"]
    region = next(f for f in description["features"] if f["name"] == "region")
    assert region["choices"] == ["east", "north", "south"]
    assert description["labels"] == ["denied", "approved"]
    examples = description["examples"]
    assert {example["label"] for example in examples} == {"approved", "denied"}
    inputs = [example["input"] for example in examples]
    assert all(set(item) == {"income", "region", "years", "age"} for item in inputs)
    status, body = http_json("POST", f"{url}/predict", {"inputs": inputs})
    assert status == 200, body
    assert {p["label"] for p in body["predictions"]} <= {"approved", "denied"}
    assert description["data"]["source"] == "data/applications.csv"


def test_the_demo_pages_example_of_the_own_table_gets_a_decision(trained: dict, page: Page) -> None:
    examples = trained["info"]["examples"]
    worked = examples[0]["input"]
    expect(page.get_by_label("region")).to_have_value(worked["region"])
    buttons = page.locator("#demo-example-buttons button")
    expect(buttons).to_have_count(len(examples))
    expect(buttons.first).to_contain_text(examples[0]["label"])
    expect(page.locator("body")).not_to_contain_text("Credit of")
    second = examples[1]["input"]
    buttons.nth(1).click()
    expect(page.get_by_label("income")).to_have_value(str(second["income"]))
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text(re.compile("^(approved|denied)$"))
    expect(page.get_by_role("list", name=CONTRIBUTIONS).get_by_role("listitem")).to_have_count(4)
    expect(page.get_by_role("alert")).to_be_hidden()
