"""Benchmark 4: quizzes. Grading through the question-type registry, and quiz submission on
gunicorn, each next to a baseline measured in the same run.

Grading (in-process, no app, no database):

1. the 45 questions of the six quizzes of ``content/practitioner-digital-skills/quizzes``
   (``yaml.safe_load``, as ``lms.content.quizzes`` loads them), all seven types, each
   answered twice: right, and wrong; the answers are the form fields the quiz page sends
   (``q.<qid>``, ``q.<qid>.<part>``), grouped per question as ``service._grade`` passes them;
2. registry: ``qtype = registry.get(spec["type"])``, ``qtype.grade(spec, qtype.parse(spec, form))``
   for every answer, ``--grades`` in all; the baseline: the same loop over the same answers
   doing only ``form == key`` (the answer compared with a stored right answer) and adding the
   points; the two alternate in four rounds (registry first, then baseline first...);
3. before the clock starts every grade is checked (right answers earn every point, wrong ones
   are not correct); a shorter loop per type shows which types cost most.

Submission (HTTP):

1. a temporary SQLite database, migrated with ``flask --app lms lms db upgrade``; a copy of the
   practitioner course with ``attempts: unlimited`` in its quizzes, imported with
   ``flask --app lms lms content import`` (the real importer: the stored package holds every
   file, as in production); ``--quiz-learners`` learners with passwords, each enrolled with
   ``lms.courses.service.enrol``;
2. gunicorn ``lms:create_app()`` (``--workers``); each learner signs in through the real form
   and reads the CSRF token of the quiz's overview page. One learner goes through a whole
   attempt by hand first: POST start, GET the attempt page (it must hold ``revision`` 0 and
   every answer field the bench sends), POST submit, GET the result page ("You passed",
   100.0%);
3. quiz ``m5-quiz`` (8 questions of all seven types). Each round, every learner (or the
   round's share of them) starts an attempt (POST ``.../start``, 302 to the new attempt) and
   then, in a second phase, submits it (POST ``.../attempts/<id>/submit`` with the CSRF token,
   ``revision=0`` and every answer right; 302 back to the attempt). **Only the submit phase
   counts as submissions/s**; the start phase is timed and shown separately;
4. gunicorn ``bench/bare_app.py`` (same settings) serves the baseline, ``GET /``,
   ``--requests`` in all, split over the same rounds; LMS and bare alternate (LMS first, then
   bare first...), both servers up;
5. afterwards, in the database: every attempt was submitted, passed with full marks, and has
   its ``passed`` statement and one ``answered`` statement per question; otherwise the bench
   stops with an error.
"""

from __future__ import annotations

import http.client
import math
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import yaml
from harness import (
    COURSE_DIR,
    COURSE_SLUG,
    CSRF_INPUT,
    HOST,
    REQUEST_TIMEOUT,
    VALUE_ATTR,
    BenchError,
    Result,
    Server,
    _cookie_header,
    _cookies,
    bare_server,
    bench_app,
    get,
    lms_env,
    load,
    print_http_results,
    report_logs,
    run_cli,
    sign_in,
)

ROUNDS = 4
#: The baseline loop runs this many times as many grades, so that its rounds are not a few ms.
BASELINE_FACTOR = 10
QUIZ_KEY = "m5-quiz"
QUIZ_PATH = f"/courses/{COURSE_SLUG}/quizzes/{QUIZ_KEY}"
ATTEMPT_PATH = re.compile(rf"{re.escape(QUIZ_PATH)}/attempts/([0-9a-f-]{{36}})")
PASSWORD = "bench-password-" + secrets.token_hex(4)
FIRST_NAME = "ผู้สอบ"
PASSED = "คุณสอบผ่าน".encode()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# --- answers ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def right_form(spec: dict) -> dict[str, list[str]]:
    """The form fields our page sends for a fully right answer to ``spec``."""
    qid, kind = spec["id"], spec["type"]
    name = f"q.{qid}"
    if kind == "single_choice":
        return {name: [spec["correct"]]}
    if kind == "multiple_response":  # the page adds an empty hidden field
        return {name: ["", *[c["id"] for c in spec["choices"] if c["id"] in spec["correct"]]]}
    if kind == "true_false":
        return {name: ["true" if spec["correct"] else "false"]}
    if kind == "fill_in":
        return {name: [spec["accepted"][0]]}
    if kind == "numeric":
        if "range" in spec:
            return {name: [_number((spec["range"]["min"] + spec["range"]["max"]) / 2)]}
        return {name: [_number(spec["correct"])]}
    if kind == "matching":
        return {f"{name}.{s['id']}": [spec["correct"].get(s["id"], "")] for s in spec["sources"]}
    if kind == "sequencing":
        return {f"{name}.{item['id']}": [str(n)] for n, item in enumerate(spec["items"], start=1)}
    raise BenchError(f"no answer for question type {kind!r}")


def wrong_form(spec: dict) -> dict[str, list[str]]:
    """A complete but wrong answer to ``spec`` (worth less than every point)."""
    qid, kind = spec["id"], spec["type"]
    name = f"q.{qid}"
    if kind == "single_choice":
        return {name: [next(c["id"] for c in spec["choices"] if c["id"] != spec["correct"])]}
    if kind == "multiple_response":
        wrong = [c["id"] for c in spec["choices"] if c["id"] not in spec["correct"]]
        return {name: ["", *(wrong or [spec["correct"][0]])]}
    if kind == "true_false":
        return {name: ["false" if spec["correct"] else "true"]}
    if kind == "fill_in":
        return {name: ["ไม่ทราบคำตอบ"]}
    if kind == "numeric":
        return {name: [_number(spec["range"]["max"] + 1 if "range" in spec else spec["correct"] + 1)]}
    if kind == "matching":
        targets = [t["id"] for t in spec["targets"]]
        shifted = {s: targets[(targets.index(t) + 1) % len(targets)] for s, t in spec["correct"].items()}
        return {f"{name}.{s['id']}": [shifted.get(s["id"], "")] for s in spec["sources"]}
    if kind == "sequencing":
        count = len(spec["items"])
        return {f"{name}.{item['id']}": [str(count - n)] for n, item in enumerate(spec["items"])}
    raise BenchError(f"no answer for question type {kind!r}")


def quiz_questions() -> dict[str, list[dict]]:
    """The questions of every quiz of the practitioner course, by quiz key."""
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        for path in sorted((COURSE_DIR / "quizzes").glob("*.yaml"))
    }


# --- grading ---------------------------------------------------------------------------------


@dataclass
class Grading:
    questions: int
    types: Counter
    grades: int
    baseline_grades: int
    registry_seconds: float
    baseline_seconds: float
    per_type: dict[str, float]  # microseconds per parse + grade

    @property
    def registry_rate(self) -> float:
        return self.grades / self.registry_seconds

    @property
    def baseline_rate(self) -> float:
        return self.baseline_grades / self.baseline_seconds


def bench_grading(args) -> Grading:
    from lms.quizzes.types import default_registry

    registry = default_registry()
    questions = [spec for specs in quiz_questions().values() for spec in specs]
    types = Counter(spec["type"] for spec in questions)
    if set(types) != set(registry.names()):
        raise BenchError(f"the quizzes use {sorted(types)}, the registry has {registry.names()}")
    # (spec, form, stored right answer, expected is_correct): right and wrong for each question
    items = [(spec, right_form(spec), right_form(spec), True) for spec in questions] + [
        (spec, wrong_form(spec), right_form(spec), False) for spec in questions
    ]
    for spec, form, _key, correct in items:
        qtype = registry.get(spec["type"])
        grade = qtype.grade(spec, qtype.parse(spec, form))
        if grade.is_correct is not correct or (correct and grade.earned != grade.possible):
            raise BenchError(f"question {spec['id']} ({spec['type']}) graded {grade}, expected {correct}")
    if any((form == key) is not correct for _spec, form, key, correct in items):
        raise BenchError("the baseline's equality check disagrees with the registry")

    def with_registry(reps: int) -> float:
        started = time.perf_counter()
        earned = 0.0
        for _ in range(reps):
            for spec, form, _key, _correct in items:
                qtype = registry.get(spec["type"])
                earned += qtype.grade(spec, qtype.parse(spec, form)).earned
        return time.perf_counter() - started

    def with_baseline(reps: int) -> float:
        started = time.perf_counter()
        earned = 0.0
        for _ in range(reps):
            for spec, form, key, _correct in items:
                if form == key:
                    earned += spec["points"]
        return time.perf_counter() - started

    reps = max(1, args.grades // len(items))
    with_registry(max(1, reps // 20))  # warm-up
    with_baseline(max(1, reps // 20))
    shares = [reps // ROUNDS + (1 if i < reps % ROUNDS else 0) for i in range(ROUNDS)]
    registry_seconds = baseline_seconds = 0.0
    for number, share in enumerate(s for s in shares if s):
        if number % 2 == 0:
            registry_seconds += with_registry(share)
            baseline_seconds += with_baseline(share * BASELINE_FACTOR)
        else:
            baseline_seconds += with_baseline(share * BASELINE_FACTOR)
            registry_seconds += with_registry(share)

    per_type = {}
    for name in registry.names():
        mine = [(spec, form) for spec, form, _key, _correct in items if spec["type"] == name]
        qtype = registry.get(name)
        loops = max(1, args.grades // 20 // len(mine))
        started = time.perf_counter()
        for _ in range(loops):
            for spec, form in mine:
                qtype.grade(spec, qtype.parse(spec, form))
        per_type[name] = (time.perf_counter() - started) / (loops * len(mine)) * 1e6
    grades = reps * len(items)
    return Grading(
        len(questions), types, grades, grades * BASELINE_FACTOR, registry_seconds, baseline_seconds, per_type
    )


# --- submission over HTTP --------------------------------------------------------------------


@dataclass
class Learner:
    email: str
    cookie: str = ""
    token: str = ""
    attempt: str | None = None  # the path of the open attempt
    last: str | None = None  # the path of the last submitted one


def _location(response: http.client.HTTPResponse) -> str:
    return urlsplit(response.getheader("Location", "")).path


def post(port: int, path: str, body: dict, cookie: str) -> tuple[int, str, bytes]:
    """One POST (for the checks before a measurement): status, Location path, body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("POST", path, body=urlencode(body, doseq=True), headers={**FORM, "Cookie": cookie})
        response = conn.getresponse()
        return response.status, _location(response), response.read()
    finally:
        conn.close()


def csrf_for(port: int, learner: Learner) -> None:
    """Read the CSRF token of the quiz's overview page (keeping any cookie it sets)."""
    jar = dict(part.split("=", 1) for part in learner.cookie.split("; "))
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", QUIZ_PATH, headers={"Cookie": learner.cookie})
        response = conn.getresponse()
        page = response.read().decode()
        _cookies(response, jar)
    finally:
        conn.close()
    tag = CSRF_INPUT.search(page)
    token = tag and VALUE_ATTR.search(tag.group(0))
    if response.status != 200 or not token:
        raise BenchError(f"GET {QUIZ_PATH} answered {response.status}, CSRF token found: {bool(token)}")
    learner.cookie, learner.token = _cookie_header(jar), token.group(1)


def post_phase(name: str, port: int, learners: list[Learner], make, check, threads: int, cap: float):
    """POST once for each learner from ``threads`` client threads: ``make(learner)`` gives the
    path and form, ``check(learner, status, location)`` an error message or None."""
    queue = iter(learners)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + cap

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        mine = []
        try:
            while not failures:
                with lock:
                    learner = next(queue, None)
                if learner is None:
                    break
                if time.monotonic() > deadline:
                    failures.append(f"time cap of {cap:.0f}s reached")
                    break
                path, form = make(learner)
                started = time.perf_counter()
                try:
                    conn.request(
                        "POST",
                        path,
                        body=urlencode(form, doseq=True),
                        headers={**FORM, "Cookie": learner.cookie},
                    )
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    break
                mine.append(time.perf_counter() - started)
                problem = check(learner, response.status, _location(response))
                if problem:
                    failures.append(problem)
                    break
                if response.will_close:
                    conn.close()
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker, name=f"{name}-{i}") for i in range(min(threads, len(learners)))]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError(f"{name}: {failures[0]} ({len(failures)} failure(s))")
    if len(latencies) != len(learners):
        raise BenchError(f"{name}: {len(latencies)} of {len(learners)} requests done")
    return Result(name, len(learners), seconds, latencies)


class Submitter:
    """Starts and submits attempts of ``QUIZ_KEY`` for learners; remembers every attempt id."""

    def __init__(self, port: int, answers: dict[str, list[str]], args) -> None:
        self.port, self.answers, self.args = port, answers, args
        self.attempt_ids: list[str] = []
        self.lock = threading.Lock()

    def start(self, name: str, learners: list[Learner]) -> Result:
        def make(learner: Learner):
            return f"{QUIZ_PATH}/start", {"csrf_token": learner.token}

        def check(learner: Learner, status: int, location: str) -> str | None:
            match = ATTEMPT_PATH.fullmatch(location)
            if status != 302 or not match:
                return f"start answered {status} -> {location!r}"
            learner.attempt = location
            with self.lock:
                self.attempt_ids.append(match.group(1))
            return None

        return post_phase(name, self.port, learners, make, check, self.args.threads, self.args.time_cap)

    def submit(self, name: str, learners: list[Learner]) -> Result:
        def make(learner: Learner):
            return f"{learner.attempt}/submit", {
                "csrf_token": learner.token,
                "revision": "0",
                **self.answers,
            }

        def check(learner: Learner, status: int, location: str) -> str | None:
            if status != 302 or location != learner.attempt:
                return f"submit answered {status} -> {location!r} (attempt {learner.attempt})"
            learner.last, learner.attempt = learner.attempt, None
            return None

        return post_phase(name, self.port, learners, make, check, self.args.threads, self.args.time_cap)


def set_up(database_url: str, count: int) -> list[Learner]:
    """``count`` learners with a password, each enrolled in the imported course."""
    from sqlalchemy import select

    from lms.accounts.models import Role
    from lms.accounts.service import create_user
    from lms.content.models import Course
    from lms.courses.service import enrol
    from lms.extensions import session

    app = bench_app(database_url)
    with app.app_context():
        try:
            course = session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
            if course is None:
                raise BenchError(f"the import made no course {COURSE_SLUG}")
            learners = []
            for i in range(count):
                user = create_user(
                    email=f"bench-quiz-{i}@example.org",
                    first_name_th=FIRST_NAME,
                    last_name_th=f"คนที่ {i}",
                    roles={Role.LEARNER.value},
                    password=PASSWORD,
                )
                session.flush()
                enrol(user, course)
                learners.append(Learner(user.email))
            session.commit()
            return learners
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def verify(database_url: str, attempt_ids: list[str], questions: int) -> None:
    """Every attempt submitted and passed with full marks; its statements recorded."""
    from sqlalchemy import func, select

    from lms.extensions import session
    from lms.quizzes.models import QuizAttempt
    from lms.xapi.models import StoredStatement

    app = bench_app(database_url)
    with app.app_context():
        try:
            rows = session.execute(
                select(QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.is_passed, QuizAttempt.earned)
            ).all()
            total = len(attempt_ids)
            if len(set(attempt_ids)) != total or {row.id for row in rows} != set(attempt_ids):
                raise BenchError(
                    f"{len(rows)} attempts stored, {len(set(attempt_ids))} of {total} ids distinct"
                )
            bad = [row.id for row in rows if row.submitted_at is None or not row.is_passed]
            marks = {row.earned for row in rows}
            if bad or marks != {float(questions)}:
                raise BenchError(f"{len(bad)} attempt(s) not submitted or not passed; marks {marks}")

            def count(verb: str) -> int:
                return session.scalar(
                    select(func.count())
                    .select_from(StoredStatement)
                    .where(StoredStatement.verb_id.like(f"%/{verb}"))
                )

            found = {verb: count(verb) for verb in ("attempted", "answered", "passed", "failed")}
            expected = {"attempted": total, "answered": total * questions, "passed": total, "failed": 0}
            if found != expected:
                raise BenchError(f"statements {found}, expected {expected}")
        finally:
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def import_course(workdir: Path, env: dict[str, str]) -> None:
    """A copy of the practitioner course, every quiz with ``attempts: unlimited``, imported."""
    package = workdir / "package" / COURSE_SLUG
    shutil.copytree(COURSE_DIR, package)
    for path in sorted((package / "quizzes").glob("*.yaml")):
        text, found = re.subn(r"^attempts: .*$", "attempts: unlimited", path.read_text("utf-8"), flags=re.M)
        if found != 1:
            raise BenchError(f"{path.name}: {found} 'attempts:' lines")
        path.write_text(text, "utf-8")
    run_cli(["lms", "content", "import", str(package)], env)


def walk_through(port: int, learner: Learner, answers: dict[str, list[str]], submitter: Submitter) -> int:
    """One attempt by hand, checking each page; the attempt page's size in bytes."""
    submitter.start("check start", [learner])
    status, page = get(port, learner.attempt, {"Cookie": learner.cookie})
    if status != 200 or b'name="revision" value="0"' not in page:
        raise BenchError(f"GET {learner.attempt} ({status}) is not a fresh attempt page")
    missing = [name for name in answers if f'name="{name}"'.encode() not in page]
    if missing:
        raise BenchError(f"the attempt page has no field(s) {missing}")
    attempt = learner.attempt
    submitter.submit("check submit", [learner])
    status, result = get(port, attempt, {"Cookie": learner.cookie})
    if status != 200 or PASSED not in result or b"100.0%" not in result:
        raise BenchError(f"GET {attempt} after submit ({status}) is not a passed result page at 100%")
    return len(page)


def bench_submit(args):
    servers: list[Server] = []
    spec = quiz_questions()[QUIZ_KEY]
    answers = {name: values for question in spec for name, values in right_form(question).items()}
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        workdir = Path(tmp)
        env = {**lms_env(workdir), "LMS_MEDIA_DIR": str(workdir / "media")}
        try:
            run_cli(["lms", "db", "upgrade"], env)
            import_course(workdir, env)
            learners = set_up(env["LMS_DATABASE_URL"], args.quiz_learners)

            lms = Server("lms", "lms:create_app()", env, workdir, args.workers)
            servers.append(lms)
            lms.wait_ready("/login")
            for learner in learners:
                learner.cookie = sign_in(lms.port, learner.email, PASSWORD, FIRST_NAME)
                csrf_for(lms.port, learner)
            submitter = Submitter(lms.port, answers, args)
            page_bytes = walk_through(lms.port, learners[0], answers, submitter)

            bare = bare_server(env, workdir, args.workers)
            servers.append(bare)
            bare.wait_ready("/")

            # Warm-up: one start and one submit per learner; the bare app's warm-up.
            submitter.start("lms start warm-up", learners)
            submitter.submit("lms submit warm-up", learners)
            load("bare warm-up", bare.port, "/", {}, args.warmup, args.threads, b"hello", args.time_cap)

            rounds = math.ceil(args.submissions / len(learners))
            sizes = [
                args.submissions // rounds + (1 if i < args.submissions % rounds else 0)
                for i in range(rounds)
            ]
            bare_sizes = [
                args.requests // rounds + (1 if i < args.requests % rounds else 0) for i in range(rounds)
            ]
            parts: dict[str, list[Result]] = {"start": [], "submit": [], "bare": []}
            for number, (size, bare_size) in enumerate(zip(sizes, bare_sizes, strict=True)):
                group = learners[:size]

                def lms_round(group=group) -> None:
                    parts["start"].append(submitter.start("lms start", group))
                    parts["submit"].append(submitter.submit("lms submit", group))

                def bare_round(bare_size=bare_size) -> None:
                    if bare_size:
                        parts["bare"].append(
                            load("bare", bare.port, "/", {}, bare_size, args.threads, b"hello", args.time_cap)
                        )

                for step in (lms_round, bare_round) if number % 2 == 0 else (bare_round, lms_round):
                    step()

            status, result = get(lms.port, learners[0].last, {"Cookie": learners[0].cookie})
            if status != 200 or PASSED not in result or b"100.0%" not in result:
                raise BenchError(f"the last attempt's page after the run ({status}) is not a pass at 100%")
        except BenchError:
            report_logs(servers)
            raise
        finally:
            for server in servers:
                server.stop()
        verify(env["LMS_DATABASE_URL"], submitter.attempt_ids, len(spec))

    summed = {
        name: Result(
            name,
            sum(r.requests for r in results),
            sum(r.seconds for r in results),
            [t for r in results for t in r.latencies],
        )
        for name, results in parts.items()
    }
    return summed, rounds, len(spec), page_bytes, len(submitter.attempt_ids)


# --- the report ------------------------------------------------------------------------------


def run(args) -> int:
    try:
        grading = bench_grading(args)
        summed, rounds, questions, page_bytes, attempts = bench_submit(args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1

    mix = ", ".join(f"{name} {n}" for name, n in grading.types.most_common())
    print("-- grading: parse + grade through the registry, in-process --")
    print(f"questions: {grading.questions} of the 6 practitioner quizzes ({mix}),")
    print(f"          each answered right and wrong: {2 * grading.questions} answers, graded in turn")
    print(f"rounds:   registry and baseline alternate in {ROUNDS} rounds")
    print()
    print(f"{'loop':<36} {'grades':>10} {'seconds':>8} {'grades/s':>11} {'us each':>8}")
    for label, grades, seconds in (
        ("registry: parse + grade", grading.grades, grading.registry_seconds),
        ("baseline: form == stored answer", grading.baseline_grades, grading.baseline_seconds),
    ):
        rate = grades / seconds
        print(f"{label:<36} {grades:>10,} {seconds:>8.2f} {rate:>11,.0f} {1e6 / rate:>8.3f}")
    print()
    print(f"ratio registry / baseline: {grading.registry_rate / grading.baseline_rate:.4f}")
    print(
        "per type, us per parse + grade: "
        + ", ".join(f"{name} {us:.1f}" for name, us in sorted(grading.per_type.items(), key=lambda i: -i[1]))
    )
    print("every grade was checked first (right answers earn every point, wrong ones are not correct)")

    start, submit, bare = summed["start"], summed["submit"], summed["bare"]
    print()
    print("-- submission: POST .../submit on gunicorn, against bare Flask hello --")
    print(
        f"quiz:     {QUIZ_PATH} ({questions} questions, all seven types; attempt page "
        f"{page_bytes:,} bytes), every answer right"
    )
    print(
        f"load:     {args.quiz_learners} learners signed in; {rounds} rounds, each: every learner of the "
        f"round starts an attempt (timed apart), then submits it; {args.threads} client threads"
    )
    print(f"          LMS and bare alternate by round, both servers up; {attempts} attempts in all")
    print()
    print_http_results(
        [
            (submit, "LMS quiz submit (counted)"),
            (start, "LMS quiz start (not counted)"),
            (bare, 'bare Flask "hello" /'),
        ]
    )
    print()
    print(f"submissions/s: {submit.rate:.1f}; ratio submit / bare hello: {submit.rate / bare.rate:.4f}")
    print(f"ratio start / bare hello: {start.rate / bare.rate:.4f}")
    mean_submit = statistics.fmean(submit.latencies) * 1000
    grading_ms = sum(grading.per_type[q] for q in _types_of(QUIZ_KEY)) / 1000
    print(
        f"mean latency submit {mean_submit:.1f} ms, start {statistics.fmean(start.latencies) * 1000:.1f} ms, "
        f"bare {statistics.fmean(bare.latencies) * 1000:.1f} ms; grading the {questions} answers once "
        f"in-process: {grading_ms:.3f} ms"
    )
    print(
        "every start answered 302 to a new attempt and every submit 302 back to it; in the database "
        "every attempt is submitted and passed with full marks, with its 'passed' and 'answered' statements"
    )
    return 0


def _types_of(key: str) -> list[str]:
    return [spec["type"] for spec in quiz_questions()[key]]
