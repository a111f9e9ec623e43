"""Running one job per student: in a few worker processes, each doing many students, and
stopping cleanly on Ctrl-C.

A render is Python work (Jinja), so threads would take turns; a pool of worker processes (one
per core) renders in parallel, each importing Copier once for all its students. Small batches run
in this process: starting a worker costs more than they do.

Ctrl-C (and SIGTERM/SIGHUP, which `_cli.main` turns into it) does not break off a student
halfway: it is noted, no new student starts, and the ones under way finish and are reported, so
the caller can record each of them before it says it was interrupted. The workers ignore Ctrl-C
(they inherit that from the moment they start), so a student's git commands in a worker finish
too; in this process they may be cut short, which the job reports as its own failure.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

STUDENTS_PER_WORKER = 8  # below this, a worker's start-up costs more than it saves


class Stop:
    """Whether Ctrl-C asked the batch to stop; installed as the SIGINT handler while it runs."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: object) -> None:
        self.requested = True

    @contextlib.contextmanager
    def installed(self) -> Iterator[Stop]:
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


def workers_for(count: int, jobs: int | None) -> int:
    """How many worker processes for `count` students: `jobs` if given, else one per core
    while each gets a fair share (1: run in this process)."""
    if jobs is not None:
        return max(1, min(jobs, count))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, count // STUDENTS_PER_WORKER))


def run(
    job: Callable[[Task], Result],
    tasks: list[Task],
    workers: int,
    stop: Stop,
    failed: Callable[[Task, BaseException], Result],
) -> Iterator[tuple[Task, Result]]:
    """(task, result) for every task as each finishes, until all are done or `stop` is
    requested (then the tasks under way still finish and are yielded; the rest never start).

    `job` must be a module-level function (workers import it); it should report a student's
    problems in its result. `failed` makes a result for a task whose worker died.
    """
    if workers <= 1:
        for task in tasks:
            if stop.requested:
                return
            yield task, job(task)
        return
    with _ignoring_ctrl_c():  # the workers start now and keep ignoring it
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        futures: dict[Future[Any], Task] = {pool.submit(job, task): task for task in tasks}
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                if future.cancelled():
                    continue
                task = futures[future]
                try:
                    yield task, future.result()
                except Exception as error:  # the worker died (killed, out of memory)
                    yield task, failed(task, error)
            if stop.requested:
                for future in pending:
                    future.cancel()  # only the ones not yet started
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _ignoring_ctrl_c() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
