"""The RL project with default answers, used as a student would: install, its own tests, train,
evaluate, predict, report, serve over HTTP, and the generated files through their validators
(awkward answers: test_project_rl_custom.py).

Installed with `uv pip install torch==2.13.0 -e ".[dev]"` (rl_project.install): Stable-Baselines3
needs torch, and `uv sync` cannot take pip's constraints file, which keeps torch to the machine's
local CPU wheel. Training here uses a shorter config than the project's default (50,000
timesteps, measured by bench/bench_rl.py): these tests check that the pipeline works, not that
it solves CartPole. Slow: a minute or two."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from project_env import ProjectEnv, assert_validators_pass, documented_prediction_fields, http_json
from review_fixtures import assert_only_the_lock_file_is_missed
from rl_project import QUICK_CONFIG, assert_own_suite_passes, install, read_metrics

pytestmark = pytest.mark.slow
PACKAGE = "cartpole_agent"
LEANING_RIGHT, LEANING_LEFT = [0.0, 0.0, 0.05, 0.5], [0.0, 0.0, -0.05, -0.5]
CARTPOLE_LABELS = ["cart position", "cart velocity", "pole angle", "pole angular velocity"]


@pytest.fixture(scope="module")
def env(rl_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    return install(rl_default, tmp_path_factory.mktemp("rl-default"), PACKAGE)


@pytest.fixture(scope="module")
def trained(env: ProjectEnv) -> dict:
    env.command("train", "--config", "configs/quick.yaml")
    return read_metrics(env)


def test_its_own_test_suite_passes(env: ProjectEnv) -> None:
    assert_own_suite_passes(env)


def test_train_uses_the_full_default_config(env: ProjectEnv) -> None:
    # The quick config is this test's; `train` alone runs what the README promises.
    code = (
        f"from {PACKAGE}.config import load_config; c = load_config(); "
        "print(c.env_id, c.total_timesteps, c.evaluation.episodes, c.evaluation.seed)"
    )
    printed = env.run(str(env.python), "-c", code).stdout.split()
    assert printed == ["CartPole-v1", "50000", "100", "1000000"]


def test_it_speaks_of_evaluation_episodes_not_of_a_test_split(env: ProjectEnv) -> None:
    # An agent learns from episodes and is judged on held-out ones: RL has no splits.
    for command in ("train", "evaluate"):
        helped = " ".join(env.command(command, "--help").stdout.split())
        assert "held-out evaluation episodes" in helped and "split" not in helped, helped
    for name in ("README.md", "Makefile"):
        text = (env.project / name).read_text(encoding="utf-8")
        assert "test split" not in text and "training split" not in text, name


def test_train_writes_metrics_figures_and_a_policy(trained: dict, env: ProjectEnv) -> None:
    assert trained["episodes"] == 10 and trained["timesteps"] >= 16384
    assert trained["reward_threshold"] == 475.0
    assert trained["mean_return"] > 2 * trained["random_mean_return"] > 0, trained
    assert trained["better_than_baseline"] and "better than a random agent" in trained["verdict"]
    assert trained["data"]["source"] == "CartPole-v1" and trained["data"]["sample"]
    assert trained["std_return"] >= 0
    figures = env.project / "reports" / "figures"
    for name in ("learning_curve.png", "evaluation_returns.png"):
        header = (figures / name).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", header[16:24])
        assert width >= 600 and height >= 400, name
    gif = (figures / "episode.gif").read_bytes()
    assert gif[:6] == b"GIF89a" and 20_000 < len(gif) < 1_000_000
    width, height = struct.unpack("<HH", gif[6:10])
    assert (width, height) == (300, 200)
    model = env.project / "models" / "ppo"
    assert {"policy.pt", "metadata.json", "episodes.csv"} <= {p.name for p in model.iterdir()}
    assert (model / "checkpoint" / "last.zip").is_file()


def test_evaluate_reproduces_the_metrics(trained: dict, env: ProjectEnv) -> None:
    env.command("evaluate", "--config", "configs/quick.yaml")
    assert read_metrics(env) == trained


def test_predict_pushes_towards_the_falling_pole(trained: dict, env: ProjectEnv) -> None:
    result = env.command("predict", json.dumps(LEANING_RIGHT), "0, 0, -0.05, -0.5")
    right, left = (json.loads(line) for line in result.stdout.splitlines())
    assert (right["label"], left["label"]) == ("push right", "push left")
    assert right["action"] == 1 and right["probability"] > 0.5
    assert set(right["scores"]) == {"push left", "push right"}


def test_report_fills_the_readme_with_results_and_figures(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    readme = (env.project / "README.md").read_text(encoding="utf-8")
    results = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert f"**{trained['verdict']}**" in results  # first, in bold
    low, high = trained["interval"]["mean_return"]
    assert (
        f"| mean_return | {trained['mean_return']:.4f} | {low:.4f} to {high:.4f} "
        f"| {trained['baseline']['mean_return']:.4f} |"
    ) in results
    assert f"| random_mean_return | {trained['random_mean_return']:.4f} |" in results
    for figure in ("episode.gif", "learning_curve.png", "evaluation_returns.png"):
        assert f"(reports/figures/{figure})" in results
    assert "## The custom environment and its reward" in readme
    assert "download.pytorch.org/whl/cpu" in readme  # the CPU build of torch, for users
    card = (env.project / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"{trained['mean_return']:.4f}" in card


def test_serves_actions_over_http(trained: dict, env: ProjectEnv) -> None:
    with env.serving() as url:
        status, description = http_json("GET", f"{url}/model")
        assert status == 200
        assert description["observation"]["labels"] == CARTPOLE_LABELS
        assert description["actions"] == ["push left", "push right"]

        status, body = http_json(
            "POST", f"{url}/predict", {"inputs": [LEANING_RIGHT, LEANING_LEFT]}
        )
        assert status == 200, body
        actions = [(p["action"], p["label"]) for p in body["predictions"]]
        assert actions == [(1, "push right"), (0, "push left")]
        for prediction in body["predictions"]:
            assert set(prediction) == documented_prediction_fields("rl")
            assert prediction["probability"] == max(prediction["scores"].values())
            assert sum(prediction["scores"].values()) == pytest.approx(1.0)

        status, body = http_json("POST", f"{url}/predict", {"inputs": [[0.0, 0.1, 0.2]]})
        assert status == 422 and "4 numbers (cart position" in body["detail"], body
        refusals = {
            "a text": [0.0, "left", 0.0, 0.0],
            "NaN": [0.0, float("nan"), 0.0, 0.0],  # json.dumps writes NaN; Python reads it
            "infinity": [0.0, 0.0, float("inf"), 0.0],
        }
        for what, observation in refusals.items():
            status, body = http_json("POST", f"{url}/predict", {"inputs": [observation]})
            assert status == 422, (what, body)
            (error,) = body["detail"]
            assert error["loc"][:3] == ["body", "inputs", 0], (what, error)
            assert "number" in error["msg"], (what, error)


def test_review_finds_nothing_to_fix_after_train_and_report(trained: dict, env: ProjectEnv) -> None:
    env.command("report")
    assert_only_the_lock_file_is_missed(env.project)


def test_training_resumes_from_its_checkpoint(trained: dict, env: ProjectEnv) -> None:
    # Last in the module: it changes the trained policy the tests above use.
    longer = env.project / "configs" / "longer.yaml"
    longer.write_text(QUICK_CONFIG.replace("16384", "18432") + "resume: true\n", encoding="utf-8")
    result = env.command("train", "--config", str(longer))
    assert "timesteps: 18432" in result.stdout, result.stdout
    metadata = json.loads((env.project / "models/ppo/metadata.json").read_text())
    assert metadata["timesteps"] == 18432


def test_its_code_passes_mypy_in_strict_mode(env: ProjectEnv, mypy_cache: Path) -> None:
    result = env.mypy(mypy_cache)  # settings in pyproject.toml
    assert "Success: no issues found" in result.stdout, result.stdout


def test_generated_files_pass_their_validators(rl_default: Path) -> None:
    # The default answers give a Dockerfile and GitHub Actions: hadolint, both schemas and zizmor.
    assert (rl_default / "Dockerfile").is_file() and (
        rl_default / ".github" / "workflows" / "ci.yml"
    ).is_file()
    assert_validators_pass(rl_default)
