"""The REST API over HTTP (uvicorn on 127.0.0.1, real Postgres and Redis): auth, problem+json,
uploads refused for what they are, idempotency, cancel, OpenAPI. No worker runs here, so jobs stay
queued."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import httpx

from tests.service.stack import EXAMPLES, Client, tar_gz

PROBLEM = "application/problem+json"


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _file(name: str, data: bytes = b"x = 1\n") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def test_health_needs_no_token(api: str) -> None:
    response = httpx.get(f"{api}/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_openapi_documents_the_versioned_routes(api: str) -> None:
    paths = httpx.get(f"{api}/openapi.json").json()["paths"]
    for path in ("/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/report", "/v1/jobs/{job_id}/events"):
        assert path in paths
    assert {"multipart/form-data", "application/json"} <= set(
        paths["/v1/jobs"]["post"]["requestBody"]["content"]
    )


def test_missing_or_forged_tokens_get_401_problems(api: str, token: str) -> None:
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Bearer oat_nope"}):
        for method, path in (("GET", "/v1/jobs/x"), ("POST", "/v1/jobs"), ("GET", "/v1/edits")):
            response = httpx.request(method, f"{api}{path}", headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["status"] == 401


def test_unknown_job_is_a_404_problem(client: Client) -> None:
    response = client.http.get("/v1/jobs/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_archive_job_is_queued_and_readable(client: Client) -> None:
    response = client.submit_archive(tar_gz(EXAMPLES / "primes"), budget="2", workload="python workload.py")
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "queued"
    job = client.job(created["id"])
    assert job["status"] in ("queued", "running")
    assert job["progress"] == {"targets_done": 0, "targets_total": None}
    assert job["repo"] == "archive:default/project.tar.gz"  # the tenant's namespace, then the name
    report = client.http.get(f"/v1/jobs/{created['id']}/report")
    assert report.status_code == 409 and report.headers["content-type"] == PROBLEM
    client.http.post(f"/v1/jobs/{created['id']}/cancel")  # spare the workers of later tests


def test_idempotency_key_returns_the_same_job(client: Client, tmp_path: Path) -> None:
    body = {"repo_url": "file:///nonexistent/repo", "ref": "main"}
    first = client.submit_git(body, key="same-key")
    again = client.submit_git(body, key="same-key")
    other = client.submit_git(body, key="other-key")
    assert first.status_code == again.status_code == other.status_code == 201
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]


def test_cancel_ends_a_queued_job(client: Client) -> None:
    job_id = client.submit_git({"repo_url": "file:///nonexistent/repo"}).json()["id"]
    response = client.http.post(f"/v1/jobs/{job_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert client.job(job_id)["status"] == "cancelled"
    assert client.http.post(f"/v1/jobs/{job_id}/cancel").status_code == 409


def test_bad_submissions_are_clear_4xx(client: Client) -> None:
    cases = [
        client.http.post("/v1/jobs", content=b"hello", headers={"content-type": "text/plain"}),
        client.submit_git({"repo_url": "ssh://example.com/x.git"}),
        client.submit_git({"repo_url": "https://example.com/x.git", "ref": "--upload-pack=evil"}),
        client.submit_git({"ref": "main"}),
        client.submit_git({"repo_url": "https://example.com/x.git", "strategies": ["nonsense"]}),
        client.submit_archive(tar_gz(EXAMPLES / "primes"), min_speedup="-1"),
        client.http.post("/v1/jobs", files={"other": ("a.tgz", b"x")}),
    ]
    statuses = [response.status_code for response in cases]
    assert statuses == [415, 422, 422, 422, 422, 422, 422]
    for response in cases:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"]


def test_malicious_archives_are_refused_and_nothing_is_written(client: Client, tmp_path: Path) -> None:
    outside = tmp_path / "escaped.txt"
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("big.txt", b"\0" * (210 * 2**20))  # compresses to ~200 KB, unpacks past the limit
    many = _tar([_file(f"f{i}.py") for i in range(5001)])
    archives = {
        "traversal": _tar([_file(f"../../../../../../{outside}")]),
        "absolute": _tar([_file(str(outside))]),
        "symlink outside": _tar([_link("evil", "/etc")]),
        "symlink climbing": _tar([_link("pkg/evil", "../../..")]),
        "write through a link": _tar([_link("inner", "."), _file("inner/../x.py")]),
        "hard link": _tar([_file("a.py"), _link("b.py", "a.py", tarfile.LNKTYPE)]),
        "zip bomb": zip_buffer.getvalue(),
        "too many files": many,
        "not an archive": b"just some text",
        "empty": _tar([]),
    }
    archives["device"] = _tar([_device()])  # a character device node
    for name, data in archives.items():
        response = client.submit_archive(data)
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert response.headers["content-type"] == PROBLEM, name
        assert response.json()["detail"], name
    assert not outside.exists()


def test_oversized_upload_is_413(client: Client) -> None:
    response = client.submit_archive(b"\x1f\x8b" + b"\0" * (22 * 2**20))
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_edits_filter_validation(client: Client) -> None:
    assert client.http.get("/v1/edits", params={"repo": "nothing-here"}).json() == []
    naive = client.http.get("/v1/edits", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert client.http.get("/v1/edits", params={"since": "2026-01-01T00:00:00Z"}).status_code == 200


def _device() -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo("dev")
    info.type = tarfile.CHRTYPE
    return info, None
