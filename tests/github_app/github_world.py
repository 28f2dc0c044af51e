"""The scenario's repository served by the fake GitHub, and the App's key pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github_app.fake_github import FakeGitHub
from tests.github_app.payloads import REPOSITORY, USER
from tests.github_app.scenario import BASE_SHA, HEAD_SHA, REPO, changed_files, trees

APP_ID = "314159"


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def key_pair() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private, public)


def rest_pull(number: int = 7, head_sha: str = HEAD_SHA) -> dict[str, Any]:
    return {
        "number": number,
        "state": "open",
        "draft": False,
        "title": "Add primes_below",
        "user": USER,
        "labels": [],
        "head": {"ref": "feature/primes", "sha": head_sha, "repo": REPOSITORY},
        "base": {"ref": "main", "sha": BASE_SHA, "repo": REPOSITORY},
    }


def fake_github(keys: KeyPair, pyproject: str | None = None, app_id: str = APP_ID) -> FakeGitHub:
    fake = FakeGitHub(
        app_id=app_id,
        public_key=keys.public_pem,
        installation_id=REPO.installation_id,
        repo=REPO.full_name,
        trees=trees(pyproject) if pyproject is not None else trees(),
        permissions={"maintainer": "write", "alice": "write"},
    )
    fake.pulls[7] = rest_pull()
    readme = {"filename": "README.md", "status": "added", "patch": "@@ -0,0 +1 @@\n+hello"}
    fake.files[7] = [readme] + [
        {"filename": f.path, "status": f.status, "patch": f.patch} for f in changed_files()
    ]
    fake.trees[HEAD_SHA]["README.md"] = "hello\n"
    return fake
