"""The RL project with awkward answers: quotes, an emoji and Jinja in the project name, GitLab CI,
no Docker, MLflow tracking. Installed once, its own tests run, and it trains the custom
environment (briefly), logs to MLflow and serves the thermostat's policy over HTTP.
Slow: a minute or two.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from project_env import ProjectEnv, assert_validators_pass, http_json
from rl_project import assert_own_suite_passes, install

pytestmark = pytest.mark.slow
PACKAGE = "agent_q"


@pytest.fixture(scope="module")
def env(rl_custom: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    return install(rl_custom, tmp_path_factory.mktemp("rl-custom"), PACKAGE)


def test_its_own_test_suite_passes(env: ProjectEnv) -> None:
    assert_own_suite_passes(env)


def test_answers_shape_the_project(rl_custom: Path) -> None:
    assert not (rl_custom / "Dockerfile").exists() and (rl_custom / ".gitlab-ci.yml").is_file()
    readme = (rl_custom / "README.md").read_text(encoding="utf-8")
    assert readme.startswith('# Agent "Q" {{ 7*7 }} 🤖\n')
    assert "src/agent_q/thermostat.py" in readme


def test_trains_the_custom_environment_logs_to_mlflow_and_serves(env: ProjectEnv) -> None:
    thermostat = (env.project / "configs" / "thermostat.yaml").read_text(encoding="utf-8")
    # PPO's settings and the budget come from configs/hyperparams.yaml; a key here replaces them.
    quick = thermostat.replace("  episodes: 100", "  episodes: 5") + "total_timesteps: 4096\n"
    assert "episodes: 5" in quick
    (env.project / "configs" / "thermostat-quick.yaml").write_text(quick, encoding="utf-8")
    env.command("train", "--config", "configs/thermostat-quick.yaml")

    metrics = json.loads((env.project / "reports/thermostat/metrics.json").read_text())
    assert metrics["episodes"] == 5 and "reward_threshold" not in metrics
    assert metrics["mean_return"] == pytest.approx(
        metrics["mean_comfort_reward"] + metrics["mean_energy_reward"], abs=1e-3
    )
    assert (env.project / "reports/thermostat/figures/episode.gif").is_file()
    assert (env.project / "mlruns" / "mlflow.db").is_file()
    assert not (env.project / "reports" / "runs.jsonl").exists()

    with env.serving("--config", "configs/thermostat-quick.yaml") as url:
        status, description = http_json("GET", f"{url}/model")
        assert description["env_id"] == "Thermostat-v0", description
        status, body = http_json("POST", f"{url}/predict", {"inputs": [[15.0, 0.0, 5.5]]})
        assert status == 200, body
        (prediction,) = body["predictions"]
        assert prediction["label"] in description["actions"]
        status, body = http_json("POST", f"{url}/predict", {"inputs": [[0.0, 0.0, 0.05, 0.5]]})
        assert status == 422 and "3 numbers (indoor temperature" in body["detail"], body


def test_generated_files_pass_their_validators(rl_custom: Path) -> None:
    assert_validators_pass(rl_custom)


def test_its_code_passes_mypy_in_strict_mode(env: ProjectEnv, mypy_cache: Path) -> None:
    result = env.mypy(mypy_cache)  # MLflow's tracking module included
    assert "Success: no issues found" in result.stdout, result.stdout
