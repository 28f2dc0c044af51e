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

from optiagent.adapters.sandbox.docker_image import DEPS_MOUNT, HARNESS_MOUNT, HARNESS_ONLY_DIR, LIB_DIR
from optiagent.harness.box_server import BOX_DIR, SOCKET_NAME, read_message, recv_exact, write_message
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

    readonly: tuple[tuple[str, str], ...]  # (host source, path in the box), mounted read-only: dirs or files
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
    disk_mb: int  # the size of BOX_DIR: a job's work dir, stdout and stderr
    user: str
    owner: str
    instance: str  # one DockerSandbox


def container_options(config: BoxConfig, shape: BoxShape, control_dir: str) -> dict[str, Any]:
    """The hardening: no network, read-only root, no capabilities, no privilege gain, bounded
    memory (no swap), CPU and pids, an unprivileged user, code and the control directory mounted
    read-only: a job writes only to tmpfs of bounded size (/tmp, and BOX_DIR, its disk quota)."""
    volumes: dict[str, dict[str, str]] = {
        source: {"bind": path, "mode": "ro"} for source, path in shape.readonly
    }
    volumes[config.harness_dir] = {"bind": HARNESS_MOUNT, "mode": "ro"}
    if config.deps_dir:
        volumes[config.deps_dir] = {"bind": DEPS_MOUNT, "mode": "ro"}
    volumes[control_dir] = {"bind": control_dir, "mode": "ro"}
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
            ),
            docker.types.Mount(
                BOX_DIR, None, type="tmpfs", tmpfs_size=config.disk_mb * 2**20, tmpfs_mode=0o1777
            ),
            # The harness source once more (a `volumes` key names each source once), alone.
            docker.types.Mount(
                f"{HARNESS_ONLY_DIR}/optiagent_harness", config.harness_dir, type="bind", read_only=True
            ),
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


def _listen(path: Path, user: str) -> socket.socket:
    """The socket the box's job server connects to; only the box's user (and root) may connect."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        os.chmod(path, 0o600)
        if os.getuid() == 0:
            uid, _, gid = user.partition(":")
            os.chown(path, int(uid), int(gid or uid))
        listener.listen(1)
    except OSError:
        listener.close()
        raise
    return listener


class NotDelivered(Exception):
    """The job never reached the server: safe to run it on another container."""


class BoxContainer:
    """A started container whose job server connected to us: the only connection we accept."""

    def __init__(self, client: Any, config: BoxConfig, shape: BoxShape, control_dir: Path) -> None:
        self.shape = shape
        self.control_dir = control_dir
        self.jobs = 0
        self.idle_since = time.monotonic()
        self._conn: socket.socket | None = None
        self._container: Any = None
        listener: socket.socket | None = None
        try:
            listener = _listen(control_dir / SOCKET_NAME, config.user)
            self._container = client.containers.run(**container_options(config, shape, str(control_dir)))
            self._conn = self._accept(listener)
        except Exception as error:
            self.close()
            if isinstance(error, SandboxUnavailableError):
                raise
            raise SandboxUnavailableError(f"cannot start a sandbox container: {error}") from error
        finally:
            if listener is not None:  # one connection, ever: nothing in the box can make a second
                listener.close()
                with contextlib.suppress(OSError):
                    (control_dir / SOCKET_NAME).unlink()

    @property
    def container_id(self) -> str:
        return str(self._container.id) if self._container is not None else ""

    def _accept(self, listener: socket.socket) -> socket.socket:
        deadline = time.monotonic() + _START_TIMEOUT_S
        listener.settimeout(0.5)
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                pass
            else:
                conn.settimeout(None)
                return conn
            if time.monotonic() > deadline:
                raise SandboxUnavailableError("the sandbox container's job server did not start")
            self._container.reload()  # a container that died will never connect
            if self._container.status not in ("created", "running"):
                logs = self._container.logs(tail=20).decode("utf-8", "replace")
                raise SandboxUnavailableError(f"the sandbox container exited at start: {logs}")

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """The server's reply (a job's also with its `outputs`: (kind, name) -> bytes), or None when
        it died or did not answer in time. Raises NotDelivered when the request could not even be
        sent (the server was gone before the job started)."""
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
            if isinstance(reply, dict) and message.get("op") != "ping":
                reply["outputs"] = self._outputs()
        except (OSError, ValueError):
            return None
        return reply if isinstance(reply, dict) else None

    def _outputs(self) -> dict[tuple[str, str], bytes]:
        """The frames after a job's reply: a header each, its bytes, then an end marker."""
        assert self._conn is not None
        outputs: dict[tuple[str, str], bytes] = {}
        while True:
            header = read_message(self._conn)
            if not isinstance(header, dict):
                raise ValueError("the job server stopped while sending outputs")
            if header.get("end"):
                return outputs
            data = recv_exact(self._conn, int(header["size"]))
            if data is None:
                raise ValueError("the job server stopped while sending outputs")
            outputs[(str(header["kind"]), str(header["name"]))] = data

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
