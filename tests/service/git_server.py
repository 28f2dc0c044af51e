"""A real smart-HTTP git server for tests: `git http-backend` behind http.server on 127.0.0.1,
serving the bare repositories under a directory, plus `/redirect/...` that answers 302."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

IDENTITY = ["-c", "user.email=tests@example.com", "-c", "user.name=tests"]


def bare_repository(source: Path, root: Path, name: str, tag: str | None = None) -> str:
    """A bare repository `root/name.git` with one commit of `source`'s files; returns the commit."""
    work = root / f"{name}-work"
    shutil.copytree(source, work, symlinks=True)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*IDENTITY, "commit", "-qm", "code"]):
        subprocess.run(["git", *args], cwd=work, check=True, capture_output=True)
    if tag:
        subprocess.run(["git", *IDENTITY, "tag", "-a", tag, "-m", tag], cwd=work, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=work, check=True, capture_output=True, text=True
    )
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / f"{name}.git")], check=True)
    shutil.rmtree(work)
    return commit.stdout.strip()


def _handler(root: Path, redirect_to: str) -> type[BaseHTTPRequestHandler]:
    class GitHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            path, _, query = self.path.partition("?")
            if path.startswith("/redirect/"):
                self.send_response(302)
                self.send_header("Location", redirect_to + path.removeprefix("/redirect") + "?" + query)
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "REMOTE_ADDR": "127.0.0.1",
            }
            done = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            )
            head, _, payload = done.stdout.partition(b"\r\n\r\n")
            status = 200
            headers = []
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return GitHandler


@contextmanager
def git_http_server(root: Path, redirect_to: str = "http://169.254.169.254") -> Iterator[str]:
    """Serves `root`'s bare repositories; yields the base URL (http://127.0.0.1:PORT)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root, redirect_to))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
