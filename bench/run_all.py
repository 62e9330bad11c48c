"""`make bench`: run every bench/bench_*.py and rewrite BENCHMARKS.md with what they measured.

Each script runs as a child process in its own process group, with a time
limit, and prints its results as JSON lines on stdout (anything else there is
ignored; stderr is passed through as progress). A script that fails, times out
or prints nothing is reported as failed in BENCHMARKS.md, and a benchmark the
issues ask for whose script does not exist yet is listed as not run.

Run from the repository root:
    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...] [--timeout SECONDS]

With --only, the other scripts' results of the previous run are kept in
BENCHMARKS.md (marked with their own date); they are read back from the JSON
that the file carries at its end.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
OUTPUT = REPO_ROOT / "BENCHMARKS.md"
RESULTS_MARKER = "<!-- bench-results"
# Figures to compare with (before the work of an issue), shown beside each result.
BASELINE = BENCH_DIR / "baseline.json"

# The benchmarks the issues ask for, in the order they run (cheap ones first);
# listed in BENCHMARKS.md even while their script does not exist.
EXPECTED = (
    "bench_recipients",
    "bench_list",
    "bench_budget",
    "bench_search",
    "bench_sync",
    "bench_audit",
    "bench_gunicorn",
    "bench_jobs",
    "bench_scaleout",
)
DEFAULT_TIMEOUT = 900
# The million-row benchmarks spend most of their time filling their tables.
# 1,000 deletes at the jobs' share of 60 calls a minute take about 37 minutes.
TIMEOUTS = {"bench_audit": 3600, "bench_search": 3600, "bench_sync": 1800, "bench_jobs": 3600}
QUICK_AUDIT_EVENTS = "20000"
STOP_GRACE_SECONDS = 45
MAX_REASON_CHARS = 300
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")
POSTGRES_START_SECONDS = 600
_LIST_ITEM = re.compile(r"^\s*(- |\d+\. )")
# Keys of a result line that the table shows; the others are listed under "How measured".
SHOWN_KEYS = {"name", "value", "unit", "goal", "met", "p95", "how", "runs"}
FIGURE_KEYS = {"median_s", "best_s", "goal_s", "p50_ms", "p95_ms", "goal_ms"}


@dataclass
class ScriptRun:
    """One script's run, as kept in BENCHMARKS.md."""

    script: str
    status: str  # "ok", "failed", "missing"
    date: str = ""
    quick: bool = False
    command: str = ""
    seconds: float = 0.0
    reason: str = ""
    how: str = ""
    load_before: str = ""
    load_after: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)


# --- Running the scripts -------------------------------------------------------------


def how_measured(path: Path) -> str:
    """A script's docstring after its title, up to how to run it, as Markdown paragraphs."""
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    paragraphs = [p.strip() for p in docstring.split("\n\n") if p.strip()]
    body = []
    for paragraph in paragraphs[1:]:
        if paragraph.startswith(("Run from", "Usage")):
            break
        body.append(_markdown_paragraph(paragraph))
    return "\n\n".join(body or paragraphs[:1])


def _markdown_paragraph(paragraph: str) -> str:
    """Rewrap a docstring paragraph: one line per paragraph, or per item of a list."""
    items: list[str] = []
    for line in paragraph.splitlines():
        if _LIST_ITEM.match(line) or not items:
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    return "\n".join(items)


def arguments_for(path: Path, *, quick: bool) -> list[str]:
    if not quick:
        return []
    source = path.read_text()
    if "--quick" in source:
        return ["--quick"]
    if "--events" in source:
        return ["--events", QUICK_AUDIT_EVENTS]
    return []


def _relay_stderr(stream, name: str, errors: list[str]) -> None:
    """Pass the script's stderr on as progress, keeping the exception lines it shows."""
    for line in stream:
        sys.stderr.write(f"  [{name}] {line}")
        if _EXCEPTION_LINE.match(line):
            errors.append(line.strip())


def failure_summary(errors: list[str]) -> str:
    """The first exception a failed script printed: usually the cause, not a consequence."""
    return errors[0][:MAX_REASON_CHARS] if errors else ""


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the script's process group, give it time to clean up, then SIGKILL what is left.

    The whole group, not just the script: a script that runs itself once per
    database leaves a child that must stop its servers and drop its database.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while time.monotonic() < deadline and _group_alive(process):
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _group_alive(process: subprocess.Popen) -> bool:
    process.poll()  # reaps the script itself once it has exited
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def run_script(
    path: Path, arguments: list[str], timeout: float, *, quick: bool, postgres_url: str | None
) -> ScriptRun:
    name = path.stem
    python = os.path.relpath(sys.executable, REPO_ROOT)
    command = shlex.join([python, os.path.relpath(path, REPO_ROOT), *arguments])
    # Scripts measure PostgreSQL too when DATABASE_URL points at one (a new
    # database on that server); without one they stay on their own SQLite files.
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if postgres_url:
        environment["DATABASE_URL"] = postgres_url
        if "DATABASE_URL" in path.read_text():
            command = f"DATABASE_URL=<PostgreSQL> {command}"
    run = ScriptRun(
        name,
        "failed",
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        quick=quick,
        command=command,
        how=how_measured(path),
    )
    run.load_before = _load_average()
    print(f"{name}: running (time limit {timeout:.0f} s)", file=sys.stderr, flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(path), *arguments],
        cwd=REPO_ROOT,
        env={**environment, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so a time-out can stop its children
    )
    stdout_lines: list[str] = []
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: stdout_lines.extend(process.stdout), daemon=True),
        threading.Thread(target=_relay_stderr, args=(process.stderr, name, errors), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        run.reason = f"timed out after {timeout:.0f} s"
    except BaseException:
        _stop_group(process)
        raise
    for reader in readers:
        reader.join(timeout=STOP_GRACE_SECONDS)
    run.seconds = round(time.monotonic() - started, 1)
    run.load_after = _load_average()
    run.results = parse_results(stdout_lines)
    if not run.reason and process.returncode != 0:
        run.reason = f"exit code {process.returncode}"
    if not run.reason and not run.results:
        run.reason = "printed no results"
    if run.reason:
        if summary := failure_summary(errors):
            run.reason += f": {summary}"
    else:
        run.status = "ok"
    print(f"{name}: {run.status} in {run.seconds} s", file=sys.stderr, flush=True)
    return run


def parse_results(lines: list[str]) -> list[dict[str, Any]]:
    results = []
    for line in lines:
        if not line.lstrip().startswith("{"):
            continue
        with contextlib.suppress(ValueError):
            result = json.loads(line)
            if isinstance(result, dict) and "name" in result:
                results.append(result)
    return results


# --- Judging a result line -------------------------------------------------------------

_GOAL = re.compile(r"(p50|p95|median|best)?\s*(?:≤|<=|<)\s*([\d.,]+)\s*(ms|s)\b")


def _number(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def figure_of(result: dict[str, Any]) -> str:
    """The measured figure in words; scripts report in a few shapes."""
    if "value" in result:
        text = f"{_number(result['value'])} {result.get('unit', '')}".strip()
        p95 = result.get("p95", result.get("p95_ms"))
        if p95 is not None:
            text = f"p50 {text}, p95 {_number(p95)} {result.get('unit', '')}".strip()
        return text
    if "median_s" in result:
        best = f" (best {_number(result['best_s'])} s)" if "best_s" in result else ""
        return f"median {_number(result['median_s'])} s{best}"
    if "p50_ms" in result:
        p95 = f", p95 {_number(result['p95_ms'])} ms" if "p95_ms" in result else ""
        return f"p50 {_number(result['p50_ms'])} ms{p95}"
    numbers = {k: v for k, v in result.items() if isinstance(v, int | float) and k != "met"}
    return ", ".join(f"{k} {_number(v)}" for k, v in numbers.items()) or "—"


def goal_of(result: dict[str, Any]) -> str:
    goal = result.get("goal")
    if goal is None and "goal_s" in result:
        return f"≤ {_number(result['goal_s'])} s"
    if goal is None and "goal_ms" in result:
        return f"≤ {_number(result['goal_ms'])} ms"
    if goal in (None, "", "context"):
        return "—"
    goal = str(goal)
    # "context: why" marks a figure reported for comparison, without a goal.
    return f"— ({goal.removeprefix('context:').strip()})" if goal.startswith("context:") else goal


def met_of(result: dict[str, Any]) -> bool | None:
    """The script's own verdict, else one read off a simple numeric goal."""
    if "met" in result:
        return result["met"] if isinstance(result["met"], bool) else None
    if "goal_s" in result and "median_s" in result:
        return result["median_s"] <= result["goal_s"]
    if "goal_ms" in result:
        measured = result.get("p95_ms", result.get("p50_ms"))
        return None if measured is None else measured <= result["goal_ms"]
    match = _GOAL.search(str(result.get("goal", "")))
    if match is None:
        return None
    which, bound, unit = match.groups()
    bound_ms = float(bound.replace(",", "")) * (1000 if unit == "s" else 1)
    measured_ms = {
        "p50": result.get("p50_ms"),
        "p95": result.get("p95_ms"),
        "median": result["median_s"] * 1000 if "median_s" in result else None,
        "best": result["best_s"] * 1000 if "best_s" in result else None,
    }
    if which is None:
        which = next((k for k in ("p95", "p50", "median") if measured_ms[k] is not None), "p95")
    measured = measured_ms[which]
    return None if measured is None else measured <= bound_ms


def verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


# --- The machine -----------------------------------------------------------------------


def _first_match(path: str, pattern: str) -> str | None:
    with contextlib.suppress(OSError):
        match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load_average() -> str:
    """The 1-minute load average: other work on the machine skews the figures."""
    return f"{os.getloadavg()[0]:.1f}"


def postgres_version(url: str | None, why_not: str) -> str:
    if not url:
        return f"not available ({why_not})"
    try:
        import psycopg

        # The server's own database: the one named in the URL may not exist yet.
        server = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
        with psycopg.connect(server, connect_timeout=5) as connection:
            return str(connection.execute("SHOW server_version").fetchone()[0])
    except Exception as error:
        return f"not reachable ({type(error).__name__})"


def machine(postgres: str, loads: list[float]) -> list[str]:
    cpu = _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor()
    memory_kb = _first_match("/proc/meminfo", r"^MemTotal:\s*(\d+)")
    memory = f"{int(memory_kb) / 1024 / 1024:.1f} GiB RAM" if memory_kb else "RAM unknown"
    system = _first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)') or platform.system()
    return [
        f"CPU: {cpu or 'unknown'}, {os.cpu_count()} logical cores, {memory}",
        f"OS: {system}, kernel {platform.release()}",
        f"Python {platform.python_version()}, Django {_version('django')}, "
        f"gunicorn {_version('gunicorn')}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres}",
        _load_line(loads),
    ]


def _load_line(loads: list[float]) -> str:
    if not loads:
        return "Load average: not measured"
    line = f"Load average (1 min) before and after the scripts: {min(loads):g} to {max(loads):g}"
    if max(loads) > (os.cpu_count() or 1):
        line += (
            f", above the {os.cpu_count()} cores: other work was running on this machine, "
            "so the timings of the scripts that ran then are pessimistic (see How measured)"
        )
    return line


def find_postgres(wanted: bool) -> tuple[str | None, str]:
    """A PostgreSQL server for the scripts: DATABASE_URL's, else scripts/ensure-postgres's."""
    if not wanted:
        return None, "--no-postgres"
    url = os.environ.get("DATABASE_URL", "")
    if url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}:
        return url, "DATABASE_URL"
    print("Looking for PostgreSQL (scripts/ensure-postgres)", file=sys.stderr, flush=True)
    try:
        found = subprocess.run(
            [str(REPO_ROOT / "scripts" / "ensure-postgres")],
            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            capture_output=True,
            text=True,
            timeout=POSTGRES_START_SECONDS,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"scripts/ensure-postgres failed: {type(error).__name__}"
    return found.stdout.strip().splitlines()[-1], "scripts/ensure-postgres"


# --- BENCHMARKS.md ---------------------------------------------------------------------


def previous_runs(path: Path) -> dict[str, ScriptRun]:
    if not path.exists():
        return {}
    text = path.read_text()
    start = text.rfind(RESULTS_MARKER)
    if start < 0:
        return {}
    payload = text[start + len(RESULTS_MARKER) : text.rfind("-->")]
    try:
        return {run["script"]: ScriptRun(**run) for run in json.loads(payload)}
    except (ValueError, TypeError):
        return {}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(
    runs: list[ScriptRun], *, date: str, command: str, machine_lines: list[str], only: list[str]
) -> str:
    partial_note = (
        f"- Partial run (only {', '.join(only)}): the other results are kept from "
        "earlier runs, each dated under How measured"
        if only
        else ""
    )
    quick_note = (
        "\n**Quick run** (`--quick`): smaller sizes and shorter runs, a smoke test. "
        "Figures marked *quick* are not comparable with the goals.\n"
        if any(run.quick for run in runs)
        else ""
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run_all.py`): rerun it rather than edit this file.",
        "Performance is measured by the scripts in `bench/`, not by timed tests; a page is",
        "compared with the direct upstream call made in the same run.",
        "",
        f"- Date: {date}",
        f"- Command: `{command}`",
        *(f"- {line}" for line in machine_lines),
        partial_note,
        quick_note,
        "## Results",
        "",
        "Load is the 1-minute load average (`os.getloadavg`, as `uptime` shows it) before and",
        "after the script that measured the figure: above 2 (the cores), other work ran too.",
        "*Before* is the figure in `bench/baseline.json` (the run this round of work started",
        "from), with its own load.",
        "",
        "| benchmark | figure | load | before (load) | goal | met? |",
        "|---|---|---|---|---|---|",
    ]
    baseline = _baseline()
    for run in runs:
        lines += _result_rows(run, baseline)
    lines += ["", "## How measured", ""]
    for run in runs:
        lines += _how_section(run)
    payload = json.dumps([asdict(run) for run in runs], ensure_ascii=False)
    # "--" may not appear inside an HTML comment; it can only occur in JSON strings,
    # where the escape reads back as the same text.
    payload = payload.replace("--", "-\\u002d")
    lines += [f"{RESULTS_MARKER} {payload} -->", ""]
    return "\n".join(lines)


def _baseline() -> dict[str, dict[str, str]]:
    if not BASELINE.exists():
        return {}
    return json.loads(BASELINE.read_text())["results"]


def _result_rows(run: ScriptRun, baseline: dict[str, dict[str, str]]) -> list[str]:
    script = f"{run.script}.py"
    if run.status == "missing":
        return [f"| {script} | not run (script missing) | | | | |"]
    rows = []
    if run.status == "failed":
        rows.append(f"| {script} | **failed**: {_cell(run.reason)} | | | | **no** |")
    marks = " *quick*" if run.quick else ""
    load = f"{run.load_before} → {run.load_after}"
    for result in run.results:
        before = baseline.get(result["name"])
        was = f"{before['figure']} ({before['load']})" if before else "—"
        rows.append(
            f"| `{_cell(result['name'])}` | {_cell(figure_of(result))}{marks} | {load} "
            f"| {_cell(was)} | {_cell(goal_of(result))} | {verdict(met_of(result))} |"
        )
    return rows


def _how_section(run: ScriptRun) -> list[str]:
    lines = [f"### {run.script}.py", ""]
    if run.status == "missing":
        return [*lines, "Not run: the script does not exist yet.", ""]
    if run.how:
        lines += [run.how, ""]
    state = "ran" if run.status == "ok" else f"failed ({run.reason})"
    lines.append(
        f"`{run.command}` {state} in {run.seconds} s on {run.date}"
        f"{' (quick)' if run.quick else ''}; load average {run.load_before} before, "
        f"{run.load_after} after."
    )
    for result in run.results:
        notes = [result["how"]] if "how" in result else []
        notes += [
            f"{key} {_number(value)}"
            for key, value in result.items()
            if key not in SHOWN_KEYS and key not in FIGURE_KEYS
        ]
        if notes:
            lines.append(f"- `{result['name']}`: {'; '.join(notes)}")
    return [*lines, ""]


# --- Main ---------------------------------------------------------------------------------


def scripts_to_run(only: list[str]) -> list[str]:
    found = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    ordered = [*EXPECTED, *(name for name in found if name not in EXPECTED)]
    if not only:
        return ordered
    wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in only}
    unknown = wanted - set(ordered)
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))}")
    return [name for name in ordered if name in wanted]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this script (bench_list or list); repeat for more",
    )
    parser.add_argument("--timeout", type=float, help="seconds per script (default: per script)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: BENCHMARKS.md")
    parser.add_argument("--no-postgres", action="store_true", help="do not look for PostgreSQL")
    args = parser.parse_args()

    names = scripts_to_run(args.only)
    paths = {name: BENCH_DIR / f"{name}.py" for name in names}
    postgres_url, postgres_source = find_postgres(not args.no_postgres)

    runs: dict[str, ScriptRun] = {}
    if args.only:
        runs = previous_runs(args.output)
    for name in names:
        path = paths[name]
        if not path.exists():
            runs[name] = ScriptRun(name, "missing")
            continue
        timeout = args.timeout or TIMEOUTS.get(name, DEFAULT_TIMEOUT)
        arguments = arguments_for(path, quick=args.quick)
        runs[name] = run_script(
            path, arguments, timeout, quick=args.quick, postgres_url=postgres_url
        )

    order = [*EXPECTED, *sorted(set(runs) - set(EXPECTED))]
    ordered_runs = [runs[name] for name in order if name in runs]
    command = shlex.join(
        [os.path.relpath(sys.executable, REPO_ROOT), "bench/run_all.py", *sys.argv[1:]]
    )
    postgres = postgres_version(postgres_url, postgres_source)
    if postgres_url:
        postgres += f" (from {postgres_source})"
    text = render(
        ordered_runs,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=command,
        machine_lines=machine(
            postgres,
            [
                float(load)
                for run in ordered_runs
                for load in (run.load_before, run.load_after)
                if load
            ],
        ),
        only=args.only,
    )
    args.output.write_text(text)
    print(f"wrote {os.path.relpath(args.output, REPO_ROOT)}", file=sys.stderr)
    return 0 if all(run.status != "failed" for run in ordered_runs) else 1


if __name__ == "__main__":
    sys.exit(main())
