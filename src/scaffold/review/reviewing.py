"""Run a review and present it: repo-review's processor over every installed plugin (ml-scaffold's
portfolio checks, sp-repo-review's, any other), a score, a one-line fix for every miss, and the
review as a terminal table, JSON, Markdown or HTML.

A check counts when it passes or misses; a skipped one (it does not apply, a check it requires
missed, or the repository's `[tool.repo-review]` ignores it with a reason) does not. The fix of
a portfolio check is its message's `Fix:` line; another plugin's is the first sentence of its
message, with its link.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import ScaffoldError
from scaffold.review.repository import OPTIONS, ReviewOptions

if TYPE_CHECKING:
    from repo_review.families import Family
    from repo_review.processor import Result
    from rich.console import Console

FORMATS = ("table", "json", "markdown", "html")


@dataclass
class Review:
    name: str
    families: dict[str, Family]
    results: list[Result]
    tests_run: bool
    requires: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)

    def why_skipped(self, result: Result) -> str:
        if result.skip_reason:
            return result.skip_reason
        not_passed = {r.name for r in self.results if r.result is not True}
        needed = sorted(self.requires.get(result.name, frozenset()) & not_passed)
        if needed:
            return f"needs {', '.join(needed)} to pass first"
        return "does not apply to this repository"

    @property
    def passed(self) -> list[Result]:
        return [result for result in self.results if result.result is True]

    @property
    def missed(self) -> list[Result]:
        return [result for result in self.results if result.result is False]

    @property
    def skipped(self) -> list[Result]:
        return [result for result in self.results if result.result is None]

    @property
    def percent(self) -> int:
        counted = len(self.passed) + len(self.missed)
        return round(100 * len(self.passed) / counted) if counted else 100

    @property
    def score(self) -> str:
        counted = len(self.passed) + len(self.missed)
        return f"{len(self.passed)}/{counted} checks pass ({self.percent}%)"

    @property
    def exit_code(self) -> int:
        return 1 if self.missed else 0

    def family_name(self, family: str) -> str:
        return self.families.get(family, {}).get("name", family)

    def by_family(self) -> list[tuple[str, list[Result]]]:
        from repo_review.families import sort_family_keys

        grouped = [
            (family, [r for r in self.results if r.family == family])
            for family in sort_family_keys(self.families)
        ]
        return [(family, results) for family, results in grouped if results]


def review(path: Path, options: ReviewOptions | None = None) -> Review:
    """Review the repository at `path` with every installed repo-review plugin.

    Raises ScaffoldError (exit code 2) when it cannot: no such directory, no checks installed,
    a configuration file that cannot be read, a check that crashed.
    """
    from repo_review.processor import collect_all, process

    path = path.expanduser().absolute()
    if not path.is_dir():
        raise ScaffoldError(f"{path} is not a directory.", exit_code=2)
    options = options or ReviewOptions()
    token = OPTIONS.set(options)
    try:
        collected = collect_all(path)
        if not collected.checks:
            raise ScaffoldError(
                "No repo-review checks are installed.",
                hint="Reinstall ml-scaffold: it brings its own and sp-repo-review's.",
                exit_code=2,
            )
        families, results = process(path, collected=collected)
    except ScaffoldError:
        raise
    except Exception as error:  # a malformed pyproject.toml or workflow, a check's own bug
        raise ScaffoldError(
            f"Could not review {path}: {type(error).__name__}: {error}", exit_code=2
        ) from error
    finally:
        OPTIONS.reset(token)
    requires = {
        name: frozenset(getattr(check, "requires", ())) for name, check in collected.checks.items()
    }
    return Review(path.name, dict(families), list(results), options.run_tests, requires)


# Fixes ----------------------------------------------------------------------------------------

_FIX = re.compile(r"^Fix:\s*(.+)$", re.MULTILINE)


def fix_line(result: Result) -> str:
    """One line that says what to do about a miss."""
    if match := _FIX.search(result.err_msg):
        return match.group(1).strip()
    first = _first_sentence(result.err_msg) or result.description
    return f"{first} (see {result.url})" if result.url else first


def problem(result: Result) -> str:
    """A miss's message without its fix line."""
    return _FIX.sub("", result.err_msg).strip()


def _first_sentence(text: str) -> str:
    paragraph = next(
        (p for p in re.split(r"\n\s*\n", text.strip()) if p.strip() and "```" not in p), ""
    )
    flat = " ".join(paragraph.split())
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z`])", flat, maxsplit=1)[0]
    return sentence


# Formats --------------------------------------------------------------------------------------


def print_table(review: Review, console: Console) -> None:
    """Per family: the misses with their fixes, the skipped checks with their reasons, and the
    codes of the checks that pass on one line."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Review of {escape(review.name)}", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("Check", ratio=2)
    table.add_column("Fix, or why it was skipped", ratio=3, overflow="fold")
    for family, results in review.by_family():
        table.add_section()
        table.add_row("", f"[bold]{escape(review.family_name(family))}[/bold]", "")
        grouped: dict[str, list[str]] = {}  # skipped for want of another check: one row
        for result in results:
            check = f"{result.name} {escape(_plain(result.description))}"
            if result.result is False:
                table.add_row("[red]✘[/red]", check, escape(fix_line(result).replace("**", "")))
            elif result.result is None and result.skip_reason:
                reason = f"[dim]{escape(result.skip_reason)}[/]"
                table.add_row("[yellow]-[/]", f"[dim]{check}[/]", reason)
            elif result.result is None:
                grouped.setdefault(review.why_skipped(result), []).append(result.name)
        for why, names in grouped.items():
            table.add_row("[yellow]-[/]", f"[dim]{' '.join(names)}[/]", f"[dim]{escape(why)}[/]")
        passed = [result.name for result in results if result.result is True]
        if passed:
            table.add_row("[green]✔[/]", f"[dim]{' '.join(passed)}[/]", "[dim]pass[/]")
    console.print(table)
    verdict = f"[red]{len(review.missed)} to fix[/]" if review.missed else "[green]full marks[/]"
    console.print(f"[bold]Score: {review.score}[/bold]: {verdict}, {len(review.skipped)} skipped.")
    if not review.tests_run:
        console.print("[dim]The tests were not run: `scaffold review --run` runs them.[/dim]")


def _plain(markdown_text: str) -> str:
    """Markdown's backticks and emphasis left out, for the terminal."""
    return re.sub(r"`([^`]*)`", r"\1", markdown_text).replace("**", "")


def as_json(review: Review) -> str:
    from repo_review.families import sort_family_keys
    from repo_review.processor import as_simple_dict

    checks: dict[str, Any] = dict(as_simple_dict(review.results))
    for result in review.missed:
        checks[result.name] = {**checks[result.name], "fix": fix_line(result)}
    document = {
        "name": review.name,
        "score": {
            "passed": len(review.passed),
            "missed": len(review.missed),
            "skipped": len(review.skipped),
            "percent": review.percent,
        },
        "status": "errors" if review.missed else ("skips" if review.skipped else "passed"),
        "tests_run": review.tests_run,
        "families": {key: review.families[key] for key in sort_family_keys(review.families)},
        "checks": checks,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def as_markdown(review: Review) -> str:
    lines = [
        f"# Review of {review.name}",
        "",
        f"**Score: {review.score}**: "
        + (f"{len(review.missed)} to fix, " if review.missed else "full marks, ")
        + f"{len(review.skipped)} skipped.",
    ]
    if not review.tests_run:
        lines += ["", "The tests were not run (`scaffold review --run` runs them)."]
    for family, results in review.by_family():
        lines += ["", f"## {review.family_name(family)}", "", "| | Check | Fix, or why skipped |"]
        lines.append("| --- | --- | --- |")
        for result in results:
            mark = {True: "✅", False: "❌", None: "➖"}[result.result]
            note = (
                fix_line(result)
                if result.result is False
                else (review.why_skipped(result) if result.result is None else "")
            )
            lines.append(f"| {mark} | {result.name} {_cell(result.description)} | {_cell(note)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def as_html(review: Review) -> str:
    """A page of its own: the score, then repo-review's HTML report, every miss with its fix."""
    from repo_review.html import to_html

    results = [
        result
        if result.result is not False or _FIX.search(result.err_msg)
        else dataclasses.replace(result, err_msg=f"{result.err_msg}\n\nFix: {fix_line(result)}")
        for result in review.results
    ]
    status = "errors" if review.missed else ("skips" if review.skipped else "passed")
    body = to_html(review.families, results, status)
    title = html.escape(f"Review of {review.name}")
    note = (
        ""
        if review.tests_run
        else ("<p>The tests were not run (<code>scaffold review --run</code> runs them).</p>\n")
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
        f"<p><strong>Score: {html.escape(review.score)}</strong>: "
        + (f"{len(review.missed)} to fix" if review.missed else "full marks")
        + f", {len(review.skipped)} skipped.</p>\n{note}{body}</body>\n</html>\n"
    )
