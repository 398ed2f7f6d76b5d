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


# --------------------------------------------------------------------------- AT Protocol lexicons

LEXICONS = SPECS / "bluesky" / "lexicons"
_LEX_FORMATS = {  # atproto.com/specs/lexicon "String Formats" (the ones the adapter sends)
    "did": r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$",
    "handle": r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]"
    r"([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$",
    "nsid": r"^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+$",
    "record-key": r"^(?!\.{1,2}$)[a-zA-Z0-9_~.:-]{1,512}$",
    "cid": r"^[a-zA-Z0-9+=]{8,256}$",
    "uri": r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$",
    "at-uri": r"^at://\S+$",
    "datetime": r"^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9]"
    r"(\.[0-9]{1,20})?(Z|[+-][0-2][0-9]:[0-5][0-9])$",
    "language": r"^(i|[a-zA-Z]{2,3})(-[a-zA-Z0-9]+)*$",
}


@functools.cache
def lexicon(nsid: str) -> dict[str, Any]:
    """The lexicon document of `nsid` from ../shared/specs/bluesky/lexicons."""
    import json

    path = LEXICONS.joinpath(*nsid.split(".")).with_suffix(".json")
    return dict(json.loads(path.read_text("utf-8")))


def _lex_def(ref: str, context: str) -> dict[str, Any]:
    nsid, _, name = ref.partition("#")
    return dict(lexicon(nsid or context)["defs"][name or "main"])


def _lex_errors(value: Any, schema: dict[str, Any], where: str, context: str) -> list[str]:
    """Why `value` does not validate against a lexicon `schema` (empty when it does)."""
    import regex

    kind = schema.get("type")
    if kind == "ref":
        target = schema["ref"]
        nsid = target.split("#")[0] or context
        return _lex_errors(value, _lex_def(target, context), where, nsid)
    if kind == "union":
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            return [f"{where} must be an object with $type"]
        refs = [r if "#" in r or "." in r else f"{context}{r}" for r in schema["refs"]]
        match = [
            r
            for r in refs
            if r.removesuffix("#main") == value["$type"].removesuffix("#main")
            or (r.startswith("#") and f"{context}{r}" == value["$type"])
        ]
        if not match:
            return [] if not schema.get("closed") else [f"{where} has an unknown $type"]
        return _lex_errors(value, {"type": "ref", "ref": match[0]}, where, context)
    if kind in ("object", "params"):
        if not isinstance(value, dict):
            return [f"{where} must be an object"]
        problems = [f"{where} must have {k}" for k in schema.get("required", []) if k not in value]
        nullable = set(schema.get("nullable", []))
        for key, sub in schema.get("properties", {}).items():
            if key not in value or (value[key] is None and key in nullable):
                continue
            problems += _lex_errors(value[key], sub, f"{where}/{key}", context)
        return problems
    if kind == "record":
        return _lex_errors(value, schema["record"], where, context)
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where} must be a string"]
        problems = []
        if "maxLength" in schema and len(value.encode("utf-8")) > schema["maxLength"]:
            problems.append(f"{where} is longer than {schema['maxLength']} bytes")
        graphemes = len(regex.findall(r"\X", value))
        if "maxGraphemes" in schema and graphemes > schema["maxGraphemes"]:
            problems.append(f"{where} is longer than {schema['maxGraphemes']} graphemes")
        fmt = schema.get("format")
        if fmt == "at-identifier":
            ok = any(regex.match(_LEX_FORMATS[f], value) for f in ("did", "handle"))
        else:
            ok = fmt not in _LEX_FORMATS or bool(regex.match(_LEX_FORMATS[fmt], value))
        if not ok:
            problems.append(f"{where} is not a valid {fmt}")
        return problems
    if kind == "integer":
        if isinstance(value, str) and value.lstrip("-").isdigit():  # query parameters
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where} must be an integer"]
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return [f"{where} is out of range"]
        return []
    if kind == "boolean":
        ok = isinstance(value, bool) or value in ("true", "false")
        return [] if ok else [f"{where} must be a boolean"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where} must be an array"]
        problems = []
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where} has more than {schema['maxLength']} items")
        for n, item in enumerate(value):
            problems += _lex_errors(item, schema["items"], f"{where}/{n}", context)
        return problems
    if kind == "blob":
        if not isinstance(value, dict) or value.get("$type") != "blob":
            return [f"{where} must be a blob"]
        problems = []
        mime = str(value.get("mimeType", ""))
        if not any(
            a == mime or (a.endswith("/*") and mime.startswith(a[:-1]))
            for a in schema.get("accept", ["*/*"])
        ) and "*/*" not in schema.get("accept", []):
            problems.append(f"{where} has a type ({mime}) the lexicon does not accept")
        if "maxSize" in schema and int(value.get("size", 0)) > schema["maxSize"]:
            problems.append(f"{where} is larger than {schema['maxSize']} bytes")
        return problems
    return []  # unknown, cid-link, bytes: anything goes at this level


def lexicon_problem(nsid: str, data: Any) -> str | None:
    """Why an XRPC input does not validate against its lexicon (a query's parameters or a
    procedure's JSON body; putRecord's `record` against its collection's record type), or None.
    Used as `FakeBluesky(validator=...)`, so the fake refuses what the real PDS would."""
    main = lexicon(nsid)["defs"]["main"]
    if main["type"] == "record":
        return "; ".join(_lex_errors(data, main, "Record", nsid)) or None
    schema = (
        main.get("parameters") if main["type"] == "query" else main.get("input", {}).get("schema")
    )
    problems = _lex_errors(data, schema, "Input", nsid) if schema else []
    if not problems and nsid == "com.atproto.repo.putRecord" and isinstance(data, dict):
        record_type = lexicon(str(data["collection"]))["defs"]["main"]
        problems = _lex_errors(data["record"], record_type, "Input/record", data["collection"])
        if record_type.get("key") == "tid":
            import regex

            if not regex.match(
                r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$", str(data["rkey"])
            ):
                problems.append("Input/rkey is not a TID")
    return "; ".join(problems) or None


def lexicon_errors(requests: Iterable[FakeRequest]) -> list[str]:
    """Every XRPC request in `requests` that does not validate against its lexicon."""
    import json

    problems = []
    for request in requests:
        if not request.path.startswith("/xrpc/"):
            continue
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.repo.uploadBlob":
            continue  # any bytes (input encoding */*)
        if request.method == "GET":
            data: Any = {k: v[-1] for k, v in request.query.items()}
        else:
            data = json.loads(request.body) if request.body else {}
        problem = lexicon_problem(nsid, data)
        if problem:
            problems.append(f"{request.method} {nsid}: {problem}")
    return problems
