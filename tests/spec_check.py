"""Contract checks: every request an adapter sent to a fake, validated against the platform's
published specification in ../shared/specs (OpenAPI via openapi-core, GraphQL via graphql-core)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crosspost.fake import FakeRequest

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "specs"


@functools.cache
def openapi(spec: Path) -> Any:
    """A parsed OpenAPI document. The Mastodon one has harmless spec-level errata (a default of
    'null' on an integer), so the spec itself is not re-validated; requests still are."""
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_file_path(str(spec), config=Config(spec_validator_cls=None))


def openapi_errors(
    spec: Path, server: str, requests: Iterable[FakeRequest], *, strip: str = ""
) -> list[str]:
    """Every request that does not validate against `spec`, as `METHOD path: why`.

    `server` is the spec's server origin (e.g. "https://dev.to"); the fake's path, minus `strip`,
    is appended to it, so the spec's own `servers` entry decides the base path.
    """
    from openapi_core.testing import MockRequest

    api = openapi(spec)
    problems: list[str] = []
    for request in requests:
        path = (
            request.path[len(strip) :] if strip and request.path.startswith(strip) else request.path
        )
        content_type = request.header("content-type") or "application/json"
        mock = MockRequest(
            server,
            request.method.lower(),
            path,
            args={k: v[-1] for k, v in request.query.items()},
            headers=dict(request.headers),
            data=request.body or None,
            content_type=content_type,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                api.validate_request(mock)
            except Exception as exc:
                detail = getattr(exc, "__cause__", None) or exc
                problems.append(f"{request.method} {request.path}: {exc} {detail}")
    return problems
