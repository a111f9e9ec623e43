"""A generated project as its user meets it: its own virtual environment, commands, server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEST_TOOLS = Path(sys.executable).parent  # hadolint, check-jsonschema, ... from the test extra
# The machine's local CPU wheel of PyTorch: installed first, it satisfies a project's
# `torch>=...`, where any other release would download gigabytes.
LOCAL_TORCH = "torch==2.13.0"


@dataclass
class ProjectEnv:
    project: Path
    venv: Path
    package: str

    @classmethod
    def install(cls, project: Path, package: str, extras: str, pre_install: tuple[str, ...] = ()):
        """`python -m venv` + `pip install -e ".[extras]"`, as the project's README says."""
        venv = project.parent / f"{project.name}-venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        env = cls(project, venv, package)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        pip.append("--disable-pip-version-check")
        if pre_install:
            env.run(*pip, *pre_install, timeout=900)
        env.run(*pip, "-e", f".[{extras}]", timeout=1800)
        return env

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

    def pytest(self) -> subprocess.CompletedProcess:
        return self.run(
            str(self.venv / "bin" / "python"), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"
        )

    def environ(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
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


def pytest_counts(output: str) -> dict[str, int]:
    """{'passed': 12, 'skipped': 1, ...} from pytest's closing line."""
    return {
        word: int(count)
        for count, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", output)
    }


def tool(name: str) -> str:
    return str(TEST_TOOLS / name)


def assert_validators_pass(project: Path, checks: list[list[str]]) -> None:
    """Run each validator command in `project`; every one must exit 0."""
    for check in checks:
        result = subprocess.run(check, cwd=project, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{check}:\n{result.stdout}\n{result.stderr}"
