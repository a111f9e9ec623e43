"""ml-scaffold's repo-review plugin: the checks a reviewer of a machine-learning portfolio makes
in the minute they give a repository.

Registered in ml-scaffold's pyproject.toml as the entry points `repo_review.checks`
(`repo_review_checks`), `repo_review.families` (`repo_review_families`) and
`repo_review.fixtures` (`portfolio`), so `repo-review` and `scaffold review` both run them.
A check follows repo-review's protocol: its docstring is its description, `check` returns True
(pass), None (does not apply) or a Markdown message whose last paragraph, `Fix: ...`, says in
one line what to do. Codes: ML1xx README, ML2xx results, ML3xx model card and datasheet, ML4xx
tests and CI, ML5xx repository hygiene, ML6xx reproducibility and delivery, ML7xx template.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Set as AbstractSet
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar

from scaffold.review import markdown, scans
from scaffold.review.repository import Repository

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def portfolio(root: Traversable, pyproject: dict[str, Any]) -> Repository:
    """Fixture: the repository under review (see `repository.Repository`)."""
    return Repository(root, pyproject)


def miss(problem: str, fix: str) -> str:
    return f"{problem}\n\nFix: {fix}"


def _names(items: list[str], at_most: int = 5) -> str:
    shown = ", ".join(f"`{item}`" for item in items[:at_most])
    return shown + (f" and {len(items) - at_most} more" if len(items) > at_most else "")


def _run_hint(repo: Repository, *commands: str) -> str:
    """`uv run review_sentiment train`, then `uv run review_sentiment report`; a generic
    phrase for a project without a console command."""
    if repo.command and repo.scaffold_answers is not None:
        return ", then ".join(f"`{repo.command} {command}`" for command in commands)
    return "your training and evaluation scripts"


class Check:
    family: ClassVar[str]
    requires: ClassVar[AbstractSet[str]] = frozenset()
    url: ClassVar[str] = ""


# README -------------------------------------------------------------------------------------

PROBLEM_HEADINGS = r"about|overview|introduction|motivation|problem|background|goal|task|summary"


class Readme(Check):
    family = "portfolio-readme"


class ML100(Readme):
    "Has a README"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        if portfolio.readme is not None:
            return True
        return miss(
            "There is no README, the first (and often the only) file a reviewer opens.",
            "write README.md: the problem, the data, the results and how to run it.",
        )


class ML101(Readme):
    "README states the problem"

    requires = frozenset({"ML100"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        readme = portfolio.readme
        assert readme is not None
        parts = [readme.intro, *readme.find(PROBLEM_HEADINGS)]
        text = " ".join(p for part in parts for p in part.prose)
        words = sum(part.words for part in parts)
        if words >= 25 and not markdown.placeholders(text):
            return True
        found = markdown.placeholders(text)
        said = f"placeholder text ({_names(found)})" if found else f"{words} words"
        return miss(
            f"Below its title the README has {said}: a reviewer cannot tell what problem the "
            "project solves, for whom, and why it matters.",
            "open README.md with a paragraph or two: the problem, who has it, what the model "
            "does about it.",
        )


class ML102(Readme):
    "README describes the data"

    requires = frozenset({"ML100"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        readme = portfolio.readme
        assert readme is not None
        if readme.find(r"\bdata(sets?)?\b"):
            return True
        if any(_datasheet_link(target) for _, target in readme.links):
            return True
        prose = " ".join(readme.prose)
        if re.search(r"\b(data ?sets?|datasheet|corpus|training data|trained on)\b", prose, re.I):
            return True
        return miss(
            "The README does not say what data the model learns from.",
            "add a Data section to README.md: where the data comes from, its size and labels, "
            "and a link to its datasheet.",
        )


def _datasheet_link(target: str) -> bool:
    return bool(re.search(r"datasheet|data[_-]?card|(^|/)data/readme\.md$", target, re.I))


class ML103(Readme):
    "README shows results from a run"

    requires = frozenset({"ML100"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        readme = portfolio.readme
        assert readme is not None
        results = _results_text(readme)
        fix = (
            f"run {_run_hint(portfolio, 'train', 'report')}."
            if portfolio.scaffold_answers is not None and portfolio.command
            else "add a Results section to README.md with the held-out metrics of a real run "
            "(a table of numbers) and its figures."
        )
        if results is None:
            return miss("The README has no results section.", fix)
        found = markdown.placeholders(results)
        if found:
            return miss(
                f"The README's results are a placeholder ({_names(found)}), not numbers from "
                "a run.",
                fix,
            )
        if not any(decimals or percent for _, decimals, percent in markdown.numbers(results)):
            return miss("The README's results section shows no measured number.", fix)
        return True


def _results_text(readme: markdown.Document) -> str | None:
    marked = readme.marked_results()
    if marked is not None:
        return marked
    sections = readme.find(r"results?|evaluation|performance|metrics|benchmarks?")
    return "\n".join(section.text for section in sections) if sections else None


class ML104(Readme):
    "Figures the README shows exist"

    requires = frozenset({"ML100"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        readme = portfolio.readme
        assert readme is not None and portfolio.readme_name is not None
        base = PurePosixPath(portfolio.readme_name).parent
        local = [
            src
            for src in readme.images
            if src and not re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", src, re.I)
        ]
        if not local:
            return None  # nothing to check
        missing = [src for src in local if not portfolio.has(_normalize(base / src.split("#")[0]))]
        if not missing:
            return True
        return miss(
            f"The README shows figures that are not in the repository: {_names(missing)}.",
            "commit the figures (e.g. reports/figures/), or fix their paths in README.md.",
        )


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


class ML105(Readme):
    "README says how to install and run it"

    requires = frozenset({"ML100"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        readme = portfolio.readme
        assert readme is not None
        if any(markdown.is_command_block(language, code) for language, code in readme.code):
            return True
        return miss(
            "The README has no commands to install, train and run the project.",
            "add a Quickstart to README.md: a ```bash block with the install, train and "
            "run commands, in order.",
        )


# Results ------------------------------------------------------------------------------------


class Results(Check):
    family = "portfolio-results"


class ML201(Results):
    "Metrics in reports/metrics.json"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        metrics = portfolio.metrics
        fix = (
            f"run {_run_hint(portfolio, 'train')} (it writes reports/metrics.json) and commit it."
            if portfolio.scaffold_answers is not None and portfolio.command
            else "have your evaluation write its metrics to reports/metrics.json (a JSON object "
            'such as {"accuracy": 0.91}) and commit it.'
        )
        if metrics is None:
            return miss("There is no metrics file (reports/metrics.json).", fix)
        if isinstance(metrics, str):
            return miss(metrics, fix)
        if not _headline(metrics):
            return miss(f"`{portfolio.metrics_name}` holds no number at its top level.", fix)
        return True


def _headline(metrics: dict[str, Any]) -> dict[str, float]:
    return {
        str(name): float(value)
        for name, value in metrics.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    }


class ML202(Results):
    "README's numbers agree with the metrics file"

    requires = frozenset({"ML103", "ML201"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        assert portfolio.readme is not None and isinstance(portfolio.metrics, dict)
        shown = markdown.numbers(_results_text(portfolio.readme) or "")
        missing = [
            f"{name} = {value:g}"
            for name, value in _headline(portfolio.metrics).items()
            if not any(_agrees(value, number) for number in shown)
        ]
        if not missing:
            return True
        fix = (
            f"run {_run_hint(portfolio, 'report')} after every training run."
            if portfolio.scaffold_answers is not None and portfolio.command
            else f"copy the numbers of `{portfolio.metrics_name}` into the README's results."
        )
        return miss(
            f"The README's results do not show these numbers of `{portfolio.metrics_name}`: "
            f"{', '.join(missing)}. They come from another run, or are missing.",
            fix,
        )


def _agrees(value: float, shown: tuple[float, int, bool]) -> bool:
    """Does the number as shown (rounded to its decimals, maybe as a percentage) say `value`?"""
    number, decimals, percent = shown
    tolerance = 0.5 * 10**-decimals + 1e-9
    candidates = [value * 100] if percent else [value, value * 100]
    return any(abs(candidate - number) <= tolerance for candidate in candidates)


# Model card and datasheet --------------------------------------------------------------------


class Documentation(Check):
    family = "portfolio-docs"


MODEL_CARD_SECTIONS = {
    "model details": r"model (details|description)|^model$|architecture|overview",
    "intended use": r"intended use|\buses\b|use cases?",
    "training data": r"\bdata",
    "evaluation": r"evaluation|results|metrics|performance",
    "limitations": r"limitation|caveat|bias|risks",
    "ethical considerations": r"ethic|fairness|risks|societal|considerations",
}
DATASHEET_TOPICS = {
    "composition": r"composition|structure|contents|fields|columns|schema|instances",
    "collection": r"collect|creation|source|origin|provenance|how .*made|gathered",
    "uses or limits": r"motivation|\buses\b|intended|limitation|bias|license|licence|maintenance",
}


def _filled(document: markdown.Document, topics: dict[str, str]) -> tuple[list[str], list[str]]:
    """(topics with no section, topics whose sections are empty or placeholders)."""
    absent, empty = [], []
    for topic, pattern in topics.items():
        sections = document.find(pattern)
        if not sections:
            absent.append(topic)
        elif not any(
            document.words(section) >= 10
            and not markdown.placeholders(
                " ".join(p for s in document.body(section) for p in s.prose)
            )
            for section in sections
        ):
            empty.append(topic)
    return absent, empty


class ML301(Documentation):
    "Model card with its sections filled"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        name = portfolio.model_card_name
        card = portfolio.document(name) if name else None
        if name is None or card is None:
            return miss(
                "There is no model card (MODEL_CARD.md).",
                "write MODEL_CARD.md: model details, intended use, training data, evaluation, "
                "limitations and ethical considerations (Mitchell et al., 2019).",
            )
        results = card.marked_results()
        if results is not None:  # a block `report` fills: judged on its own, below
            card = markdown.parse(card.source.replace(results, ""))
        absent, empty = _filled(card, MODEL_CARD_SECTIONS)
        problems, fixes = [], []
        if absent:
            problems.append(f"no section on {', '.join(absent)}")
        if empty:
            problems.append(f"empty or placeholder sections on {', '.join(empty)}")
        if absent or empty:
            fixes.append(f"write its {', '.join(absent + empty)} sections")
        if results is not None and markdown.placeholders(results):
            problems.append("its results are a placeholder")
            fixes.append(f"run {_run_hint(portfolio, 'train', 'report')} to fill its results")
        if not problems:
            return True
        return miss(f"`{name}` has {'; '.join(problems)}.", "; ".join(fixes) + ".")


class ML302(Documentation):
    "Datasheet for the data"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        name = portfolio.datasheet_name
        sheet = portfolio.document(name) if name else None
        if name is None or sheet is None:
            return miss(
                "There is no datasheet for the data (data/README.md or DATASHEET.md).",
                "write data/README.md: where the data comes from and how it was collected, "
                "what it contains, its license, and what it should not be used for (Gebru et "
                "al., Datasheets for Datasets).",
            )
        absent, empty = _filled(sheet, DATASHEET_TOPICS)
        if not absent and not empty:
            return True
        return miss(
            f"`{name}` says nothing on {', '.join(absent + empty)}.",
            f"add sections to {name} on {', '.join(absent + empty)}.",
        )


# Tests and CI -------------------------------------------------------------------------------


class Tests(Check):
    family = "portfolio-tests"


class ML401(Tests):
    "Has tests that test something"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        tests = scans.test_functions(portfolio)
        if any(test.placeholder is None for test in tests):
            return True
        if tests:
            problem = f"Its {len(tests)} test(s) are placeholders that check nothing."
        else:
            problem = "There are no tests (no `test_*.py` file with a `test_` function)."
        return miss(
            problem,
            "add tests/ with pytest tests of the data loading, the model's predictions and "
            "the API (`def test_...(): assert ...`).",
        )


class ML402(Tests):
    "No placeholder tests"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        placeholders = [
            f"{t.file}:{t.line} {t.name} ({t.placeholder})"
            for t in scans.test_functions(portfolio)
            if t.placeholder
        ]
        if not placeholders:
            return True
        return miss(
            "Tests that cannot fail (or cannot pass) tell a reviewer the suite is for show: "
            + "; ".join(placeholders[:5])
            + (f" and {len(placeholders) - 5} more" if len(placeholders) > 5 else "")
            + ".",
            "replace each with a test of real behaviour, or delete it.",
        )


class ML403(Tests):
    "Tests pass"

    requires = frozenset({"ML401"})

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        if portfolio.path is None:
            return None
        command = portfolio.test_command()
        shown = " ".join(command if command[0] == "uv" else ["python", *command[1:]])
        timeout = portfolio.options.test_timeout
        try:
            result = subprocess.run(
                command,
                cwd=portfolio.path,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return miss(
                f"`{shown}` did not finish within {timeout:g} s.",
                "make the tests faster (small data, a session-scoped trained model) or run "
                "the slow ones on CI only.",
            )
        except OSError as error:
            return miss(f"`{shown}` could not start: {error}.", "install the project first.")
        if result.returncode == 0:
            return True
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
        what = "collected no test" if result.returncode == 5 else f"failed ({result.returncode})"
        return miss(
            f"`{shown}` {what}:\n\n```text\n{tail}\n```",
            f"run `{shown}` and fix what fails.",
        )


CI_FILES = re.compile(
    r"^(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/config\.ya?ml"
    r"|azure-pipelines\.ya?ml|\.travis\.ya?ml|bitbucket-pipelines\.ya?ml|Jenkinsfile)$"
)
TEST_COMMAND = re.compile(
    r"\b(pytest|py\.test|unittest|tox|nox|make\s+(test|check)|hatch\s+(run\s+)?test|"
    r"pixi\s+run\s+test)\b"
)


class ML404(Tests):
    "CI runs the tests"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        ci_files = portfolio.find(CI_FILES)
        fix = (
            "add a workflow (.github/workflows/ci.yml) that installs the project and runs "
            "`pytest` on every push."
        )
        if not ci_files:
            return miss("No CI runs on a push (no GitHub Actions or GitLab CI file).", fix)
        for name in ci_files:
            if any(TEST_COMMAND.search(line) for line in _ci_commands(portfolio, name)):
                return True
        return miss(f"CI ({_names(ci_files)}) never runs the tests.", fix)


def _ci_commands(repo: Repository, name: str) -> list[str]:
    """The shell lines a CI file runs (`run:`, `script:` and their kin), or every line of a
    file that is not YAML."""
    from scaffold import _yaml

    text = repo.read_text(name) or ""
    if not name.endswith((".yml", ".yaml")):
        return text.splitlines()
    try:
        data = _yaml.safe_load(text)
    except _yaml.YAMLError:
        return text.splitlines()
    lines: list[str] = []

    def visit(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for child_key, child in node.items():
                visit(child, str(child_key))
        elif isinstance(node, list):
            for child in node:
                visit(child, key)
        elif isinstance(node, str) and key in {
            "run", "script", "before_script", "after_script", "command", "commands", "steps"
        }:  # fmt: skip
            lines.extend(node.splitlines())

    visit(data)
    return lines


# Repository hygiene -------------------------------------------------------------------------


class Hygiene(Check):
    family = "portfolio-hygiene"


LICENSE_FILE = re.compile(r"^(licen[sc]e|copying)(\.[a-z]+)?$", re.IGNORECASE)
LICENSE_PLACEHOLDER = re.compile(
    r"\[(year|yyyy|fullname|name of copyright owner)\]|<(year|copyright holders?|name)>"
    r"|\{\{|your name",
    re.IGNORECASE,
)


class ML501(Hygiene):
    "Has a licence, filled in"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        names = [name for name in portfolio.files if LICENSE_FILE.match(name)]
        fix = (
            "add a LICENSE file (e.g. MIT from choosealicense.com) with the year and your "
            "name, and name it in pyproject.toml's `license`."
        )
        if not names:
            return miss("There is no licence: nobody may legally reuse the code.", fix)
        text = portfolio.read_text(names[0]) or ""
        if len(text.split()) < 20:
            return miss(f"`{names[0]}` is (nearly) empty.", fix)
        if found := LICENSE_PLACEHOLDER.search(text):
            return miss(f"`{names[0]}` still has the placeholder `{found.group(0)}`.", fix)
        return True


class ML502(Hygiene):
    "No secrets committed"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        found = scans.secrets(portfolio)
        if not found:
            return True
        return miss(
            "Keys or tokens are in the repository (or would be with `git add --all`):\n\n"
            + "\n".join(f"- {item}" for item in found[:10])
            + (f"\n- and {len(found) - 10} more" if len(found) > 10 else ""),
            "revoke each key now (a pushed key is public), remove it from the files and from "
            "git's history, read keys from environment variables, and list `.env` in "
            ".gitignore.",
        )


class ML503(Hygiene):
    "No file over {self.limit_mb} MB"

    limit_mb = scans.LARGE_FILE_MB

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        large = scans.large_files(portfolio)
        if large is None:
            return None
        if not large:
            return True
        return miss(
            f"Files over {scans.LARGE_FILE_MB} MB make every clone slow and hit host limits: "
            + ", ".join(f"`{name}` ({size / scans.MB:.0f} MB)" for name, size in large[:5])
            + ".",
            "remove them from git (`git rm --cached FILE`, and from history if pushed) and "
            "publish them elsewhere (a release asset, a data host, DVC or Git LFS) with a "
            "script that fetches them.",
        )


class ML504(Hygiene):
    "Data and model files under {self.limit_mb} MB in all"

    limit_mb = scans.DATA_TOTAL_MB

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        files = scans.data_files(portfolio)
        if files is None:
            return None
        total = sum(size for _, size in files)
        if total <= scans.DATA_TOTAL_MB * scans.MB:
            return True
        return miss(
            f"Data and model files add up to {total / scans.MB:.0f} MB in git (largest: "
            + ", ".join(f"`{name}`" for name, _ in files[:3])
            + ").",
            "keep a small sample in git, add the rest (data/raw/, models/) to .gitignore, and "
            "write a script or a datasheet section that says how to get it.",
        )


class ML505(Hygiene):
    "Notebooks committed without outputs"

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        found = scans.notebooks_with_outputs(portfolio)
        if not found:
            return True
        return miss(
            "Notebooks saved with their outputs bloat diffs and may hold data or keys: "
            + "; ".join(found[:5])
            + ".",
            "clear them (`uvx nbstripout NOTEBOOK.ipynb`) and keep them clear with "
            "`uvx nbstripout --install`.",
        )


# Reproducibility and delivery ---------------------------------------------------------------


class Delivery(Check):
    family = "portfolio-delivery"


LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "pixi.lock", "Pipfile.lock", "conda-lock.yml")
SERVICE_PACKAGES = re.compile(
    r"^(fastapi|flask|starlette|uvicorn|gunicorn|django|bentoml|litserve|aiohttp|sanic|quart"
    r"|falcon|tornado)\b",
    re.IGNORECASE,
)
DOCKERFILE = re.compile(r"(^|/)(Dockerfile(\.[^/]+)?|[^/]+\.dockerfile|Containerfile)$")


class ML601(Delivery):
    "Lock file for reproducible installs"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        if any(portfolio.has(name) for name in LOCK_FILES):
            return True
        pinned = [
            name
            for name in portfolio.files
            if re.match(r"^requirements[^/]*\.txt$", name) and _fully_pinned(portfolio, name)
        ]
        if pinned:
            return True
        fix = (
            "run `uv lock` and commit uv.lock."
            if portfolio.has("pyproject.toml")
            else "pin every dependency (`uv pip compile requirements.in -o requirements.txt`)."
        )
        return miss(
            "No lock file: an install next month may get other versions and other results.",
            fix,
        )


def _fully_pinned(repo: Repository, name: str) -> bool:
    lines = [
        line.split("#")[0].strip()
        for line in (repo.read_text(name) or "").splitlines()
        if line.split("#")[0].strip() and not line.lstrip().startswith("-")
    ]
    return bool(lines) and all("==" in line for line in lines)


def _dependencies(repo: Repository) -> list[str]:
    project = repo.pyproject.get("project", {})
    names = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        names += extra
    for name in repo.files:
        if re.match(r"^requirements[^/]*\.(txt|in)$", name):
            names += (repo.read_text(name) or "").splitlines()
    return [str(name).strip() for name in names]


class ML602(Delivery):
    "Dockerfile with a healthcheck for the service"

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        dockerfiles = portfolio.find(DOCKERFILE)
        serves = any(SERVICE_PACKAGES.match(dep) for dep in _dependencies(portfolio))
        if not dockerfiles:
            if not serves:
                return None  # no service offered
            return miss(
                "The project serves a model over HTTP, but has no Dockerfile to run it anywhere.",
                "add a Dockerfile that installs the project, copies the model and starts the "
                "server, with a HEALTHCHECK on its health endpoint.",
            )
        for name in dockerfiles:
            text = portfolio.read_text(name) or ""
            if re.search(r"^\s*HEALTHCHECK\s+(?!NONE\b)", text, re.MULTILINE | re.IGNORECASE):
                return True
        return miss(
            f"{_names(dockerfiles)} has no HEALTHCHECK: nothing tells whether the service is up.",
            'add `HEALTHCHECK CMD python -c "import urllib.request; '
            "urllib.request.urlopen('http://127.0.0.1:8000/health')\"` (or your health "
            "endpoint) to the Dockerfile.",
        )


DEMO_PACKAGES = re.compile(r"^(gradio|streamlit|panel|dash|shiny|voila)\b", re.IGNORECASE)
DEMO_IMPORT = re.compile(r"^\s*(import|from)\s+(gradio|streamlit|panel|dash|shiny)\b", re.M)


class ML603(Delivery):
    "A demo anyone can try"

    @staticmethod
    def check(portfolio: Repository) -> bool | str:
        if any(
            name.endswith(".html") and ("demo" in name.lower() or name.startswith("src/"))
            for name in portfolio.files
        ):
            return True
        if any(DEMO_PACKAGES.match(dep) for dep in _dependencies(portfolio)):
            return True
        for name in portfolio.files:
            if name.endswith(".py") and DEMO_IMPORT.search(portfolio.read_text(name) or ""):
                return True
        if portfolio.readme and any(
            re.search(r"huggingface\.co/spaces/|\.streamlit\.app|\.gradio\.live", target)
            for _, target in portfolio.readme.links
        ):
            return True
        return miss(
            "There is no demo: a reviewer who does not run code cannot try the model.",
            "add a page anyone can try the model on (a small Gradio or Streamlit app, or an "
            "HTML page served by your API) and link it from the README.",
        )


# Template -----------------------------------------------------------------------------------


class Template(Check):
    family = "portfolio-template"


class ML701(Template):
    "Up to date with its template (scaffold check)"

    @staticmethod
    def check(portfolio: Repository) -> bool | str | None:
        if portfolio.scaffold_answers is None or portfolio.path is None:
            return None  # not made from a built-in ml-scaffold template
        from scaffold.errors import ScaffoldError
        from scaffold.template_status import template_status

        try:
            status = template_status(portfolio.path, portfolio.options.templates_dir)
        except ScaffoldError as error:
            return miss(
                f"`scaffold check` cannot tell: {error.message}",
                error.hint or "run `scaffold check` to see why.",
            )
        if status.up_to_date:
            return True
        return miss(status.message, status.how_to_update or "run `scaffold update`.")


def repo_review_checks(portfolio: Repository, list_all: bool = False) -> dict[str, Check]:
    """Entry point `repo_review.checks`. The tests run (ML403) only when asked (`--run`)."""
    checks = {
        cls.__name__: cls() for family in Check.__subclasses__() for cls in family.__subclasses__()
    }
    if not list_all and not portfolio.options.run_tests:
        del checks["ML403"]
    return checks


def repo_review_families() -> dict[str, dict[str, Any]]:
    """Entry point `repo_review.families`: shown before sp-repo-review's (which start at -3)."""
    families = {
        "portfolio-readme": ("README", "What a reviewer reads first."),
        "portfolio-results": ("Results", "Numbers from a real run, in a file and in the README."),
        "portfolio-docs": ("Model card and datasheet", ""),
        "portfolio-tests": ("Tests and CI", ""),
        "portfolio-hygiene": ("Repository hygiene", ""),
        "portfolio-delivery": ("Reproducibility and delivery", ""),
        "portfolio-template": ("Template", ""),
    }
    return {
        key: {"name": name, "order": -20 + position, **({"description": about} if about else {})}
        for position, (key, (name, about)) in enumerate(families.items())
    }
