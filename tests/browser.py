"""Headless Chromium for the demo page tests: Debian's browser driven by Playwright.

`apt-get install chromium` provides it (`.ci/run` does); Playwright's own browser download is
never used. Headless in a closed network: no sandbox (CI runs as root), no GPU, none of
Chromium's own calls home; Playwright gives the browser a fresh profile directory.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@contextmanager
def chromium(profile_dir: Path) -> Iterator[BrowserContext]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed; these tests need Debian's: "
            "apt-get install -y --no-install-recommends chromium (.ci/run does it).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile_dir, executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@contextmanager
def watched_page(context: BrowserContext, base_url: str) -> Iterator[Watched]:
    """The demo page at `base_url`/, opened in a new tab; on leaving, the tab closes and nothing
    may have gone wrong on it that no test asked for."""
    watched = Watched(context, base_url)
    watched.page.goto(f"{base_url}/")
    yield watched
    watched.page.close()
    assert not watched.problems


class Watched:
    """A page, and what went wrong on it that no test asked for."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.predict_calls = 0
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("request", lambda request: self._request(request.url, base_url))
        self.page.on("response", self._response)

    def _request(self, address: str, base_url: str) -> None:
        if not address.startswith((f"{base_url}/", "data:")):
            self.problems.append(f"request outside the app: {address}")
        if address == f"{base_url}/predict":
            self.predict_calls += 1

    def _response(self, response) -> None:
        # /predict may answer 422 on purpose; every file of the page must be there.
        if response.status >= 400 and not response.url.endswith("/predict"):
            self.problems.append(f"{response.status} for {response.url}")
