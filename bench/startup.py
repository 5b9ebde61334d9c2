"""Start-up time: a ``flask --app lms lms ...`` command that neither renders nor signs, and
``import lms; create_app()``, against the same command of a bare Flask app.

Each command runs ``--startup-runs`` times in a fresh interpreter (wall time, the fastest and
the median printed): what an operator waits for before a command does anything, and what a web
worker spends before its first response. WeasyPrint, pyHanko and ralph are imported only where
they are used (ADR 0034); the target is under 0.8 s for ``flask lms --help``. Each run is also
checked not to have loaded them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from harness import BENCH, REPO, BenchError

TARGET = 0.8
HEAVY = ("weasyprint", "pyhanko", "ralph", "alembic")
CHECK = (
    "import sys; heavy = [m for m in {heavy!r} if m in sys.modules]; "
    "sys.exit('loaded: ' + ', '.join(heavy) if heavy else 0)"
)
APP = "import lms; lms.create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'}}); " + CHECK
COMMANDS = [
    ("flask --app lms lms --help", [sys.executable, "-m", "flask", "--app", "lms", "lms", "--help"], REPO),
    (
        "flask --app lms lms users --help",
        [sys.executable, "-m", "flask", "--app", "lms", "lms", "users", "--help"],
        REPO,
    ),
    ("import lms; create_app()", [sys.executable, "-c", APP.format(heavy=HEAVY)], REPO),
    (
        "bare: flask --app bare_app --help",
        [sys.executable, "-m", "flask", "--app", "bare_app", "--help"],
        BENCH,
    ),
    ("bare: import flask; Flask()", [sys.executable, "-c", "import flask; flask.Flask('x')"], BENCH),
]


def timed(command: list[str], cwd) -> float:
    env = {**os.environ, "LMS_SECRET_KEY": "bench", "LMS_DATABASE_URL": "sqlite://"}
    # As installed (pip compiles a wheel's modules): the unmeasured first run writes the bytecode,
    # even where the shell says not to, so that no measured run compiles source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command[2:])} failed:\n{done.stdout}{done.stderr}")
    return seconds


def run(args) -> int:
    rows = []
    try:
        for label, command, cwd in COMMANDS:
            timed(command, cwd)  # warm the file cache and the bytecode
            times = [timed(command, cwd) for _ in range(args.startup_runs)]
            rows.append((label, min(times), statistics.median(times)))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    bare = rows[3][1]
    print(
        f"runs:     {args.startup_runs} per command, after one unmeasured; wall time of a fresh interpreter"
    )
    print()
    print(f"{'command':<36} {'fastest s':>9} {'median s':>9} {'x bare':>7}")
    for label, fastest, median in rows:
        print(f"{label:<36} {fastest:>9.2f} {median:>9.2f} {fastest / bare:>7.1f}")
    verdict = "under" if rows[0][1] < TARGET else "OVER"
    print(f"\nflask lms --help: {rows[0][1]:.2f} s, {verdict} the {TARGET} s target")
    print(f"no run loaded {', '.join(HEAVY)}")
    return 0
