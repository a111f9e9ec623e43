"""Shared helpers: run the real `scaffold` command as a user would, with a known git identity."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The version of this repository's template set: what a project made now records.
SET_VERSION = yaml.safe_load((REPO_ROOT / "templates" / "catalog.yml").read_text("utf-8"))[
    "version"
]
TEST_AUTHOR = ("Test Student", "student@example.com")


def as_a_shell_starts_it() -> None:
    """`preexec_fn` for a command a test runs: Ctrl-C, SIGTERM and SIGHUP at their defaults, as
    a terminal's shell leaves them, whatever runs the tests (pytest-xdist workers ignore SIGINT,
    `nohup` SIGHUP, a shell's background job SIGINT; children inherit what is ignored)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


@pytest.fixture(autouse=True, scope="session")
def _git_identity(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test sees the same git config, whatever the machine's: a student with a name."""
    config = tmp_path_factory.mktemp("gitconfig") / "gitconfig"
    config.write_text(
        f"[user]\n\tname = {TEST_AUTHOR[0]}\n\temail = {TEST_AUTHOR[1]}\n"
        "[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Headless Chromium (tests/browser.py), one per test worker, for the demo page tests."""
    from browser import chromium

    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.fixture(scope="module")
def url(env, trained):
    """The demo page tests' server: the module's trained project (its `env` and `trained`
    fixtures) serving on 127.0.0.1, for the whole module."""
    with env.serving() as base_url:
        yield base_url


@pytest.fixture
def page(browser, url: str):
    """The demo page in a fresh tab (tests/browser.py's watched_page)."""
    from browser import watched_page

    with watched_page(browser, url) as watched:
        yield watched.page


def run_scaffold(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`python -m scaffold ARGS` without a terminal, as CI and scripts run it."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=as_a_shell_starts_it,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A user mistake: non-zero exit, one readable message, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for needle in needles:
        assert needle in output, output


def git(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def render(
    factory: pytest.TempPathFactory, folder: str, template: str, answers: dict | None = None
) -> Path:
    """`scaffold new FOLDER -t TEMPLATE`, with `answers` as `--data` or else `--defaults`, in a
    fresh directory; the project, which tests read and do not change."""
    dest = factory.mktemp("rendered") / folder
    data = [arg for key, value in (answers or {}).items() for arg in ("--data", f"{key}={value}")]
    result = run_scaffold("new", dest, "-t", template, *(data or ["--defaults"]))
    assert result.returncode == 0, result.stderr
    return dest


NON_DEFAULT_ANSWERS = {
    "project_name": 'Quote "Me" {{ 7*7 }}',
    "package_name": "quote_me",
    "description": 'Reviews, classified: it\'s "quoted" & {% raw %}escaped{% endraw %}',
    "author_name": "O'Brien, Zoë",
    "author_email": "zoe@example.org",
    "license": "Apache-2.0",
    "python_version": "3.12",
    "ci": "gitlab",
    "docker": "false",
    "tracking": "mlflow",
    "pretrained_model": "prajjwal1/bert-tiny",
}
# Awkward answers: quotes, emoji, Jinja, the longest package name, the other CI, no Docker.
CV_AWKWARD_ANSWERS = {
    "project_name": 'Pixel "Peeper" {{ 7*7 }} 🔍',
    "package_name": "pixel_peeper_for_scanned_digits1",  # 32 characters, the longest allowed
    "description": 'Digits, read: it\'s "quoted" & {% raw %}escaped{% endraw %} 🖼️',
    "author_name": "O'Brien, Zoë",
    "author_email": "zoe@example.org",
    "license": "BSD-3-Clause",
    "python_version": "3.13",
    "ci": "gitlab",
    "docker": "false",
    "tracking": "mlflow",
}
ETHICS_AWKWARD_ANSWERS = {
    "project_name": 'Fair "Lender" {{ 7*7 }} ⚖️',
    "package_name": "fair_lender_audit_for_german_cr1",  # 32 characters, the longest allowed
    "description": 'Loans, audited: it\'s "quoted" & {% raw %}escaped{% endraw %} ⚖️',
    "author_name": "O'Brien, Zoë",
    "author_email": "zoe@example.org",
    "license": "Proprietary",
    "python_version": "3.10",
    "ci": "gitlab",
    "docker": "false",
    "tracking": "mlflow",
}


# Each template as `scaffold new --defaults` makes it, and with answers changed from theirs.
@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the projects a test worker checks (see ProjectEnv.mypy)."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="session")
def nlp_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "review-sentiment", "nlp")


@pytest.fixture(scope="session")
def nlp_custom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "custom", "nlp", NON_DEFAULT_ANSWERS)


@pytest.fixture(scope="session")
def cv_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "digit-reader", "cv")


@pytest.fixture(scope="session")
def cv_awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "pixel-peeper", "cv", CV_AWKWARD_ANSWERS)


@pytest.fixture(scope="session")
def edge_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "tiny-digits", "edge")


@pytest.fixture(scope="session")
def edge_awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = CV_AWKWARD_ANSWERS | {
        "project_name": 'Pocket "Reader" {{ 7*7 }} 📟',
        "package_name": "pocket_reader_for_tiny_devices_1",  # 32 characters, the longest allowed
    }
    return render(tmp_path_factory, "pocket-reader", "edge", answers)


@pytest.fixture(scope="session")
def rl_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "cartpole-agent", "rl")


@pytest.fixture(scope="session")
def rl_custom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {
        key: value for key, value in NON_DEFAULT_ANSWERS.items() if key != "pretrained_model"
    }
    answers |= {"project_name": 'Agent "Q" {{ 7*7 }} 🤖', "package_name": "agent_q"}
    return render(tmp_path_factory, "custom-rl", "rl", answers)


@pytest.fixture(scope="session")
def ethics_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "fair-credit", "ethics")


@pytest.fixture(scope="session")
def ethics_awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory, "fair-lender", "ethics", ETHICS_AWKWARD_ANSWERS)


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory):
    """Copies of the template set as versions 1, 2 and 3 (see update_fixtures)."""
    from update_fixtures import build_template_sets

    return build_template_sets(tmp_path_factory.mktemp("template-sets"))


@pytest.fixture(scope="session")
def template_set_1_0_0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template set as released in 1.0.0 (see tests/fixtures/README.md), unpacked."""
    root = tmp_path_factory.mktemp("template-set-1.0.0")
    with tarfile.open(FIXTURES / "template-set-1.0.0.tar.gz") as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+: refuse links and paths out
            archive.extractall(root, filter="data")
        else:
            archive.extractall(root)
    return root / "templates"


@pytest.fixture(scope="module")
def v1_project(sets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine project of the v1 set (read-only: tests work on `project`, a copy)."""
    from update_fixtures import PROJECT_NAME, new_project

    return new_project(tmp_path_factory.mktemp("pristine") / PROJECT_NAME, sets.v1)


@pytest.fixture
def project(v1_project: Path, tmp_path: Path) -> Path:
    """A copy of the pristine v1 project, for one test to change."""
    import shutil

    copy = tmp_path / v1_project.name
    shutil.copytree(v1_project, copy, symlinks=True)
    return copy


def spawn_scaffold(*args: str, cwd: Path | None = None, columns: int = 160):
    """`python -m scaffold ARGS` in a pseudo-terminal, as a person runs it."""
    import pexpect

    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", *args],
        cwd=str(cwd) if cwd else None,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, columns),
        env={**os.environ, "TERM": "xterm"},
        preexec_fn=as_a_shell_starts_it,
    )
