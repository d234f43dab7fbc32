"""The README's commands for a newcomer, run as written: the demo code (`make code USER=...`) prints a
code and nothing else, with no set-up beyond `make run`'s; `make run PORT=...` serves on that port."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], database: Path) -> subprocess.CompletedProcess:
    """``command`` as a newcomer types it, against a database of its own (not the demo's db.sqlite3)."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{database}", "HOME": str(database.parent)}
    return subprocess.run(  # noqa: S603 - make and this project's interpreter, with this test's arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_make_code_prints_a_demo_logins_code(tmp_path):
    database = tmp_path / "demo.sqlite3"
    python = str(ROOT / ".venv" / "bin" / "python")
    for step in (["migrate", "--no-input"], ["seed_demo", "--young-people", "10"]):
        done = run(["/usr/bin/env", "DJANGO_DEBUG=1", python, "manage.py", *step], database)
        assert done.returncode == 0, done.stderr
    done = run(["/usr/bin/make", "-s", "code", "USER=adviser"], database)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d{6}\n", done.stdout)
    assert "Traceback" not in done.stderr


def test_make_run_serves_on_the_port_given():
    done = subprocess.run(  # make's dry run: prints the commands, runs none
        ["/usr/bin/make", "-n", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "runserver 127.0.0.1:8001" in done.stdout
