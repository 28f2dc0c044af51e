"""A fake GitHub REST API on 127.0.0.1 over real HTTP, checking what GitHub checks.

- the token route takes only an RS256 JWT of the App (iss = app id, iat/exp within ten minutes) and
  mints installation tokens scoped to the repositories asked for; other routes take only such a
  token, for its own repositories;
- a check run's summary and text are at most 65,535 characters, at most 50 annotations a request,
  conclusion among GitHub's;
- review comments only on RIGHT-side lines inside the pull request's diff (422 otherwise), commit_id
  the head;
- refs are written only under refs/heads/optiagent/ (anything else is recorded as a violation);
- lists are paged with `Link` (a small page size, whatever per_page asks);
- faults are injected once each (a 403 with retry-after, a 502).

Everything written is recorded for the tests' assertions.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
import tarfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from optiagent.github_app.hunks import diff_lines
from tests.service.stack import free_port

MAX_CHARS = 65_535
CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
}


@dataclass
class Fault:
    method: str
    pattern: str
    status: int
    headers: dict[str, str]
    hits: int = 0


@dataclass
class FakeGitHub:
    app_id: str
    public_key: str
    installation_id: int
    repo: str  # owner/name
    trees: dict[str, dict[str, str]]  # sha -> path -> text
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)  # REST-shaped pull requests
    files: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    page_size: int = 1
    tokens: dict[str, set[str]] = field(default_factory=dict)  # token -> repositories it may touch
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # refs/heads/... -> commit sha
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened: dict[int, dict[str, Any]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    _ids: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def inject(self, method: str, pattern: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.append(Fault(method, pattern, status, headers or {}))

    def events(self, check_id: int) -> list[dict[str, Any]]:
        history: list[dict[str, Any]] = self.check_runs[check_id]["history"]
        return history


def create_app(fake: FakeGitHub) -> FastAPI:
    app = FastAPI()
    base = f"/repos/{fake.repo}"

    def refuse(status: int, message: str) -> JSONResponse:
        return JSONResponse({"message": message, "documentation_url": "https://docs.github.com/rest"}, status)

    @app.middleware("http")
    async def checks(request: Request, call_next: Any) -> Any:
        path, method = request.url.path, request.method
        fake.requests.append(f"{method} {path}")
        for fault in fake.faults:
            if fault.hits == 0 and fault.method == method and re.fullmatch(fault.pattern, path):
                fault.hits += 1
                return JSONResponse({"message": "injected"}, fault.status, headers=fault.headers)
        if path.startswith("/_codeload/"):
            return await call_next(request)  # a redirect target, as codeload's signed URLs
        auth = request.headers.get("authorization", "")
        if path.startswith("/app/"):
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer":
                return refuse(401, "A JSON web token could not be decoded")
            try:
                claims = jwt.decode(
                    token, fake.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]}
                )
            except jwt.PyJWTError as error:
                return refuse(401, f"A JSON web token could not be decoded: {error}")
            now = time.time()
            if (
                str(claims["iss"]) != fake.app_id
                or claims["iat"] > now + 60
                or claims["exp"] - claims["iat"] > 660
            ):
                fake.violations.append(f"bad JWT claims {claims}")
                return refuse(401, "'Expiration time' claim ('exp') is too far in the future")
            return await call_next(request)
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("token", "bearer") or fake.repo not in fake.tokens.get(token, set()):
            fake.violations.append(f"{method} {path} without a token for {fake.repo}")
            return refuse(401, "Bad credentials")
        return await call_next(request)

    def page(request: Request, items: list[Any]) -> JSONResponse:
        number = int(request.query_params.get("page", "1"))
        size = min(fake.page_size, int(request.query_params.get("per_page", "30")))
        chunk = items[(number - 1) * size : number * size]
        headers = {}
        if number * size < len(items):
            query = dict(request.query_params) | {"page": str(number + 1)}
            url = request.url.replace_query_params(**query)
            headers["Link"] = f'<{url}>; rel="next"'
        return JSONResponse(chunk, headers=headers)

    @app.post("/app/installations/{installation_id}/access_tokens", status_code=201)
    async def access_token(installation_id: int, request: Request) -> Any:
        body = await request.json()
        fake.token_requests.append(body)
        if installation_id != fake.installation_id:
            return refuse(404, "Not Found")
        names = body.get("repositories")
        if not names:
            fake.violations.append("an installation token for every repository")
        scoped = {f"{fake.repo.split('/')[0]}/{name}" for name in names or [fake.repo.split("/")[1]]}
        token = "ghs_" + secrets.token_hex(16)
        fake.tokens[token] = scoped
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return JSONResponse(
            {
                "token": token,
                "expires_at": expires,
                "permissions": {"checks": "write"},
                "repository_selection": "selected",
            },
            201,
        )

    @app.get(base + "/pulls/{number}")
    async def pull(number: int) -> Any:
        return fake.pulls[number] if number in fake.pulls else refuse(404, "Not Found")

    @app.get(base + "/pulls/{number}/files")
    async def pull_files(number: int, request: Request) -> Any:
        return page(request, fake.files.get(number, []))

    @app.get(base + "/pulls")
    async def find_pulls(request: Request) -> Any:
        head = request.query_params.get("head", "").split(":", 1)[-1]
        found = [p for p in fake.opened.values() if p["head"]["ref"] == head and p["state"] == "open"]
        return page(request, found)

    @app.post(base + "/pulls", status_code=201)
    async def open_pull(request: Request) -> Any:
        body = await request.json()
        if f"refs/heads/{body['head']}" not in fake.refs:
            return refuse(422, "Validation Failed: head does not exist")
        number = 2000 + len(fake.opened)
        fake.opened[number] = {"number": number, "state": "open", "title": body["title"], "body": body.get("body"),
                               "head": {"ref": body["head"]}, "base": {"ref": body["base"]}}  # fmt: skip
        return JSONResponse(fake.opened[number], 201)

    @app.patch(base + "/pulls/{number}")
    async def edit_pull(number: int, request: Request) -> Any:
        if number not in fake.opened:
            fake.violations.append(f"edited pull request {number}, not one of optiagent's")
            return refuse(403, "Resource not accessible by integration")
        fake.opened[number] |= await request.json()
        return fake.opened[number]

    @app.get(base + "/contents/{path:path}")
    async def contents(path: str, ref: str) -> Any:
        text = fake.trees.get(ref, {}).get(path)
        if text is None:
            return refuse(404, "Not Found")
        return {
            "type": "file",
            "encoding": "base64",
            "path": path,
            "content": base64.b64encode(text.encode()).decode(),
        }

    @app.get(base + "/tarball/{sha}")
    async def tarball(sha: str) -> Any:
        return RedirectResponse(f"/_codeload/{fake.repo}/legacy.tar.gz/{sha}", 302)

    @app.get("/_codeload/{owner}/{name}/legacy.tar.gz/{sha}")
    async def codeload(owner: str, name: str, sha: str) -> Any:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for path, text in fake.trees[sha].items():
                data = text.encode()
                info = tarfile.TarInfo(f"{owner}-{name}-{sha[:7]}/{path}")
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
        return Response(buffer.getvalue(), media_type="application/x-gzip")

    @app.get(base + "/collaborators/{user}/permission")
    async def permission(user: str) -> Any:
        level = fake.permissions.get(user, "read")
        return {"permission": level, "role_name": level, "user": {"login": user}}

    @app.post(base + "/issues/comments/{comment_id}/reactions", status_code=201)
    async def react(comment_id: int, request: Request) -> Any:
        fake.reactions.append({"comment_id": comment_id, **(await request.json())})
        return JSONResponse({"id": fake.next_id()}, 201)

    @app.get(base + "/issues/{number}/comments")
    async def list_comments(number: int, request: Request) -> Any:
        return page(request, [c for c in fake.comments.values() if c["issue"] == number])

    @app.post(base + "/issues/{number}/comments", status_code=201)
    async def add_comment(number: int, request: Request) -> Any:
        body = (await request.json())["body"]
        if len(body) > MAX_CHARS:
            return refuse(422, "body is too long (maximum is 65536 characters)")
        comment = {
            "id": fake.next_id(),
            "issue": number,
            "body": body,
            "edits": 0,
            "user": {"login": "optiagent[bot]"},
        }
        fake.comments[comment["id"]] = comment
        return JSONResponse(comment, 201)

    @app.patch(base + "/issues/comments/{comment_id}")
    async def edit_comment(comment_id: int, request: Request) -> Any:
        body = (await request.json())["body"]
        if comment_id not in fake.comments:
            return refuse(404, "Not Found")
        if len(body) > MAX_CHARS:
            return refuse(422, "body is too long (maximum is 65536 characters)")
        fake.comments[comment_id] |= {"body": body, "edits": fake.comments[comment_id]["edits"] + 1}
        return fake.comments[comment_id]

    def check_problems(body: dict[str, Any]) -> str | None:
        output = body.get("output") or {}
        if any(len(output.get(key) or "") > MAX_CHARS for key in ("summary", "text")):
            return "output.summary/text is too long (maximum is 65535 characters)"
        if len(output.get("annotations") or []) > 50:
            return "at most 50 annotations per request"
        if body.get("status") == "completed" and body.get("conclusion") not in CONCLUSIONS:
            return "conclusion is required when status is completed"
        if "conclusion" in body and body["conclusion"] not in CONCLUSIONS:
            return f"conclusion {body['conclusion']} is not valid"
        for action in body.get("actions") or []:
            if len(action["label"]) > 20 or len(action["description"]) > 40 or len(action["identifier"]) > 20:
                return "an action's label, description or identifier is too long"
        return None

    @app.post(base + "/check-runs", status_code=201)
    async def create_check(request: Request) -> Any:
        body = await request.json()
        problem = check_problems(body)
        if problem:
            fake.violations.append(problem)
            return refuse(422, problem)
        check_id = fake.next_id()
        fake.check_runs[check_id] = {"head_sha": body["head_sha"], "name": body["name"], "history": [body]}
        return JSONResponse({"id": check_id, **body}, 201)

    @app.patch(base + "/check-runs/{check_id}")
    async def update_check(check_id: int, request: Request) -> Any:
        body = await request.json()
        problem = check_problems(body)
        if problem:
            fake.violations.append(problem)
            return refuse(422, problem)
        fake.check_runs[check_id]["history"].append(body)
        return {"id": check_id}

    @app.post(base + "/pulls/{number}/reviews")
    async def review(number: int, request: Request) -> Any:
        body = await request.json()
        pull = fake.pulls[number]
        if body.get("commit_id") != pull["head"]["sha"] or body.get("event") != "COMMENT":
            return refuse(422, "commit_id must be the head and event COMMENT")
        lines = {f["filename"]: diff_lines(f.get("patch")) for f in fake.files.get(number, [])}
        for comment in body.get("comments") or []:
            wanted = range(comment.get("start_line") or comment["line"], comment["line"] + 1)
            if (
                comment.get("side") != "RIGHT"
                or comment["path"] not in lines
                or not all(n in lines[comment["path"]].in_hunks for n in wanted)
            ):
                return refuse(
                    422, "Unprocessable Entity: pull_request_review_thread.line must be part of the diff"
                )
        fake.reviews.append({"pr": number, **body})
        return {"id": fake.next_id(), "state": "COMMENTED"}

    @app.get(base + "/git/commits/{sha}")
    async def commit(sha: str) -> Any:
        if sha in fake.trees:
            return {"sha": sha, "tree": {"sha": f"tree-{sha}"}}
        return refuse(404, "Not Found")

    @app.post(base + "/git/trees", status_code=201)
    async def tree(request: Request) -> Any:
        body = await request.json()
        parent = body["base_tree"].removeprefix("tree-")
        content = dict(fake.trees[parent]) | {entry["path"]: entry["content"] for entry in body["tree"]}
        sha = secrets.token_hex(20)
        fake.trees[sha] = content
        return JSONResponse({"sha": f"tree-{sha}"}, 201)

    @app.post(base + "/git/commits", status_code=201)
    async def new_commit(request: Request) -> Any:
        body = await request.json()
        sha = body["tree"].removeprefix("tree-")  # the commit is named by its tree here
        fake.commits[sha] = body
        return JSONResponse({"sha": sha}, 201)

    def writable(ref: str) -> bool:
        if not ref.startswith("refs/heads/optiagent/"):
            fake.violations.append(f"wrote {ref}")
            return False
        return True

    @app.patch(base + "/git/refs/{ref:path}")
    async def move_ref(ref: str, request: Request) -> Any:
        full = f"refs/{ref}"
        if not writable(full):
            return refuse(403, "refusing to write outside optiagent/")
        if full not in fake.refs:
            return refuse(422, "Reference does not exist")
        fake.refs[full] = (await request.json())["sha"]
        return {"ref": full}

    @app.post(base + "/git/refs", status_code=201)
    async def create_ref(request: Request) -> Any:
        body = await request.json()
        if not writable(body["ref"]):
            return refuse(403, "refusing to write outside optiagent/")
        if body["ref"] in fake.refs:
            return refuse(422, "Reference already exists")
        fake.refs[body["ref"]] = body["sha"]
        return JSONResponse({"ref": body["ref"]}, 201)

    return app


class Served:
    """The fake on a free port of 127.0.0.1, in a thread of the test process."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(fake), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake GitHub did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
