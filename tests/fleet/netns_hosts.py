"""Hosts made as network namespaces on this machine, each answering SSH with a real sshd.

Each host is a network namespace with its loopback up and one veth pair to this machine's
namespace: 10.231.N.1 on this side, 10.231.N.2 on the host's, with N a /24 no address here
uses yet. Its sshd runs inside the namespace with a host key and configuration of its own
and lets root in with the key made for the set of hosts, and nothing else. The hosts share
this machine's filesystem and process table; only their network is their own.

Names carry this process's id, so runs side by side or left behind by a killed run do not
clash. Taking a host down kills every process in its namespace, as a machine losing power
would; closing the set does that to every host and removes the namespaces and links.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

SUBNET = "10.231"
SSH_PORT = 22
PRIVSEP_DIR = Path("/run/sshd")
NAMES = itertools.count()


def program(name: str) -> str | None:
    """Where `name` is, looking in the sbin folders too (root's PATH may lack them)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/sbin"):
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    return None


def missing() -> str:
    """Why hosts cannot be made here ('' when nothing is missing)."""
    if os.geteuid() != 0:
        return "network namespaces and an sshd per host need root"
    lacking = [f"{name} ({package})" for name, package in (
        ("ip", "iproute2"), ("sshd", "openssh-server"), ("ssh", "openssh-client"),
        ("ssh-keygen", "openssh-client")) if program(name) is None]
    if lacking:
        return f"missing {', '.join(lacking)}: bash scripts/setup.sh --tests installs them"
    return ""


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command to its end (within 30 s); raise with its output if it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done


def ip(*argv: str) -> subprocess.CompletedProcess[str]:
    return run(program("ip") or "ip", *argv)


def namespace_pids(namespace: str) -> list[int]:
    """The processes in a namespace (none once it is gone)."""
    done = subprocess.run([program("ip") or "ip", "netns", "pids", namespace],
                          capture_output=True, text=True, timeout=30, check=False)
    return [int(pid) for pid in done.stdout.split()] if done.returncode == 0 else []


def free_subnet() -> int:
    """A third octet N such that no address here lies in 10.231.N.0/24."""
    used = {int(n) for n in re.findall(rf"\b{re.escape(SUBNET)}\.(\d+)\.",
                                       ip("-4", "-o", "addr", "show").stdout)}
    start = os.getpid() % 254
    for step in range(254):
        candidate = (start + step) % 254 + 1
        if candidate not in used:
            return candidate
    raise RuntimeError(f"every {SUBNET}.N.0/24 is in use here")


@dataclass(eq=False)
class SshHost:
    """One host: its namespace, its address and this machine's on its link, its sshd."""

    name: str
    namespace: str
    link: str
    address: str
    controller: str
    home: Path
    sshd: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.home / "sshd.log"

    def pids(self) -> list[int]:
        return namespace_pids(self.namespace)

    def power_off(self, timeout: float = 10.0) -> None:
        """SIGKILL every process in the namespace until none is left (sshd, its sessions)."""
        deadline = time.monotonic() + timeout
        while pids := self.pids():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.namespace}: processes {pids} outlived SIGKILL")
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        if self.sshd is not None:
            self.sshd.wait(timeout=max(0.1, deadline - time.monotonic()))


@dataclass
class SshHosts:
    """Hosts made on demand under `home`, all reached as root with one key made here."""

    home: Path
    hosts: list[SshHost] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.key = self.home / "id_ed25519"
        run(program("ssh-keygen") or "ssh-keygen", "-q", "-t", "ed25519", "-N", "",
            "-C", "hwaccept-fleet-tests", "-f", str(self.key))

    def __enter__(self) -> SshHosts:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def add(self, name: str, *, sshd: bool = True) -> SshHost:
        """A new host on a free subnet; with `sshd`, answering SSH once this returns."""
        number = next(NAMES)
        subnet = f"{SUBNET}.{free_subnet()}"
        host = SshHost(name, f"hwaccept-{os.getpid()}-{number}", f"hwa{os.getpid():x}-{number}",
                       f"{subnet}.2", f"{subnet}.1", self.home / name)
        self.hosts.append(host)
        host.home.mkdir()
        ip("netns", "add", host.namespace)
        ip("link", "add", host.link, "type", "veth", "peer", "name", "eth0",
           "netns", host.namespace)
        ip("addr", "add", f"{host.controller}/24", "dev", host.link)
        ip("link", "set", host.link, "up")
        for argv in (("addr", "add", f"{host.address}/24", "dev", "eth0"),
                     ("link", "set", "eth0", "up"), ("link", "set", "lo", "up")):
            ip("-n", host.namespace, *argv)
        if sshd:
            self._start_sshd(host)
        return host

    def _start_sshd(self, host: SshHost, timeout: float = 15.0) -> None:
        run(program("ssh-keygen") or "ssh-keygen", "-q", "-t", "ed25519", "-N", "",
            "-f", str(host.home / "host_key"))
        shutil.copyfile(self.key.with_suffix(".pub"), host.home / "authorized_keys")
        config = host.home / "sshd_config"
        config.write_text(f"""ListenAddress {host.address}:{SSH_PORT}
HostKey {host.home / 'host_key'}
PidFile {host.home / 'sshd.pid'}
AuthorizedKeysFile {host.home / 'authorized_keys'}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
""")
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        with host.log.open("wb") as log:
            host.sshd = subprocess.Popen(
                [program("ip") or "ip", "netns", "exec", host.namespace,
                 program("sshd") or "sshd", "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if host.sshd.poll() is not None:
                raise RuntimeError(f"sshd of {host.name} exited {host.sshd.returncode}: "
                                   f"{host.log.read_text()}")
            try:
                with socket.create_connection((host.address, SSH_PORT), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"sshd of {host.name} does not answer on "
                                       f"{host.address}:{SSH_PORT}: {host.log.read_text()}"
                                       ) from None
                time.sleep(0.05)

    def close(self) -> None:
        """Kill every host's processes; remove its link and namespace. Tries every host."""
        problems: list[str] = []
        for host in self.hosts:
            try:
                host.power_off()
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                problems.append(str(error))
            for argv in (("link", "delete", host.link), ("netns", "delete", host.namespace)):
                subprocess.run([program("ip") or "ip", *argv], capture_output=True,
                               timeout=30, check=False)
        self.hosts.clear()
        if problems:
            raise RuntimeError("; ".join(problems))
