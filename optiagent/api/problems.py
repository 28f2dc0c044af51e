"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from optiagent.domain.errors import ConfigError, InputError
from optiagent.ports.store import StoreUnavailableError
from optiagent.services.workspace import ArchiveRefused

PROBLEM = "application/problem+json"


class Problem(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    title = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail} | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every problem response under its real media type, problem+json
    (FastAPI files them under the route's own: JSON, HTML, event stream); FastAPI's 422 schema
    (HTTPValidationError) becomes problem details, as the handler below sends."""
    problem_ref = {"$ref": "#/components/schemas/ProblemDetails"}
    for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            kinds = [kind for kind, body in content.items() if _is_problem(body.get("schema", {}))]
            if status.isdigit() and int(status) >= 400 and kinds:
                for kind in kinds:
                    del content[kind]
                content[PROBLEM] = {"schema": problem_ref}
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema


def _is_problem(schema: dict[str, Any]) -> bool:
    return schema.get("$ref", "").rsplit("/", 1)[-1] in ("ProblemDetails", "HTTPValidationError")


def install(app: FastAPI) -> None:
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media_types(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to adjust it

    @app.exception_handler(Problem)
    async def _problem(_: Request, error: Problem) -> JSONResponse:
        return problem(error.status, error.detail, error.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in error.errors()]
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, f"the request is invalid: {summary}", errors=errors)

    @app.exception_handler(ArchiveRefused)
    async def _archive(_: Request, error: ArchiveRefused) -> JSONResponse:
        return problem(400, f"archive refused: {error}")

    @app.exception_handler(InputError)
    async def _input(_: Request, error: InputError) -> JSONResponse:
        return problem(422, str(error))

    @app.exception_handler(ConfigError)
    async def _config(_: Request, error: ConfigError) -> JSONResponse:
        return problem(422, str(error))

    @app.exception_handler(StoreUnavailableError)
    async def _store(_: Request, error: StoreUnavailableError) -> JSONResponse:
        return problem(503, "the database is unavailable; retry shortly", {"Retry-After": "5"})
