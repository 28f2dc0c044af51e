"""Repositories named by strangers (no services; a real git smart-HTTP server on 127.0.0.1):
which URLs are refused, that git fetches shallowly with no hooks and no redirects, within a size
bound, and that every network failure reads the same."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from optiagent.domain.errors import InputError
from optiagent.services.repositories import (
    FETCH_FAILED,
    RepositoryPolicy,
    check_ref,
    check_repository_url,
    fetch_repository,
    strip_credentials,
)
from optiagent.services.workspace import ArchiveLimits, ArchiveRefused, pack_directory, unpack_archive
from tests.service.git_server import bare_repository, git_http_server
from tests.service.stack import EXAMPLES

STRICT = RepositoryPolicy()
LOCAL = RepositoryPolicy(allow_http=True, allow_private_hosts=True, max_bytes=20 * 2**20, timeout_s=60)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///tmp/repo", "file:// repository URLs are turned off"),
        ("http://example.com/x.git", "https://"),
        ("ssh://git@example.com/x.git", "https://"),
        ("ext::sh -c touch% /tmp/pwned", "https://|spaces"),
        ("https://127.0.0.1/x.git", "public host"),
        ("https://[::1]/x.git", "public host"),
        ("https://[::ffff:127.0.0.1]/x.git", "public host"),
        ("https://169.254.169.254/latest/meta-data", "public host"),
        ("https://10.1.2.3/x.git", "public host"),
        ("https://100.64.0.1/x.git", "public host"),
        ("https://224.0.0.1/x.git", "public host"),
        ("https://0.0.0.0/x.git", "public host"),
        ("https://2130706433/x.git", "public host"),  # 127.0.0.1 spelled as one number
        ("https://localhost/x.git", "public host"),
        ("https://no-such-host.invalid/x.git", "public host"),
    ],
)
def test_urls_a_stranger_may_not_fetch_are_refused(url: str, reason: str) -> None:
    """Only https to public addresses by default; unknown and private hosts get the same text."""
    with pytest.raises(InputError, match=reason):
        check_repository_url(url, STRICT)


def test_the_allow_list_refuses_other_hosts_before_resolving() -> None:
    """With an allow-list, only listed hosts (and *.suffix entries) pass."""
    policy = RepositoryPolicy(allowed_hosts=("git.example.com", "*.corp.example"), allow_private_hosts=True)
    with pytest.raises(InputError, match="public host"):
        check_repository_url("https://127.0.0.1/x.git", policy)
    assert check_repository_url("https://localhost/x.git", replace(policy, allowed_hosts=("localhost",))).host


def test_credentials_are_stripped_and_never_echoed() -> None:
    """user:token@ is removed from what is stored, and refusals do not repeat it."""
    assert strip_credentials("https://alice:s3cret@example.com/x.git") == "https://example.com/x.git"
    with pytest.raises(InputError) as refused:
        check_repository_url("https://alice:s3cret@127.0.0.1/x.git", STRICT)
    assert "s3cret" not in str(refused.value) and "alice" not in str(refused.value)
    checked = check_repository_url("https://alice:s3cret@localhost:8443/x.git", LOCAL)
    assert checked.url == "https://localhost:8443/x.git"


@pytest.mark.parametrize("ref", ["--upload-pack=evil", "+refs/*:refs/*", "a..b", "main:x", " main", ""])
def test_refs_that_git_would_read_as_options_or_refspecs_are_refused(ref: str) -> None:
    """A ref is a name, never an option or a refspec."""
    with pytest.raises(InputError, match="ref must be"):
        check_ref(ref)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, commit) of a real smart-HTTP server holding examples/primes as primes.git."""
    root = tmp_path / "served"
    root.mkdir()
    commit = bare_repository(EXAMPLES / "primes", root, "primes", tag="v1")
    with git_http_server(root) as url:
        yield url, commit


@pytest.mark.parametrize("ref", [None, "main", "v1", "commit"])
def test_a_fetch_is_a_shallow_checkout_of_the_ref(
    served: tuple[str, str], tmp_path: Path, ref: str | None
) -> None:
    """The default branch, a branch, an annotated tag and a commit id all check out, without .git."""
    url, commit = served
    checkout = fetch_repository(
        f"{url}/primes.git", commit if ref == "commit" else ref, tmp_path / "out", LOCAL
    )
    assert (checkout / "ex_primes.py").read_bytes() == (EXAMPLES / "primes" / "ex_primes.py").read_bytes()
    assert not (checkout / ".git").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fetch-")] == []


def test_planted_git_configuration_and_hooks_do_not_run(
    served: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .gitconfig planted in the shared temporary directory (the old HOME) or in the real HOME
    runs nothing: git gets a private empty HOME, no system or global config and no hooks."""
    marker = tmp_path / "hook-ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("post-checkout", "reference-transaction", "post-merge"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
        hook.chmod(0o755)
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    for home in (shared, tmp_path / "home"):
        home.mkdir(exist_ok=True)
        (home / ".gitconfig").write_text(f"[core]\n\thooksPath = {hooks}\n")
    monkeypatch.setenv("TMPDIR", str(shared))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr("tempfile.tempdir", None)
    url, _ = served
    fetch_repository(f"{url}/primes.git", None, tmp_path / "out", LOCAL)
    assert not marker.exists()


def test_a_repository_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    """The fetch is stopped once the bytes on disk pass the limit, and nothing stays behind."""
    source = tmp_path / "big"
    source.mkdir()
    (source / "blob.bin").write_bytes(os.urandom(3 * 2**20))
    root = tmp_path / "served"
    root.mkdir()
    bare_repository(source, root, "big")
    with git_http_server(root) as url, pytest.raises(InputError, match="larger than 1 MB"):
        fetch_repository(f"{url}/big.git", None, tmp_path / "jobs" / "out", replace(LOCAL, max_bytes=2**20))
    assert list((tmp_path / "jobs").iterdir()) == []


def test_redirects_are_not_followed(served: tuple[str, str], tmp_path: Path) -> None:
    """A redirect (here towards a metadata address) ends the fetch with the generic text."""
    url, _ = served
    with pytest.raises(InputError) as refused:
        fetch_repository(f"{url}/redirect/primes.git", None, tmp_path / "out", LOCAL)
    assert str(refused.value) == FETCH_FAILED


def test_network_failures_all_read_the_same(served: tuple[str, str], tmp_path: Path) -> None:
    """A closed port, a missing repository, a missing ref and a host that never answers give one
    text: the answers do not map the network."""
    url, _ = served
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never answers
    cases = [
        (f"http://127.0.0.1:{closed}/x.git", None, LOCAL),
        (f"{url}/missing.git", None, LOCAL),
        (f"{url}/primes.git", "no-such-branch", LOCAL),
        (f"http://127.0.0.1:{silent.getsockname()[1]}/x.git", None, replace(LOCAL, timeout_s=2)),
    ]
    messages = set()
    try:
        for index, (repo, ref, policy) in enumerate(cases):
            with pytest.raises(InputError) as failed:
                fetch_repository(repo, ref, tmp_path / f"out{index}", policy)
            messages.add(str(failed.value))
    finally:
        silent.close()
    assert messages == {FETCH_FAILED}


def test_file_urls_work_only_when_the_operator_allows_them(tmp_path: Path) -> None:
    """file:// is refused by default and fetched when `allow_file_urls` is set."""
    root = tmp_path / "served"
    root.mkdir()
    bare_repository(EXAMPLES / "primes", root, "primes")
    url = f"file://{root / 'primes.git'}"
    with pytest.raises(InputError, match="turned off"):
        fetch_repository(url, None, tmp_path / "a", STRICT)
    checkout = fetch_repository(url, "main", tmp_path / "b", RepositoryPolicy(allow_file_urls=True))
    assert (checkout / "ex_primes.py").is_file()


def test_git_on_this_machine_knows_the_pinning_option() -> None:
    """http.curloptResolve (git >= 2.37) is what pins a fetch to the checked addresses."""
    version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(x) for x in version.split()[2].split(".")[:2])
    assert (major, minor) >= (2, 37)


def test_a_repository_whose_links_leave_it_never_becomes_a_workspace(tmp_path: Path) -> None:
    """git checks out a link to /etc as a link; the job's archive made from it is refused where the
    worker unpacks it, so nothing outside the checkout is ever read or written through it."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.py").write_text("x = 1\n")
    (source / "etc").symlink_to("/etc")
    root = tmp_path / "served"
    root.mkdir()
    bare_repository(source, root, "links")
    checkout = fetch_repository(
        f"file://{root / 'links.git'}", None, tmp_path / "out", RepositoryPolicy(allow_file_urls=True)
    )
    assert (checkout / "etc").is_symlink()
    with pytest.raises(ArchiveRefused, match="'etc' points outside"):
        unpack_archive(pack_directory(checkout), tmp_path / "job", ArchiveLimits())
    assert not (tmp_path / "job").exists()
