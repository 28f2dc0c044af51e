"""Git repositories named by strangers: which URLs are fetched, and how git is run for them.

A `repo_url` is checked twice, at submission (so the client gets a 4xx) and again right before the
fetch: https only (http and file:// only when the operator turns them on), credentials stripped,
optionally a host allow-list, and every address the host resolves to must be public. The fetch
pins git to the addresses that were checked (http.curloptResolve) and follows no redirects, so a
DNS answer that changes, or a redirect to 169.254.169.254, reaches nothing.

git itself runs with an empty private HOME, no system or global configuration, no hooks, only
the allowed protocols, a shallow fetch of one ref, a deadline and a bound on the bytes on disk.
Whatever fails on the network gives one text, so the answers do not map the network.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from optiagent.domain.errors import InputError

FETCH_FAILED = (
    "could not fetch the repository: check that repo_url is a public git repository this server "
    "may reach and that ref names a branch, tag or commit in it"
)
_HOST_REFUSED = "repo_url must name a public host that this server may fetch from"
_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/@+-]{0,250}")
_POLL_S = 0.2


@dataclass(frozen=True)
class RepositoryPolicy:
    """What the operator lets clients fetch (settings `api.*`)."""

    allow_file_urls: bool = False
    allow_http: bool = False  # plain http:// (an internal mirror); https is always allowed
    allow_private_hosts: bool = False  # loopback, private, link-local... (an internal git server)
    allowed_hosts: tuple[str, ...] = ()  # empty: any public host; "*.example.com" matches subdomains
    max_bytes: int = 200 * 2**20  # on disk while fetching and checking out (.git included)
    timeout_s: float = 300.0


@dataclass(frozen=True)
class CheckedUrl:
    """A URL fit to fetch: `url` without credentials, and the addresses git must connect to."""

    url: str
    host: str | None = None
    port: int | None = None
    addresses: tuple[str, ...] = ()


def check_ref(ref: str | None) -> str | None:
    """A branch, tag or commit name that git cannot read as an option or a refspec."""
    if ref is None:
        return None
    if not _REF.fullmatch(ref) or ".." in ref:
        raise InputError("ref must be a branch, tag or commit name (letters, digits, . _ / @ + -)")
    return ref


def strip_credentials(url: str) -> str:
    """`url` without user:password@ (what a job stores and reports)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_repository_url(url: str, policy: RepositoryPolicy) -> CheckedUrl:
    """Refuses (InputError) a URL this server must not fetch; resolves its host."""
    if not url or any(ord(c) < 0x21 or c == "\x7f" for c in url):
        raise InputError("repo_url must be a URL without spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InputError("repo_url is not a valid URL") from error
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not policy.allow_file_urls:
            raise InputError("file:// repository URLs are turned off on this server")
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise InputError("a file:// repo_url must be file:///absolute/path")
        return CheckedUrl(url=f"file://{parts.path}")
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if scheme not in schemes:
        raise InputError("repo_url must be an https:// git URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InputError("repo_url has no host")
    if policy.allowed_hosts and not _listed(host, policy.allowed_hosts):
        raise InputError(_HOST_REFUSED)
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not policy.allow_private_hosts and not all(_public(address) for address in addresses):
        raise InputError(_HOST_REFUSED)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    clean = urlunsplit(SplitResult(scheme, netloc, parts.path, parts.query, ""))
    return CheckedUrl(url=clean, host=host, port=port, addresses=addresses)


def _listed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower()
    for entry in (a.lower().rstrip(".") for a in allowed):
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
    return False


def _resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address of `host`; an unknown host is refused with the same text as a private one."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise InputError(_HOST_REFUSED) from error
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise InputError(_HOST_REFUSED)
    return addresses


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def fetch_repository(url: str, ref: str | None, destination: Path, policy: RepositoryPolicy) -> Path:
    """A checkout of `ref` (default: the default branch) in `destination`, without `.git`."""
    checked = check_repository_url(url, policy)
    check_ref(ref)
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".fetch-", dir=destination.parent))
    home, work = scratch / "home", scratch / "work"
    home.mkdir()
    try:
        git = _Git(home, work, checked, policy)
        git.run("init", "--quiet", "--template=", str(work))
        if not git.fetch(ref or "HEAD", shallow=True) and ref and re.fullmatch(r"[0-9a-f]{7,40}", ref):
            # a commit the server will not send by id alone: fetch the branches, then find it
            if not git.fetch("+refs/heads/*:refs/remotes/origin/*", shallow=False):
                raise InputError(FETCH_FAILED)
            git.run("-C", str(work), "checkout", "--quiet", "--detach", ref)
        elif git.fetched:
            git.run("-C", str(work), "checkout", "--quiet", "--detach", "FETCH_HEAD")
        else:
            raise InputError(FETCH_FAILED)
        shutil.rmtree(work / ".git")
        work.rename(destination)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return destination


class _Git:
    """git for one fetch: a private environment, a deadline and a size bound shared by its runs."""

    def __init__(self, home: Path, work: Path, checked: CheckedUrl, policy: RepositoryPolicy) -> None:
        self.work, self.checked, self.policy = work, checked, policy
        self.deadline = time.monotonic() + policy.timeout_s
        self.fetched = False
        self.environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "GIT_PROTOCOL_FROM_USER": "0",
            "LC_ALL": "C",
        }
        allowed = (
            ["https"] + (["http"] if policy.allow_http else []) + (["file"] if policy.allow_file_urls else [])
        )
        self.options = [
            "-c", "core.hooksPath=/dev/null",
            "-c", "core.fsmonitor=false",
            "-c", "protocol.allow=never",
            *[arg for name in allowed for arg in ("-c", f"protocol.{name}.allow=always")],
            "-c", "http.followRedirects=false",
            "-c", "advice.detachedHead=false",
            "-c", "submodule.recurse=false",
        ]  # fmt: skip
        if checked.host and checked.addresses:
            host = checked.host if ":" not in checked.host else f"[{checked.host}]"
            pinned = ",".join(f"[{a}]" if ":" in a else a for a in checked.addresses)
            self.options += ["-c", f"http.curloptResolve={host}:{checked.port}:{pinned}"]

    def fetch(self, refspec: str, shallow: bool) -> bool:
        depth = ["--depth", "1"] if shallow else []
        args = [
            "-C",
            str(self.work),
            "fetch",
            "--quiet",
            "--no-tags",
            *depth,
            "--",
            self.checked.url,
            refspec,
        ]
        self.fetched = self._run(args) == 0
        return self.fetched

    def run(self, *args: str) -> None:
        if self._run(list(args)) != 0:
            raise InputError(FETCH_FAILED)

    def _run(self, args: list[str]) -> int:
        """git's exit status; its output is never shown (it would name hosts and addresses)."""
        process = subprocess.Popen(
            ["git", *self.options, *args],
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while True:
                try:
                    status = process.wait(timeout=_POLL_S)
                except subprocess.TimeoutExpired:
                    status = None
                # Checked after the run too: a fast fetch can finish before the first poll.
                self._check_size()
                if status is not None:
                    return status
                if time.monotonic() > self.deadline:
                    raise InputError(FETCH_FAILED)  # a slow host and a silent one look alike
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _check_size(self) -> None:
        if _disk_usage(self.work) > self.policy.max_bytes:
            limit_mb = self.policy.max_bytes / 2**20
            raise InputError(f"the repository is larger than {limit_mb:g} MB, this server's limit")


def _disk_usage(directory: Path) -> int:
    total = 0
    for path, _, files in os.walk(directory):
        for name in files:
            try:
                total += os.lstat(os.path.join(path, name)).st_size
            except OSError:
                continue
    return total
