"""One hardened container running the job server, and the options every such container gets."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.types

from optiagent.adapters.sandbox.docker_image import DEPS_MOUNT, HARNESS_MOUNT, LIB_DIR
from optiagent.harness.box_server import SOCKET_NAME, read_message, write_message
from optiagent.ports.sandbox import SandboxUnavailableError

LABEL = "optiagent.sandbox"
OWNER_LABEL = "optiagent.sandbox.owner"
DIR_LABEL = "optiagent.sandbox.dir"
INSTANCE_LABEL = "optiagent.sandbox.instance"
_START_TIMEOUT_S = 30.0
_ACCEPT_TIMEOUT_S = 10.0  # the server acknowledges a job before starting it


@dataclass(frozen=True)
class BoxShape:
    """What is fixed when a container is created; jobs only share containers of the same shape."""

    readonly: tuple[tuple[str, str], ...]  # (host source, path in the box), mounted read-only
    memory_mb: int
    max_processes: int


@dataclass(frozen=True)
class BoxConfig:
    image: str
    python: str  # the interpreter inside the image
    harness_dir: str
    deps_dir: str | None
    cpus: float
    tmpfs_mb: int
    user: str
    owner: str
    instance: str  # one DockerSandbox


def container_options(config: BoxConfig, shape: BoxShape, control_dir: str) -> dict[str, Any]:
    """The hardening: no network, read-only root, no capabilities, no privilege gain, bounded
    memory (no swap), CPU and pids, a small tmpfs, an unprivileged user, code mounted read-only."""
    volumes: dict[str, dict[str, str]] = {
        source: {"bind": path, "mode": "ro"} for source, path in shape.readonly
    }
    volumes[config.harness_dir] = {"bind": HARNESS_MOUNT, "mode": "ro"}
    if config.deps_dir:
        volumes[config.deps_dir] = {"bind": DEPS_MOUNT, "mode": "ro"}
    volumes[control_dir] = {"bind": control_dir, "mode": "rw"}
    memory = f"{shape.memory_mb}m"
    return {
        "image": config.image,
        "command": [config.python, "-m", "optiagent_harness.box_server", control_dir],
        "detach": True,
        "network_mode": "none",
        "read_only": True,
        # A Mount, not HostConfig.Tmpfs: those are mounted after the binds and would hide the
        # read-only project mounts that live under /tmp.
        "mounts": [
            docker.types.Mount(
                "/tmp", None, type="tmpfs", tmpfs_size=config.tmpfs_mb * 2**20, tmpfs_mode=0o1777
            )
        ],
        "shm_size": f"{config.tmpfs_mb}m",
        "user": config.user,
        "security_opt": ["no-new-privileges"],
        "cap_drop": ["ALL"],
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(config.cpus * 1e9),
        "pids_limit": shape.max_processes + 1,  # + the job server
        "environment": {"PYTHONPATH": LIB_DIR, "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"},
        "working_dir": "/",
        "volumes": volumes,
        "labels": {
            LABEL: "1",
            OWNER_LABEL: config.owner,
            INSTANCE_LABEL: config.instance,
            DIR_LABEL: control_dir,
        },
    }


class NotDelivered(Exception):
    """The job never reached the server: safe to run it on another container."""


class BoxContainer:
    """A started container whose job server accepted our connection (and will accept no other)."""

    def __init__(self, client: Any, config: BoxConfig, shape: BoxShape, control_dir: Path) -> None:
        self.shape = shape
        self.control_dir = control_dir
        self.jobs = 0
        self.idle_since = time.monotonic()
        self._conn: socket.socket | None = None
        self._container: Any = None
        try:
            self._container = client.containers.run(**container_options(config, shape, str(control_dir)))
            self._conn = self._connect()
        except Exception as error:
            self.close()
            if isinstance(error, SandboxUnavailableError):
                raise
            raise SandboxUnavailableError(f"cannot start a sandbox container: {error}") from error

    @property
    def container_id(self) -> str:
        return str(self._container.id) if self._container is not None else ""

    def _connect(self) -> socket.socket:
        path = self.control_dir / SOCKET_NAME
        deadline = time.monotonic() + _START_TIMEOUT_S
        next_check = time.monotonic() + 0.5
        while not path.exists():
            now = time.monotonic()
            if now > deadline:
                raise SandboxUnavailableError("the sandbox container's job server did not start")
            if now > next_check:  # a container that died will never create the socket
                self._container.reload()
                if self._container.status not in ("created", "running"):
                    logs = self._container.logs(tail=20).decode("utf-8", "replace")
                    raise SandboxUnavailableError(f"the sandbox container exited at start: {logs}")
                next_check = now + 0.5
            time.sleep(0.002)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(path))
        except OSError:
            conn.close()
            raise
        return conn

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """The server's reply, or None when it died or did not answer in time. Raises NotDelivered
        when the request could not even be sent (the server was gone before the job started)."""
        if self._conn is None:
            raise NotDelivered("the container is closed")
        try:
            self._conn.settimeout(min(timeout_s, _ACCEPT_TIMEOUT_S))
            write_message(self._conn, message)
            if message.get("op") != "ping" and read_message(self._conn) is None:
                raise NotDelivered("the job server closed the connection")
        except (OSError, ValueError) as error:
            raise NotDelivered(str(error)) from error
        try:
            self._conn.settimeout(timeout_s)
            reply = read_message(self._conn)
        except (OSError, ValueError):
            return None
        return reply if isinstance(reply, dict) else None

    def healthy(self) -> bool:
        try:
            reply = self.request({"op": "ping"}, timeout_s=5.0)
        except NotDelivered:
            return False
        return bool(reply and reply.get("ok"))

    def close(self) -> None:
        """Kills and removes the container and its control directory; safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None
        if self._container is not None:
            with contextlib.suppress(Exception):  # already gone is fine
                self._container.remove(force=True)
            self._container = None
        remove_tree(self.control_dir)


def remove_tree(path: Path) -> None:
    """Removes a directory a job wrote into, even where the job made entries unwritable."""

    def make_writable(function: Any, name: str, _: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o700)
            function(name)

    if path.exists():
        shutil.rmtree(path, onerror=make_writable)
