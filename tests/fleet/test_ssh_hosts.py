"""fleet/acceptance.yml run for real over SSH, against hosts made as network namespaces.

Every host is a network namespace of its own with a real sshd in it (see netns_hosts.py
here), reached by ansible-playbook over `ansible_connection=ssh` at its own address with
a key made for the test. The hosts share this machine's files, so each runs
the checkout's suite against a bundled snapshot and the results are known in advance.

One batch proves each host is reached through its own sshd, checked, fetched and ingested.
Another takes a host down mid-run, killing every process in its namespace as a power cut
would: that host is `lost` (reached, then gone), told apart from a host that never
answered (`unreachable`), and the rest of the batch still finishes and is ingested.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hwaccept.history.database import open_database
from hwaccept.history.queries import all_runs
from tests.fleet.netns_hosts import SshHost, SshHosts, ip, missing

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "fleet" / "acceptance.yml"
ANSIBLE = Path(sys.executable).with_name("ansible-playbook")
SNAPSHOTS = REPO / "snapshots"
HEALTHY = SNAPSHOTS / "hgx-a100-8gpu.tar.gz"
DBE_GPU = "1650124031592"
BATCH = "batch-ssh"
PLAYBOOK_TIMEOUT = 240.0
SSH_OPTIONS = ("-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes "
               "-o ConnectTimeout=5 -o ServerAliveInterval=5 -o ServerAliveCountMax=3")


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[SshHosts]:
    """A set of namespace hosts; every one is taken down and removed at the end."""
    if not ANSIBLE.exists():
        pytest.skip("ansible-playbook is not installed (pip install ansible-core)")
    reason = missing()
    if reason:
        pytest.skip(reason)
    probe = f"hwaccept-{os.getpid()}-probe"
    try:
        ip("netns", "add", probe)
    except RuntimeError as error:
        pytest.skip(f"cannot make network namespaces here: {error}")
    ip("netns", "delete", probe)
    with SshHosts(tmp_path / "hosts") as made:
        yield made


def inventory(tmp_path: Path, hosts: SshHosts,
              stations: dict[SshHost, dict[str, str]]) -> Path:
    lines = [f"{host.name} ansible_host={host.address} "
             + " ".join(f"{name}={value}" for name, value in settings.items())
             for host, settings in stations.items()]
    path = tmp_path / "inventory.ini"
    path.write_text("[stations]\n" + "\n".join(lines) + f"""

[stations:vars]
ansible_connection=ssh
ansible_user=root
ansible_ssh_private_key_file={hosts.key}
ansible_ssh_common_args='{SSH_OPTIONS}'
hwaccept_copy=false

[local]
localhost ansible_connection=local

[all:vars]
ansible_python_interpreter={sys.executable}
hwaccept_dir={REPO}
""")
    return path


@pytest.fixture
def start_playbook(tmp_path: Path) -> Iterator[Callable[[Path], subprocess.Popen[bytes]]]:
    """Starts ansible-playbook over an inventory, its output in tmp_path/ansible.log.

    A playbook still running when the test ends is killed with all its processes.
    """
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    started: list[subprocess.Popen[bytes]] = []

    def start(inventory: Path) -> subprocess.Popen[bytes]:
        with (tmp_path / "ansible.log").open("wb") as log:
            started.append(subprocess.Popen(
                [str(ANSIBLE), "-i", str(inventory), str(PLAYBOOK),
                 "-e", f"hwaccept_out_dir={tmp_path / 'out'}", "-e", f"hwaccept_run_id={BATCH}",
                 "-e", f"hwaccept_history={tmp_path / 'history.db'}",
                 "-e", f"hwaccept_reports={tmp_path}/on-host/{{{{ inventory_hostname }}}}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                env=env, start_new_session=True))
        return started[-1]

    yield start
    for playbook in started:
        if playbook.poll() is None:
            os.killpg(playbook.pid, signal.SIGKILL)
            playbook.wait(timeout=30)


def finish(tmp_path: Path, playbook: subprocess.Popen[bytes]) -> tuple[int, str, Any]:
    """Wait for the playbook (bounded); its exit status, output and status.json."""
    returncode = playbook.wait(timeout=PLAYBOOK_TIMEOUT)
    output = (tmp_path / "ansible.log").read_text(errors="replace")
    status_file = tmp_path / "out" / BATCH / "status.json"
    assert status_file.exists(), output[-3000:]
    return returncode, output, json.loads(status_file.read_text())


def events(folder: Path) -> list[dict[str, Any]]:
    """The event log lines of the one run under `folder` (none before it exists)."""
    logs = list(folder.rglob("events.jsonl"))
    assert len(logs) <= 1, logs
    if not logs:
        return []
    *whole, _partial = logs[0].read_text().split("\n")
    return [json.loads(line) for line in whole]


def test_every_ssh_host_is_reached_checked_fetched_and_ingested(
        tmp_path: Path, hosts: SshHosts,
        start_playbook: Callable[[Path], subprocess.Popen[bytes]]) -> None:
    stations = {
        hosts.add("healthy"): {"hwaccept_snapshot": str(HEALTHY)},
        hosts.add("dbe"): {"hwaccept_snapshot": str(SNAPSHOTS / "faults" / "gpu-ecc-dbe.tar.gz")},
        hosts.add("badprofile"): {"hwaccept_snapshot": str(HEALTHY),
                                  "hwaccept_profile": "no-such-sku"},
    }
    playbook = start_playbook(inventory(tmp_path, hosts, stations))
    returncode, output, status = finish(tmp_path, playbook)

    assert returncode == 0, output[-3000:]
    assert {name: host["status"] for name, host in status["hosts"].items()} == {
        "healthy": "accepted", "dbe": "rejected", "badprofile": "crashed"}
    assert status["hosts"]["dbe"]["detail"].startswith("1 failed, ")
    assert "no profile 'no-such-sku'" in status["hosts"]["badprofile"]["detail"]
    assert (status["run_id"], status["ingest"]) == (BATCH, "done")
    for host in stations:
        assert f"Accepted publickey for root from {host.controller} " in host.log.read_text()
    for name in ("healthy", "dbe"):
        fetched = tmp_path / "out" / BATCH / name
        assert sorted(p.name for p in fetched.rglob("*") if p.is_file()) == [
            "events.jsonl", "junit.xml", "report.html"], name
        assert events(fetched) == events(tmp_path / "on-host" / name)
        assert events(fetched)[-1]["event"] == "finish"
    assert not (tmp_path / "out" / BATCH / "badprofile").exists()
    with open_database(str(tmp_path / "history.db")) as db:
        runs = list(all_runs(db))
    assert sorted(run.identity.get("system_serial", "-") for run in runs) == ["-", "HSR8X04"]
    assert {run.identity["run_id"] for run in runs} == {BATCH}
    failed = [c for run in runs for c in run.cases if c.outcome == "failed"]
    assert [(c.get("serial"), c.get("failure_code")) for c in failed] == [
        (DBE_GPU, "GPU_ECC_DBE")]


def test_a_host_lost_mid_run_is_told_apart_and_the_batch_finishes(
        tmp_path: Path, hosts: SshHosts,
        start_playbook: Callable[[Path], subprocess.Popen[bytes]]) -> None:
    healthy = hosts.add("healthy")
    doomed = hosts.add("doomed")
    silent = hosts.add("silent", sshd=False)
    stations = {
        healthy: {"hwaccept_snapshot": str(HEALTHY)},
        doomed: {"hwaccept_snapshot": str(HEALTHY),
                 "hwaccept_pytest_args": "\"['-p', 'tests.fleet.long_run']\""},
        silent: {"hwaccept_snapshot": str(HEALTHY)},
    }
    playbook = start_playbook(inventory(tmp_path, hosts, stations))
    on_host = tmp_path / "on-host" / doomed.name
    deadline = time.monotonic() + 90
    while not any(event["event"] == "result" for event in events(on_host)):
        assert playbook.poll() is None, "the playbook ended before the doomed host's run began"
        assert time.monotonic() < deadline, "the doomed host's run logged no result in 90 s"
        time.sleep(0.05)
    doomed.power_off()
    returncode, output, status = finish(tmp_path, playbook)

    assert returncode == 4, output[-3000:]
    hosts_status = status["hosts"]
    assert {name: host["status"] for name, host in hosts_status.items()} == {
        "healthy": "accepted", "doomed": "lost", "silent": "unreachable"}
    detail = hosts_status["doomed"]["detail"]
    assert detail.startswith("Run pytest -m acceptance: "), detail
    assert "via ssh" in detail, detail
    assert hosts_status["silent"]["detail"] == ""
    assert "finish" not in {event["event"] for event in events(on_host)}
    assert sorted(p.name for p in (tmp_path / "out" / BATCH).iterdir()) == [
        "healthy", "status.json"]
    assert status["ingest"] == "done"
    with open_database(str(tmp_path / "history.db")) as db:
        runs = list(all_runs(db))
    assert [(run.identity["run_id"], run.complete) for run in runs] == [(BATCH, True)]
