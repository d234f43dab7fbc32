"""The production shape read from docker-compose.yml and the Dockerfile (no Docker engine here): the
image's user can write every path the containers write to, scanned copies and the destruction ledger
live on volumes that web, worker and beat share, and exactly one beat runs, with a schedule file it
can write."""

import re
import shlex
from pathlib import Path, PurePosixPath

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = {name: service for name, service in SERVICES.items() if service.get("image") == "youthservice:latest"}
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def image_user() -> str:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert users, "the image must not run as root"
    return users[-1]


def owned_by_user() -> list[PurePosixPath]:
    """Paths the Dockerfile hands to the image's user (chown -R USER...)."""
    user = image_user()
    found = []
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines():
        if not line.startswith("RUN "):
            continue
        for command in line.removeprefix("RUN ").split("&&"):
            words = shlex.split(command)
            if words[:2] == ["chown", "-R"] and words[2].split(":")[0] == user:
                found += [PurePosixPath(path) for path in words[3:]]
    return found


def writable(path: str) -> bool:
    return any(PurePosixPath(path).is_relative_to(owned) for owned in owned_by_user())


def mounts(service: dict) -> dict[str, str]:
    """Mount point -> named volume."""
    return {
        target: source
        for source, target, *_ in (volume.split(":") for volume in service.get("volumes", []))
        if source in COMPOSE["volumes"]
    }


def test_the_image_runs_as_an_unprivileged_user():
    assert image_user() not in ("root", "0")


def test_exactly_one_beat_runs_and_can_write_its_schedule():
    beats = [name for name, service in APP.items() if "beat" in service["command"]]
    assert beats == ["beat"]
    beat = APP["beat"]
    assert beat["deploy"]["replicas"] == 1
    command = beat["command"]
    schedule = PurePosixPath(command[command.index("--schedule") + 1])
    assert str(schedule.parent) in mounts(beat), "the schedule must be on a volume, not in the image"
    assert writable(str(schedule.parent))


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
@pytest.mark.parametrize(
    ("setting", "volume"), [("DJANGO_MEDIA_ROOT", "media"), ("DESTRUCTION_LEDGER_DIR", "ledger")]
)
def test_web_worker_and_beat_share_the_media_and_ledger_volumes_which_the_user_can_write(
    name, setting, volume
):
    """Scanned copies uploaded through web are deleted by the worker's purge; erasures in the admin
    (web) and the nightly purge (worker) append to the one destruction ledger."""
    path = APP[name]["environment"][setting]
    assert mounts(APP[name]).get(path) == volume
    assert writable(path)
