"""make load: the app as in production under 20 members of staff at once, on PostgreSQL.

    DATABASE_URL=postgres://…/kis_load .venv/bin/python -m bench.load

(``make load`` starts PostgreSQL and makes the kis_load database first.) The steps:

1. the bench dataset (bench/dataset.py: 5,000 participants with their whole history, ~550,000
   attendance marks, plans, change reports, up to 50,000 people for the search) and 20 staff
   accounts (bench-staff-01…20: managers, case managers, social workers, psychologists; more
   simulated staff share them), built once into the database and reused by every later run
   (LOAD_REBUILD=1 with make load starts again from an empty database). It takes about 200 s on
   this 2-core machine when nothing else runs, against 160 s for the same steps into SQLite: the
   Python side (model instances, bulk_create) is the same, the rest is the server's round trips
   and its deferred foreign-key checks at each commit;
2. fresh sessions of yesterday for this run's attendance saves, and the plan for locust;
3. gunicorn with deploy/gunicorn.conf.py and 4 workers, DEBUG off, static files collected;
4. locust, headless: LOAD_USERS (20) staff for LOAD_SECONDS (60) seconds (bench/locustfile.py);
5. the marks of this run's sessions counted: every save locust saw succeed left exactly the
   session's planned marks, one per person on the roster; a session with no successful save
   has none; the marks counted equal the new marks the saves' messages reported;
6. the figures appended to bench/results.json (rows "load (20 staff): …", replacing the last
   run's with as many staff, as make bench replaces its own) and printed.

Exits non-zero on a failed request, a lost or extra mark, or a p95 of the pages (every request
but the PDFs, reported on their own, and the login's password check) of 300 ms or more. A page
group whose own p95 reaches 300 ms is named (with 20 to 50 requests a group in a minute, its p95
is one of its two slowest: a hint where to look, too unsteady to fail the run on).
"""

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The app's own settings, as the servers run them (the real password hasher: the staff log in).
os.environ["DJANGO_SETTINGS_MODULE"] = "kis_site.settings"
os.environ.setdefault("SECRET_KEY", "load-test-throwaway-" + os.urandom(24).hex())
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("TWO_FACTOR_ENFORCED", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from bench import dataset  # noqa: E402
from bench.marks import planned_mark  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
WORK = Path(os.environ.get("LOAD_WORK", Path(tempfile.gettempdir()) / "kis-load"))
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
PAGE_P95_MS = 300
# Sessions for the saves: four times what the staff can use (at most one attendance in eight
# steps, a step every 3 s at the quickest, two saves a session); the unused are deleted after.
POOL = max(100, USERS * (USERS + SECONDS) // 12)
STAFF_ROLES = ["manager"] * 2 + ["case_manager"] * 10 + ["social_worker"] * 4 + ["psychologist"] * 4
SURNAMES = ["kowal", "nowak", "wiśniew", "lewand", "zieliń", "wójcik", "kamiń", "szyman"]


def staff_accounts(count=20) -> list[str]:
    """``count`` members of staff, made as bench/dataset.py makes its own: a login with the
    bench password, the role's group, the staff record."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kis_site.models import StaffMember
    from kis_site.vocabulary import Role

    User = get_user_model()
    names = []
    for index in range(count):
        role = Role(STAFF_ROLES[index % len(STAFF_ROLES)])
        username = f"bench-staff-{index + 1:02d}"
        user = User.objects.create_user(
            username,
            password=dataset.PASSWORD,
            first_name="Obciążenie",
            last_name=f"Nr {index + 1}",
            is_staff=role == Role.MANAGER,
        )
        user.groups.add(Group.objects.get(name=role.group_name))
        StaffMember.objects.create(user=user, first_name="Obciążenie", last_name=f"Nr {index + 1}")
        names.append(username)
    return names


def build_dataset() -> None:
    """The dataset make bench measures, step by step as bench/run.py builds it, then the staff
    accounts (last: their presence says the build finished) and fresh planner statistics."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    info = dataset.build()
    sample = info["sample"]
    print(f"  migrate, participants, cohorts, notes: {time.perf_counter() - started:.0f} s")
    for what, step in [
        ("diagnoses", lambda: dataset.diagnoses(sample=sample)),
        ("a social contract", lambda: dataset.contract_for(sample)),
        ("institutions and referrals", dataset.network),
        ("programmes, sessions, marks", dataset.activities),
        ("placements", dataset.placements),
        ("action plans", lambda: dataset.plans(sample=sample)),
        ("earlier rounds", dataset.earlier_rounds),
        ("change reports", lambda: dataset.change_reports(sample=sample)),
        ("a case manager with few people", dataset.case_manager_with_few),
        ("an audit trail", lambda: dataset.audit_trail(sample)),
        ("people up to 50,000", lambda: dataset.crowd(total=50000)),
        ("staff accounts", lambda: staff_accounts(20)),
    ]:
        step()
        print(f"  {what}: {time.perf_counter() - started:.0f} s", flush=True)
    analyze(vacuum=True)
    print(f"  statistics (VACUUM ANALYZE): {time.perf_counter() - started:.0f} s", flush=True)


def analyze(*, vacuum=False) -> None:
    """Fresh planner statistics for the app's tables (the build, a migration, the last run)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f'{"VACUUM " if vacuum else ""}ANALYZE "{table}"')


def dataset_state() -> str:
    """'empty', 'complete' or 'partial' (a build that stopped half way)."""
    from django.contrib.auth import get_user_model

    if "participants_participant" not in connection.introspection.table_names():
        return "empty"
    if get_user_model().objects.filter(username="bench-staff-20").exists():
        return "complete"
    return "partial"


def session_pool(count: int, stamp: str) -> list[dict]:
    """``count`` fresh sessions of yesterday in groups still running, each with its group on the
    roster and no marks yet (bench/dataset.fresh_sessions), for this run's saves."""
    from django.utils import timezone

    from activities.models import RosterEntry, Session
    from participants.models import Cohort

    today = timezone.localdate()
    cohorts = list(
        Cohort.objects.filter(ends_on__gte=today, starts_on__lt=today)
        .annotate(people=Count("enrolments"))
        .filter(people__gte=10)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    per_cohort = -(-count // len(cohorts))
    made = []
    for cohort in cohorts:
        made += dataset.fresh_sessions(cohort, per_cohort)
        if len(made) >= count:
            break
    made = made[:count]
    Session.objects.filter(pk__in=made).update(topic=f"make load {stamp}")
    roster = {}
    for session, person in RosterEntry.objects.filter(session_id__in=made).values_list(
        "session_id", "participant_id"
    ):
        roster.setdefault(session, []).append(person)
    return [{"id": pk, "roster": sorted(roster[pk])} for pk in made]


def plan(accounts: list[str], stamp: str) -> dict:
    from activities.models import Attendance
    from participants.models import Enrolment, Participant

    marked = list(
        Attendance.objects.values("participant_id")
        .annotate(n=Count("id"))
        .filter(n__gte=50)
        .order_by("participant_id")
        .values_list("participant_id", flat=True)[:2000]
    )
    files = list(
        Enrolment.objects.filter(cohort__isnull=False)
        .order_by("participant_id")
        .values_list("participant_id", flat=True)
        .distinct()[:4000]
    )
    people = Participant.objects.count()
    return {
        "accounts": accounts,
        "password": dataset.PASSWORD,
        "files": files,
        "hour_cards": marked,
        "sessions": session_pool(POOL, stamp),
        "surnames": SURNAMES,
        "people": people,
    }


def check_marks(sessions: list[dict], saves: list[dict]) -> dict:
    """Every reported save left its session's planned marks, one per person; no other session
    of the run has any; the marks equal the new marks the saves reported."""
    from activities.models import Attendance

    saved = {save["session"] for save in saves}
    ids = [session["id"] for session in sessions]
    rows = list(
        Attendance.objects.filter(session_id__in=ids).values_list(
            "session_id", "participant_id", "mark", "minutes_late"
        )
    )
    duplicates = (
        Attendance.objects.filter(session_id__in=ids)
        .values("session_id", "participant_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    by_session = {}
    for session, person, mark, late in rows:
        by_session.setdefault(session, {})[person] = (mark, late)
    lost = wrong = unexpected = 0
    for session in sessions:
        marks = by_session.get(session["id"], {})
        if session["id"] not in saved:
            unexpected += len(marks)
            continue
        for person in session["roster"]:
            mark, late = planned_mark(session["id"], person)
            if person not in marks:
                lost += 1
            elif marks[person] != (mark, int(late or 0)):
                wrong += 1
        unexpected += len(set(marks) - set(session["roster"]))
    expected = sum(len(s["roster"]) for s in sessions if s["id"] in saved)
    reported = [save["created"] for save in saves]
    return {
        "saves_ok": len(saves),
        "sessions_saved": len(saved),
        "marks_expected": expected,
        "marks_counted": len(rows),
        "marks_reported_new": sum(n for n in reported if n is not None),
        "saves_without_message": sum(1 for n in reported if n is None),
        "lost": lost,
        "wrong": wrong,
        "unexpected": unexpected,
        "duplicated": duplicates,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
    except urllib.error.HTTPError:
        pass  # an answer all the same
    except OSError:
        return False
    return True


def cpu_seconds(pids) -> float:
    """User and system CPU time of the processes ``pids`` so far (gone ones count 0)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def server_pids(master: int) -> list[int]:
    """gunicorn's master and its workers."""
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def database_pids() -> list[int]:
    """The PostgreSQL server processes serving this database (the app's kept connections)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


def unused(sessions: list[dict], saves: list[dict]):
    """The run's sessions nobody saved, with no marks (to delete with their rosters)."""
    from activities.models import Session

    saved = {save["session"] for save in saves}
    return Session.objects.filter(
        pk__in=[s["id"] for s in sessions if s["id"] not in saved], attendance__isnull=True
    )


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def server_env(port: int) -> dict:
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TWO_FACTOR_ENFORCED": "false",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_MAX_REQUESTS": "0",  # no worker restarts inside one minute's measurement
        "GUNICORN_LOG_LEVEL": "warning",
        # Connections kept through the whole run (the app's default is a minute), so that the
        # database's CPU time is counted on the server processes that did the work.
        "DATABASE_URL": os.environ["DATABASE_URL"].split("?")[0] + "?conn_max_age=600",
    }
    env.pop("PLAIN_STATIC", None)
    return env


def run_locust(base: str, plan_file: Path, result_file: Path) -> None:
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_RESULT": str(result_file)}
    subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            # One arrives every second, as staff do in the morning (a login checks the password
            # with PBKDF2, a quarter of a second of a core by design); the figures count from
            # when all are in, for LOAD_SECONDS.
            "--spawn-rate",
            "1",
            "--run-time",
            f"{USERS + SECONDS}s",
            "--reset-stats",
            "--stop-timeout",
            "30",  # a save under way is finished and counted, never cut off
            "--host",
            base,
            "--only-summary",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def cpu_per_request(result: dict) -> float:
    cpu = result["cpu"]["app_s"] + result["cpu"]["database_s"]
    return round(cpu * 1000 / max(1, result["requests_whole_run"]), 1)


def staff_per_two_cores(result: dict, busy: float = 0.6) -> int:
    """How many staff at this run's pace a server of its own with two cores holds with its CPU
    at most ``busy`` (beyond, requests queue and the tail grows): the CPU a request costs (app
    and database, logins included) times the requests a person makes a second."""
    per_person = result["rps"] / USERS  # requests a second, with everyone in
    return int(2 * busy / (cpu_per_request(result) / 1000 * per_person))


def rows(result: dict, marks: dict, people: int, stamp: str) -> list[dict]:
    label = f"load ({USERS} staff)"
    common = {
        "size": people,
        "floor_p95_ms": None,
        "ratio": None,
        "peer_p95_ms": None,
        "peer_ratio": None,
        "queries": None,
        "max_floor_ratio": None,
        "max_peer_ratio": None,
        "max_tail": None,
        "max_queries": None,
        "users": USERS,
        "seconds": SECONDS,
        "workers": WORKERS,
        "database": connection.vendor,
        "date": stamp,
        "commit": git_commit(),
    }

    def row(name, figures, target):
        return {
            "name": f"{label}: {name}",
            **common,
            "p50_ms": figures["p50_ms"],
            "p95_ms": figures["p95_ms"],
            "target_p95_ms": target,
            "requests": figures["requests"],
            "failures": figures["failures"],
        }

    out = [
        {
            **row("all pages", result["pages"], PAGE_P95_MS),
            "requests_per_second": result["rps"],
            "requests_total": result["total"]["requests"],
            "failures_whole_run": len(result["failures"]),
            # The machine's load average (1 min) before the run: other work on it skews figures.
            "load_average_before": result.get("load_average_before"),
            # CPU time of the app's workers and of the database over the whole run (with the
            # staff arriving), per request: what a server of its own would spend.
            "cpu": result["cpu"],
            "cpu_ms_per_request": cpu_per_request(result),
            "staff_per_two_cores": staff_per_two_cores(result),
            "marks_check": marks,
        },
        row("PDFs (every 20th request)", result["pdfs"], None),
        row(
            "login: password check (all logins, as the staff arrive)",
            {**result["logins"], "failures": 0},
            None,
        ),
    ]
    for name, figures in sorted(result["names"].items()):
        if name.startswith("login ("):
            continue  # above, over the whole run
        out.append(row(name, figures, None if name.startswith("PDF") else PAGE_P95_MS))
    return out


def main() -> int:
    if connection.vendor != "postgresql":
        print("make load runs on PostgreSQL: set DATABASE_URL=postgres://… (make load does).")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    state = dataset_state()
    if state == "partial":
        print(
            f"The database {settings.DATABASES['default']['NAME']} holds a build that stopped half "
            "way: LOAD_REBUILD=1 make load drops it and builds again."
        )
        return 2
    if state == "empty":
        print("Building the bench dataset (once; later runs reuse it) ...", flush=True)
        build_dataset()
    else:
        call_command("migrate", verbosity=0)  # the code may have moved on since the build
        # A column added since has no statistics, and the planner guesses badly without them
        # (a start page took 70 ms more in one query).
        analyze()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    from django.contrib.auth import get_user_model

    accounts = sorted(
        get_user_model()
        .objects.filter(username__startswith="bench-staff-")
        .values_list("username", flat=True)
    )
    load_plan = plan(accounts, stamp)
    plan_file, result_file = WORK / "plan.json", WORK / "result.json"
    plan_file.write_text(json.dumps(load_plan))
    result_file.unlink(missing_ok=True)
    print(
        f"{load_plan['people']:,} people; {len(load_plan['sessions'])} fresh sessions for the "
        f"saves; {USERS} staff for {SECONDS} s against gunicorn with {WORKERS} workers",
        flush=True,
    )
    port = free_port()
    env = server_env(port)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
    log = (WORK / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "kis_site.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers(f"{base}/health/"):
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (WORK / "gunicorn.log").read_text().splitlines()[-20:]
                print("gunicorn did not start:\n  " + "\n  ".join(tail))
                return 2
            time.sleep(0.2)
        for _ in range(WORKERS * 2):  # every worker has imported everything once
            answers(f"{base}/login/")
        connection.close()
        load_before = round(os.getloadavg()[0], 2)
        app_before = cpu_seconds(server_pids(server.pid))
        db_before = {pid: cpu_seconds([pid]) for pid in database_pids()}
        locust_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run_locust(base, plan_file, result_file)
        locust_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {
            "app_s": round(cpu_seconds(server_pids(server.pid)) - app_before, 1),
            "database_s": round(
                sum(cpu_seconds([pid]) - db_before.get(pid, 0) for pid in database_pids()), 1
            ),
            "locust_s": round(
                locust_after.ru_utime
                + locust_after.ru_stime
                - locust_before.ru_utime
                - locust_before.ru_stime,
                1,
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    result = {
        **json.loads(result_file.read_text()),
        "load_average_before": load_before,
        "cpu": cpu,
    }
    connection.close()
    marks = check_marks(load_plan["sessions"], result["saves"])
    unused(load_plan["sessions"], result["saves"]).delete()  # they would pile up, run after run
    new_rows = rows(result, marks, load_plan["people"], stamp)

    existing = []
    if RESULTS.exists():  # this run's rows replace the last run's with as many staff
        mine = f"load ({USERS} staff): "
        existing = [r for r in json.loads(RESULTS.read_text()) if not r["name"].startswith(mine)]
    RESULTS.write_text(json.dumps(existing + new_rows, indent=2, ensure_ascii=False) + "\n")

    header = f"{'request':<48} {'count':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'target':>7}"
    print(header)
    print("-" * len(header))
    for row in new_rows:
        print(
            f"{row['name']:<48} {row['requests']:>6} {row['failures']:>5} {row['p50_ms']:>6} "
            f"{row['p95_ms']:>6} {row['target_p95_ms'] or '—':>7}"
        )
    print(
        f"\n{result['total']['requests']} requests in {SECONDS} s with all {USERS} in, "
        f"{result['rps']} a second; {len(result['failures'])} failed over the whole run. "
        f"Marks: {json.dumps(marks)}"
    )
    print(
        f"CPU over the whole run: app {result['cpu']['app_s']} s, database "
        f"{result['cpu']['database_s']} s, locust {result['cpu']['locust_s']} s; "
        f"{cpu_per_request(result)} ms a request (app + database): a 2-core server of its own "
        f"holds about {staff_per_two_cores(result)} staff at this pace with its CPU 60% busy. "
        f"Load average before: {result['load_average_before']}."
    )
    failed = []
    if result["failures"] or result["total"]["failures"]:
        failed.append(f"failed requests: {result['failures'][:10]}")
    if marks["lost"] or marks["wrong"] or marks["unexpected"] or marks["duplicated"]:
        failed.append("attendance marks lost, wrong, unexpected or duplicated")
    if marks["marks_counted"] != marks["marks_expected"]:
        failed.append("the marks counted are not the marks the successful saves made")
    if marks["saves_without_message"] == 0 and (
        marks["marks_reported_new"] != marks["marks_counted"]
    ):
        failed.append("the marks counted are not the new marks the saves reported")
    if not marks["saves_ok"]:
        failed.append("no attendance save succeeded")
    pages = new_rows[0]
    if pages["p95_ms"] >= PAGE_P95_MS:
        failed.append(f"{pages['name']}: p95 {pages['p95_ms']} ms, not under {PAGE_P95_MS} ms")
    slow = [
        f"{row['name']}: p95 {row['p95_ms']} ms ({row['requests']} requests)"
        for row in new_rows[1:]
        if row["target_p95_ms"] and row["p95_ms"] >= row["target_p95_ms"]
    ]
    if slow:
        print("Page groups with a p95 of 300 ms or more:\n  " + "\n  ".join(slow))
    print(f"Written to {RESULTS}")
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
