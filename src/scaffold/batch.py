"""Running one job per student: in a few worker processes, each doing many students, and
stopping cleanly on Ctrl-C, SIGTERM or SIGHUP.

A render is Python work (Jinja), so threads would take turns; a pool of worker processes (one
per core) renders in parallel, each importing Copier once for all its students. Small batches run
in this process: starting a worker costs more than they do.

A stop (Ctrl-C, SIGTERM or SIGHUP) does not break off a student halfway: the caller runs the
batch in an `interrupts.noted()` block, so a stop is noted, no new student starts, and the ones
under way finish and are reported, so the caller can record each of them and report the others
as not started. A terminal sends its signals to the whole process group (Ctrl-C, and SIGHUP when
it closes), so the work of a student never sees them: worker processes and git, the resource
tracker multiprocessing starts, and a job run in this process are started with the stop signals
`interrupts.blocked()` (a blocked signal waits, where an ignored one would reach git, which
removes its lock files on it). A worker is handed one student at a time, so none is waiting in a
worker's queue when the stop comes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from typing import TypeVar

from scaffold import interrupts

Task = TypeVar("Task")
Result = TypeVar("Result")

STUDENTS_PER_WORKER = 8  # below this, a worker's start-up costs more than it saves


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
    stop: interrupts.Stops,
    failed: Callable[[Task, BaseException], Result],
) -> Iterator[tuple[Task, Result]]:
    """(task, result) for every task as each finishes, until all are done or `stop` is
    requested (then the tasks under way still finish and are yielded; the rest never start).
    Tasks that get no result were not started: after a stop, or when a worker process died
    (its own task gets `failed`'s result).

    `job` must be a module-level function (workers import it); it should report a student's
    problems in its result.
    """
    if workers <= 1:
        for task in tasks:
            if stop.requested:
                return
            with interrupts.blocked():  # a signal now is noted once this student is done
                result = job(task)
            yield task, result
        return
    yield from _in_pool(job, tasks, workers, stop, failed)


def _in_pool(
    job: Callable[[Task], Result],
    tasks: list[Task],
    workers: int,
    stop: interrupts.Stops,
    failed: Callable[[Task, BaseException], Result],
) -> Iterator[tuple[Task, Result]]:
    waiting = deque(tasks)
    running: dict[Future[Result], Task] = {}

    def hand_out(pool: ProcessPoolExecutor) -> None:
        while waiting and len(running) < workers and not stop.requested:
            task = waiting[0]
            try:
                running[pool.submit(job, task)] = task
            except BrokenExecutor:  # a worker died: the rest never start
                waiting.clear()
                return
            waiting.popleft()

    if stop.requested:
        return
    with interrupts.blocked():
        # The pool starts multiprocessing's resource tracker, which unblocks SIGINT and SIGTERM
        # here once it has started (holding them itself, and SIGHUP from us): hold them again
        # for the workers, which start at the first tasks and inherit the mask.
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_started
        )
        interrupts.block()
        hand_out(pool)
    try:
        while running:
            done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            finished = [(future, running.pop(future)) for future in done]
            hand_out(pool)  # the next students start while these are recorded
            for future, task in finished:
                try:
                    result = future.result()
                except Exception as error:  # the worker died (killed, out of memory)
                    result = failed(task, error)
                yield task, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_started() -> None:
    """A worker holds the stop signals for good, but still ends on the SIGTERM its pool sends
    (the pool terminates its workers when one of them died)."""
    interrupts.block()
    if hasattr(signal, "sigwaitinfo"):
        threading.Thread(target=_end_on_the_pools_sigterm, daemon=True).start()


def _end_on_the_pools_sigterm() -> None:
    pool = os.getppid()
    while True:
        if signal.sigwaitinfo({signal.SIGTERM}).si_pid == pool:
            os._exit(128 + signal.SIGTERM)
