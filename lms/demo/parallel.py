"""``flask lms demo seed --workers N``: the learners recorded by N processes at once.

Recording is bound by the CPU of one Python process (validation and the projector, one
statement after the other), so on PostgreSQL, which takes concurrent writers, N processes
forked from the prepared seeder each record every N-th batch of learners on their own
connection, and commit it. The data are the same as with one process: each learner is drawn
from the seed and their number alone. Only the order of the rows differs (the ledger's
``seq``, certificate serials).

Each worker commits its own batches, like the CLI does for one process: a run that fails
part-way keeps the batches committed before it.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator

from lms.demo.seed import Seeder, SeedError
from lms.extensions import session

#: Seconds between checks that the workers are still alive while waiting for their news.
POLL_SECONDS = 5


def run(seeder: Seeder, workers: int) -> Iterator[int]:
    """Yields the number of learners in each batch as a worker commits it."""
    engine = session.get_bind()
    session.remove()
    engine.dispose()  # no connection may be shared with the children
    context = multiprocessing.get_context("fork")
    news = context.Queue()
    processes = [context.Process(target=_work, args=(seeder, n, workers, news)) for n in range(workers)]
    for process in processes:
        process.start()
    try:
        yield from _follow(seeder, processes, news)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _follow(seeder: Seeder, processes: list, news) -> Iterator[int]:
    running = len(processes)
    while running:
        try:
            kind, *values = news.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                raise SeedError("A seeding worker stopped without reporting why.") from None
            continue
        if kind == "error":
            raise SeedError(f"A seeding worker failed: {values[0]}")
        if kind == "done":
            running -= 1
            continue
        learners, enrolments, completions = values
        seeder.summary.enrolments += enrolments
        seeder.summary.completions += completions
        yield learners


def _work(seeder: Seeder, worker: int, workers: int, news) -> None:
    """In a child process: record every ``workers``-th batch, from number ``worker``."""
    session.get_bind().dispose(close=False)
    try:
        for number, indexes in enumerate(seeder.batches()):
            if number % workers == worker:
                enrolments, completions = seeder.record(indexes)
                session.commit()
                news.put(("batch", len(indexes), enrolments, completions))
        news.put(("done",))
    except Exception as exc:  # any failure is reported to the parent, which stops the run
        session.rollback()
        news.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        session.remove()
