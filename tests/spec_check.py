"""Contract checks: every request an adapter sent to a fake, validated against the platform's
published specification in ../shared/specs (OpenAPI via openapi-core, GraphQL via graphql-core)."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Iterable, Mapping
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


FOREM_ERRATA: Mapping[str, Any] = {
    "components/schemas/Article/properties/article/properties/tags": {
        "type": "array",
        "items": {"type": "string"},
    },
}
"""api_v1.json types `tags` as a string; Forem permits it only as an array (strong parameters
`tags: []` in forem/forem app/controllers/api/v1/articles_controller.rb; api_v0.yml and Forem's
request specs send arrays; forem/forem#4073; NOTES.md §1). The platform wins over its doc."""


def corrected(spec: Path, errata: Mapping[str, Any]) -> Any:
    """`spec` with each `errata` path (slash-separated keys) replaced, as an OpenAPI object."""
    from openapi_core import Config, OpenAPI

    document = json.loads(spec.read_text("utf-8"))
    for path, value in errata.items():
        *parents, last = path.split("/")
        node = document
        for key in parents:
            node = node[key]
        assert last in node, f"erratum {path} names nothing in {spec.name}"
        node[last] = value
    return OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))


def openapi_errors(
    spec: Path,
    server: str,
    requests: Iterable[FakeRequest],
    *,
    strip: str = "",
    errata: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every request that does not validate against `spec`, as `METHOD path: why`.

    `server` is the spec's server origin (e.g. "https://dev.to"); the fake's path, minus `strip`,
    is appended to it, so the spec's own `servers` entry decides the base path. `errata`
    corrects the spec where the platform's own code says otherwise (see `FOREM_ERRATA`).
    """
    from openapi_core.testing import MockRequest

    api = corrected(spec, errata) if errata else openapi(spec)
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
