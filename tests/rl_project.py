"""What the RL project tests share: installing a rendered project and a short training config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from project_env import ProjectEnv, assert_suite_passed

# The machine's local CPU wheel; any other torch release would download gigabytes.
TORCH = "torch==2.13.0"
# Long enough for PPO to learn which way to push a falling pole, short enough for a test.
QUICK_CONFIG = """\
total_timesteps: 16384
checkpoint_every: 8192
progress_bar: false
evaluation:
  episodes: 10
  record_frames: 60
"""


def install(rendered: Path, directory: Path, package: str) -> ProjectEnv:
    # A private copy: training writes reports/ and models/, other tests read the pristine render.
    project = directory / rendered.name
    shutil.copytree(rendered, project, symlinks=True)
    (project / "configs" / "quick.yaml").write_text(QUICK_CONFIG, encoding="utf-8")
    return ProjectEnv.uv_pip(project, package, (TORCH, "-e", ".[dev]"))


def read_metrics(env: ProjectEnv) -> dict:
    return json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def assert_own_suite_passes(env: ProjectEnv) -> None:
    assert_suite_passed(env.pytest(), at_least=40)
