"""The demo pages of the NLP and RL projects in headless Chromium, used as a person would use them.

The NLP project is installed the way its Dockerfile installs it, `pip install ".[serve]"` (not
editable), so the page's files must come from the built wheel. It trains, serves on 127.0.0.1,
and Playwright drives Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it):
examples, typing, the keyboard, the button, a refused input and a server that went away. The RL
project (its widget reads the observation's labels from GET /model) is installed the same way,
with uv and the local torch wheel, trains briefly, and is driven through an example and typed
numbers.
Slow: virtual environments, installs and training runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Watched, watched_page
from playwright.sync_api import BrowserContext, Locator, Page, expect
from project_env import ProjectEnv, http_json
from rl_project import QUICK_CONFIG, TORCH

pytestmark = pytest.mark.slow
PACKAGE = "review_sentiment"
BARS = "Probability of each label"


@pytest.fixture(scope="module")
def env(nlp_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("demo") / "review-sentiment"
    shutil.copytree(nlp_default, project, symlinks=True)
    venv = project.parent / f"{project.name}-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = ProjectEnv(project, venv, PACKAGE)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    env.run(*pip, "--disable-pip-version-check", ".[serve]", timeout=1800)
    env.command("train")
    return env


@pytest.fixture(scope="module")
def url(env: ProjectEnv) -> Iterator[str]:
    with env.serving() as base_url:
        yield base_url


@pytest.fixture
def watched(browser: BrowserContext, url: str) -> Iterator[Watched]:
    with watched_page(browser, url) as watched:
        yield watched


@pytest.fixture
def page(watched: Watched) -> Page:
    return watched.page


def bars(page: Page) -> dict[str, float]:
    """{label: percent} as the page's score bars show them."""
    rows = page.get_by_role("list", name=BARS).get_by_role("listitem")
    shown = {}
    for row in rows.all():
        label = row.locator(".score-label").inner_text()
        shown[label] = float(row.locator(".score-value").inner_text().rstrip("%"))
    return shown


def expect_prediction(page: Page, text: str, label: str) -> None:
    """The result shows `label` for `text`, with a bar for each label, the largest first."""
    result = page.locator("#demo-result")
    expect(result.locator(".echo")).to_have_text(text)
    expect(result.locator(".verdict-label")).to_have_text(label)
    shown = bars(page)
    assert set(shown) == {"negative", "positive"}
    assert list(shown)[0] == label and shown[label] > 50
    assert sum(shown.values()) == pytest.approx(100, abs=0.2)
    expect(result.locator(".verdict-score")).to_have_text(f"{shown[label]:.1f}% probability")
    expect(page.get_by_role("alert")).to_be_hidden()


def test_the_wheel_carries_the_page(env: ProjectEnv) -> None:
    python = str(env.venv / "bin" / "python")
    where = env.run(python, "-c", f"import {PACKAGE}.demo as d; print(d.STATIC_DIR)")
    static = Path(where.stdout.strip())
    assert static.is_relative_to(env.venv), static  # installed, not read from src/
    assert (static.parent / "page.html").is_file()
    assert {p.name for p in static.iterdir()} >= {"demo.js", "demo.css", "widget.js"}


def test_page_shows_the_projects_title_and_description(page: Page) -> None:
    expect(page).to_have_title("review-sentiment")
    expect(page.get_by_role("heading", level=1)).to_have_text("review-sentiment")
    expect(page.locator(".lead")).to_contain_text("A text classification project")
    expect(page.get_by_role("link", name="API docs")).to_have_attribute("href", "docs")


def example_button(page: Page, index: int) -> tuple[Locator, str, str]:
    """The page's example button at `index`, its text and its true label: the examples are the
    trained model's (model_info.json), texts of its test split, each shown as "label · text"."""
    button = page.locator("#demo-example-buttons button.example").nth(index)
    label, text = button.inner_text().split(" · ", 1)
    return button, text, label


def test_an_example_is_one_click_from_a_prediction(page: Page) -> None:
    button, example, label = example_button(page, 0)
    button.click()

    expect(page.get_by_label("Text to classify")).to_have_value(example)
    expect_prediction(page, example, label)


def test_typed_text_submits_with_enter_ctrl_enter_and_the_button(watched: Watched) -> None:
    page = watched.page
    box = page.get_by_label("Text to classify")
    # Record the loading state as it changes: the answer comes too fast to catch otherwise.
    page.evaluate(
        """() => {
          window.busyStates = [];
          const result = document.getElementById("demo-result");
          new MutationObserver(() => busyStates.push(result.getAttribute("aria-busy")))
            .observe(result, { attributes: true, attributeFilter: ["aria-busy"] });
        }"""
    )

    box.click()
    page.keyboard.type("What a wonderful, heartfelt film.")
    page.keyboard.press("Enter")
    expect_prediction(page, "What a wonderful, heartfelt film.", "positive")
    expect(box).to_have_value("What a wonderful, heartfelt film.")  # Enter sent, added no line
    assert page.evaluate("busyStates") == ["true", "false"]

    calls = watched.predict_calls
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Still thinking about it.")
    expect(box).to_have_value("What a wonderful, heartfelt film.\nStill thinking about it.")
    assert watched.predict_calls == calls  # a new line, not a submission

    box.fill("Terrible service and cold food.")
    page.keyboard.press("Control+Enter")
    expect_prediction(page, "Terrible service and cold food.", "negative")

    box.fill("Absolutely loved it, would buy again.")
    page.get_by_role("button", name="Classify").click()
    expect_prediction(page, "Absolutely loved it, would buy again.", "positive")


def test_keyboard_alone_reaches_the_button_and_the_examples(page: Page) -> None:
    page.get_by_label("Text to classify").fill("Broke in a day. Awful.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Classify")).to_be_focused()
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline  # focus is visible
    page.keyboard.press("Enter")
    expect_prediction(page, "Broke in a day. Awful.", "negative")

    page.keyboard.press("Tab")
    button, example, label = example_button(page, 0)
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    expect_prediction(page, example, label)


def test_a_refused_input_shows_the_servers_message(page: Page) -> None:
    box = page.get_by_label("Text to classify")
    box.fill("   ")
    box.press("Enter")

    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Input not accepted. Give a non-empty text to classify.")
    expect(page.get_by_role("list", name=BARS)).to_have_count(0)

    box.fill("Lovely staff.")
    box.press("Enter")
    expect_prediction(page, "Lovely staff.", "positive")


def test_a_server_that_went_away_is_a_readable_message(
    env: ProjectEnv, browser: BrowserContext
) -> None:
    with env.serving() as short_lived:
        watched = Watched(browser, short_lived)
        page = watched.page
        page.goto(f"{short_lived}/")
        expect(page.get_by_role("button", name="Classify")).to_be_visible()
    # The server has stopped; the page is still open.
    box = page.get_by_label("Text to classify")
    box.fill("Is anyone there?")
    box.press("Enter")

    expect(page.get_by_role("alert")).to_have_text(
        f"Could not reach the server. Check that `{PACKAGE} serve` is still running, "
        "then try again."
    )
    page.close()
    assert not watched.problems


# The RL project's page: the widget asks the server what an observation holds.
RL_PACKAGE = "cartpole_agent"


@pytest.fixture(scope="module")
def rl_url(rl_default: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = tmp_path_factory.mktemp("demo-rl") / rl_default.name
    shutil.copytree(rl_default, project, symlinks=True)
    (project / "configs" / "config.yaml").write_text(QUICK_CONFIG, encoding="utf-8")
    env = ProjectEnv.uv_pip(project, RL_PACKAGE, (TORCH, ".[serve]"))
    env.command("train")
    with env.serving() as base_url:
        yield base_url


@pytest.fixture
def rl_page(browser: BrowserContext, rl_url: str) -> Iterator[Page]:
    with watched_page(browser, rl_url) as watched:
        yield watched.page


def expect_action(page: Page, action: str, echo: str) -> None:
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text(action)
    shown = bars(page)
    assert set(shown) == {"push left", "push right"}
    assert list(shown)[0] == action and shown[action] > 50
    expect(result.locator(".verdict-score")).to_have_text(f"{shown[action]:.1f}% probability")
    expect(result.locator(".echo")).to_have_text(echo)
    expect(page.get_by_role("alert")).to_be_hidden()


def test_rl_an_example_observation_is_one_click_from_an_action(rl_page: Page, rl_url: str) -> None:
    page = rl_page
    expect(page.get_by_label("pole angle", exact=True)).to_have_value("0")  # labels from /model
    # The examples: observations from the run's held-out episodes (model_info.json), each with
    # the action the policy takes there.
    example = http_json("GET", f"{rl_url}/model")[1]["examples"][0]
    button = page.locator("#demo-example-buttons button").first
    expect(button).to_contain_text(f"→ {example['label']}")
    button.click()

    labels = ["cart position", "cart velocity", "pole angle", "pole angular velocity"]
    for label, value in zip(labels, example["input"], strict=True):
        assert float(page.get_by_label(label, exact=True).input_value()) == pytest.approx(value)
    result = page.locator("#demo-result")
    expect(result.locator(".verdict-label")).to_have_text(example["label"])
    shown = bars(page)
    assert set(shown) == {"push left", "push right"} and list(shown)[0] == example["label"]
    expect(result.locator(".echo")).to_contain_text("cart position")


def test_rl_typed_numbers_choose_an_action_and_a_blank_is_named(rl_page: Page) -> None:
    page = rl_page
    page.get_by_label("pole angle", exact=True).fill("-0.05")
    page.get_by_label("pole angular velocity").fill("-0.5")
    page.get_by_role("button", name="Choose action").click()
    expect_action(
        page,
        "push left",
        "cart position 0 · cart velocity 0 · pole angle -0.05 · pole angular velocity -0.5",
    )

    page.get_by_label("cart velocity").fill("")
    page.get_by_label("cart velocity").press("Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "Check the input. Give a number for cart velocity."
    )
