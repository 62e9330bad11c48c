"""Where the worker runs: beside the site in `make run`, and as a Compose service."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_a_worker_from_the_sites_image_always():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    assert worker["image"] == services["web"]["image"]
    assert worker["command"][1:3] == ["/app/manage.py", "jobs_worker"]
    assert "profiles" not in worker
    assert "@db:5432/" in worker["environment"]["DATABASE_URL"]
    # No second scheduler beside it: the sync is one of the worker's jobs.
    assert not any("--loop" in " ".join(s.get("command") or []) for s in services.values())


def test_make_run_starts_one_worker_beside_the_site():
    # The target's lines up to the blank line: its exports, its prerequisites, its recipe.
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n")[0]
    assert run.count("manage.py jobs_worker") == 1
    assert "sync_messages --loop" not in run


def test_the_readme_says_how_to_run_several_workers():
    readme = (ROOT / "README.md").read_text()
    assert "docker compose up -d --scale worker=3" in readme
