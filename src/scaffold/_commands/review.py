"""`scaffold review [PATH]`: score any repository against what reviewers of a machine-learning
portfolio look for, with a fix for every miss.

Prints the review on stdout: a table, or `--format json|markdown|html`. Exit codes, for CI:
0 every check that applies passes, 1 some miss, 2 the review could not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from scaffold.review import reviewing
from scaffold.review.repository import ReviewOptions


@dataclass(frozen=True)
class ReviewJob:
    path: Path
    output_format: str = "table"
    run_tests: bool = False
    timeout: float = 900.0
    templates_dir: Path | None = None


def run(job: ReviewJob) -> int:
    options = ReviewOptions(
        run_tests=job.run_tests, test_timeout=job.timeout, templates_dir=job.templates_dir
    )
    review = reviewing.review(job.path, options)
    if job.output_format == "table":
        from rich.console import Console

        reviewing.print_table(review, Console(highlight=False, soft_wrap=False))
    else:
        render = {
            "json": reviewing.as_json,
            "markdown": reviewing.as_markdown,
            "html": reviewing.as_html,
        }[job.output_format]
        typer.echo(render(review), nl=False)
    return review.exit_code
