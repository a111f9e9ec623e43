"""A generated project as its user meets it: its own virtual environment, commands, server."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEST_TOOLS = Path(sys.executable).parent  # uv, hadolint, check-jsonschema, ... from the test extra
# The machine's local CPU wheel of PyTorch (pip's find-links): it satisfies a project's
# `torch>=...`, where any other release would download gigabytes.
LOCAL_TORCH = "torch==2.13.0"
# The name under which a project's pyproject.toml sends uv to PyTorch's CPU-only index.
TORCH_CPU_INDEX = "pytorch-cpu"


@dataclass
class ProjectEnv:
    """A rendered project and the `.venv` inside it, installed the way its README says."""

    project: Path
    venv: Path
    package: str

    @classmethod
    def uv_sync(cls, project: Path, package: str) -> ProjectEnv:
        """`uv sync`: the README's first command (dev group, no lock yet, so uv writes one)."""
        env = cls(project, project / ".venv", package)
        env.uv("sync", timeout=900)
        return env

    @classmethod
    def uv_pip(cls, project: Path, package: str, requirements: tuple[str, ...]) -> ProjectEnv:
        """`uv venv` + `uv pip install REQUIREMENTS`: uv's fast install with pip's
        constraints file, which `uv sync` cannot take (e.g. to keep torch to the local wheel)."""
        env = cls(project, project / ".venv", package)
        env.uv("venv", "--quiet", str(env.venv))
        env.uv(
            "pip", "install", "--quiet", "--python", str(env.python), *requirements, timeout=1800
        )
        return env

    @classmethod
    def pip(cls, project: Path, package: str, extras: str) -> ProjectEnv:
        """The README's way without uv: `python -m venv .venv` + `pip install -e ".[extras]"`."""
        env = cls(project, project / ".venv", package)
        subprocess.run([sys.executable, "-m", "venv", str(env.venv)], check=True)
        pip = [str(env.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        env.run(*pip, "-e", f".[{extras}]", timeout=1800)
        return env

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def uv(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess:
        """`uv ARGS` in the project, with the machine's package sources (see uv_settings)."""
        return self.run("uv", *args, timeout=timeout, check=check)

    def run(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            list(args),
            cwd=self.project,
            env=self.environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def command(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """The project's own console command, e.g. `review_sentiment train`."""
        return self.run(str(self.venv / "bin" / self.package), *args, **kwargs)

    def mypy(self, cache_dir: Path) -> subprocess.CompletedProcess:
        """`python -m mypy`, as CI and `make lint` run it, with a cache shared between projects.

        They share torch and the other typed dependencies, which mypy would otherwise analyse
        again for each (most of a minute); a project's own files are still checked afresh, as
        mypy compares each file's hash with the one it cached."""
        return self.run(str(self.python), "-m", "mypy", "--cache-dir", str(cache_dir))

    def pytest(self) -> subprocess.CompletedProcess:
        return self.run(str(self.python), "-m", "pytest", *PYTEST_ARGS)

    def environ(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.pop("VIRTUAL_ENV", None)  # the project's own .venv, never the test runner's
        # Python caches compiled modules on a user's machine; this one may forbid it, which
        # would recompile every module in every process of the project (seconds each).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(uv_settings())
        env.update(torch_index_settings(self.project))
        path = [str(self.venv / "bin"), str(uv_only_dir()), env.get("PATH", "")]
        env["PATH"] = os.pathsep.join(path)
        env["HF_HUB_OFFLINE"] = "1"  # the project must never need a hub
        env["HF_DATASETS_OFFLINE"] = "1"
        env["TRANSFORMERS_OFFLINE"] = "1"
        env["MPLBACKEND"] = "Agg"
        # Two test workers share two cores: one thread per project process, or torch's and
        # BLAS's threads keep waiting for each other (several times slower).
        env["OMP_NUM_THREADS"] = "1"
        return env

    @contextlib.contextmanager
    def serving(self, *extra: str) -> Iterator[str]:
        """`<package> serve` on a free port of 127.0.0.1; yields its base URL."""
        port = free_port()
        process = subprocess.Popen(
            [
                str(self.venv / "bin" / self.package),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *extra,
            ],
            cwd=self.project,
            env=self.environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise AssertionError(
                        f"serve exited {process.returncode}:\n{process.stdout.read()}"
                    )
                with contextlib.suppress(OSError):
                    if http_json("GET", f"{url}/health")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError("serve did not answer /health within 60 s")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()


@functools.cache
def uv_only_dir() -> Path:
    """A directory holding only `uv` (the test extra's), to put on a project's PATH as a user has
    it, without the test environment's other commands (pytest, ruff...)."""
    directory = Path(tempfile.mkdtemp(prefix="uv-bin-"))
    (directory / "uv").symlink_to(TEST_TOOLS / "uv")
    return directory


# Quiet, with skip reasons, and no .pytest_cache written into the project.
PYTEST_ARGS = ("-q", "-rs", "-p", "no:cacheprovider")


@functools.cache
def uv_settings() -> dict[str, str]:
    """uv's environment variables for the package sources pip is configured with here.

    uv does not read pip's configuration. Where pip has extra indexes, find-links or a constraints
    file (`pip config list`), uv gets the same, and considers every index as pip does, so a
    local wheel (torch) wins exactly where pip would take it. Without any, uv uses PyPI alone.
    uv keeps its default cache, shared by every install, so repeated installs are warm.
    """
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    pip: dict[str, str] = {}
    # `:env:.find-links='...'` (PIP_* variables) outranks `global.find-links='...'` (files).
    for _scope, key, value in sorted(
        re.findall(r"^([^.\n]*)\.([\w-]+)='(.*)'$", listed, flags=re.MULTILINE),
        key=lambda item: item[0] == ":env:",
    ):
        pip[key] = value
    # The tests' own Python (as `python -m venv` would use), never a download.
    settings = {"UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
    if pip.get("index-url"):
        settings["UV_DEFAULT_INDEX"] = pip["index-url"]
    if pip.get("extra-index-url"):
        settings["UV_INDEX"] = " ".join(pip["extra-index-url"].split())
        settings["UV_INDEX_STRATEGY"] = "unsafe-best-match"  # pip's rule: best version anywhere
    if pip.get("find-links"):
        settings["UV_FIND_LINKS"] = ",".join(pip["find-links"].split())
    constraints = [path for path in pip.get("constraint", "").split() if Path(path).is_file()]
    if constraints:
        settings["UV_CONSTRAINT"] = " ".join(constraints)
    return settings


def torch_index_settings(project: Path) -> dict[str, str]:
    """For a project whose pyproject.toml takes torch from PyTorch's CPU index (by name, as
    `[tool.uv.sources]` does): uv's UV_INDEX with an index of that name holding only the local
    wheel, which stands in for download.pytorch.org. uv lets an index given in the environment
    replace the project's index of the same name, so `uv sync` and `uv run` follow the project's
    own sources and get torch from the disk; every other package comes as uv_settings says.
    Nothing changes for other projects, or where the machine has no local wheel (uv then
    downloads the CPU build, some hundred MB, never the CUDA one)."""
    pyproject = project / "pyproject.toml"
    declared = pyproject.is_file() and f'name = "{TORCH_CPU_INDEX}"' in pyproject.read_text(
        encoding="utf-8"
    )
    index = local_torch_index() if declared else None
    if index is None:
        return {}
    indexes = [f"{TORCH_CPU_INDEX}={index.as_uri()}", uv_settings().get("UV_INDEX", "")]
    return {"UV_INDEX": " ".join(filter(None, indexes))}


@functools.cache
def local_torch_index() -> Path | None:
    """A package index (PEP 503, as files) whose only package is LOCAL_TORCH's wheel from pip's
    find-links, or None without one."""
    version = LOCAL_TORCH.split("==")[1]
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    folders = re.findall(r"^[^.\n]*\.find-links='(.*)'$", listed, flags=re.MULTILINE)
    wheels = sorted(
        {
            wheel
            for folder in " ".join(folders).split()
            if Path(folder).is_dir()
            for wheel in Path(folder).glob(f"torch-{version}[+-]*.whl")
        }
    )
    if not wheels:
        return None
    root = Path(tempfile.mkdtemp(prefix="torch-cpu-index-"))
    (root / "torch").mkdir()
    links = "".join(f'<a href="{wheel.as_uri()}">{wheel.name}</a>\n' for wheel in wheels)
    (root / "torch" / "index.html").write_text(
        f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n", encoding="utf-8"
    )
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, body: object | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def predict_images(url: str, *images: bytes) -> tuple[int, object]:
    """POST `url`/predict with image files' bytes, base64-encoded as the image templates take
    them; the status and the decoded JSON answer."""
    inputs = [base64.b64encode(image).decode() for image in images]
    return http_json("POST", f"{url}/predict", {"inputs": inputs})


def documented_prediction_fields(template: str) -> set[str]:
    """The fields of one prediction of `template`'s API, as this repository's README lists them
    (its table of what each specialization's `POST /predict` returns)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{template}` \|.*\| ([^|]*) \|$", readme, flags=re.MULTILINE)
    assert row, f"README.md has no row for {template} in its table of predictions"
    return set(re.findall(r"`(\w+)`", row.group(1)))


def pytest_counts(output: str) -> dict[str, int]:
    """{'passed': 12, 'skipped': 1, ...} from pytest's closing line."""
    return {
        word: int(count)
        for count, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", output)
    }


def assert_suite_passed(result: subprocess.CompletedProcess[str], at_least: int) -> None:
    """A project's own pytest run: at least `at_least` tests passed, and none failed, was
    skipped or errored (a skip would hide a part of the template that was never run)."""
    counts = pytest_counts(result.stdout)
    assert counts.get("passed", 0) >= at_least, result.stdout
    bad = [word for word in ("failed", "skipped", "error", "errors") if counts.get(word)]
    assert not bad, result.stdout


def tool(name: str) -> str:
    return str(TEST_TOOLS / name)


def validator_checks(project: Path) -> list[list[str]]:
    """The real tools that validate a render's files, for the files it has: hadolint for the
    Dockerfile, the CI's and Dependabot's schemas, zizmor's audit of GitHub workflows (offline,
    settings in .github/zizmor.yml, as the pre-commit hook runs it), validate-pyproject, ruff and
    codespell (settings in pyproject.toml)."""

    def schema(name: str, path: str) -> list[str]:
        return [tool("check-jsonschema"), "--builtin-schema", name, path]

    checks = []
    if (project / "Dockerfile").is_file():
        checks.append([tool("hadolint"), "Dockerfile"])
    if (project / ".github" / "workflows" / "ci.yml").is_file():
        checks.append(schema("vendor.github-workflows", ".github/workflows/ci.yml"))
        checks.append(schema("vendor.dependabot", ".github/dependabot.yml"))
        checks.append([tool("zizmor"), "--offline", "."])
    if (project / ".gitlab-ci.yml").is_file():
        checks.append(schema("vendor.gitlab-ci", ".gitlab-ci.yml"))
    return [
        *checks,
        [tool("validate-pyproject"), "pyproject.toml"],
        [tool("ruff"), "check", "--no-cache", "."],
        [tool("ruff"), "format", "--check", "--no-cache", "."],
        [tool("codespell")],
    ]


def assert_validators_pass(project: Path, checks: list[list[str]] | None = None) -> None:
    """Run each validator command in `project` (default: validator_checks); every one must
    exit 0."""
    for check in validator_checks(project) if checks is None else checks:
        result = subprocess.run(check, cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{check}:\n{result.stdout}\n{result.stderr}"
