"""A fake Bluesky PDS (and entryway, handle resolver and PLC directory) for tests and the sandbox.

Calibrated on the reference PDS in bluesky-social/atproto (packages/pds/src, cited per route) and
the lexicons in specs/bluesky/lexicons (NOTES.md "Bluesky"); it does not import the adapter's
counting or key rules, so that a bug in one is caught by the other.

- Sign-in: `createSession` with the handle, DID or email and an app password (the tokens the
  fake accepts); a wrong one answers 401 `AuthenticationRequired` "Invalid identifier or
  password". Access tokens expire after `access_ttl` (400 `ExpiredToken`), `refreshSession`
  rotates the pair (the old refresh token stays valid for a grace period), `revoke` takes an app
  password and its sessions away (401 `InvalidToken`).
- Writes: `putRecord` with the PDS's compare-and-swap rules (transactor.ts `formatCommit`): with
  `swapRecord: null` a record already at the key is 400 `InvalidSwap`, unless the new record is
  identical (a no-op, putRecord.ts); with a CID it must match; without it, an overwrite. Record
  keys of posts must be TIDs (pds repo/prepare.ts since atproto#4408). Records are checked as the
  PDS's lexicon validation does: 300 graphemes and 3,000 bytes of text, an RFC 3339 `createdAt`,
  facets' shape, the card's required fields, a thumbnail blob that this account uploaded, of an
  `image/*` type and at most 1,000,000 bytes (BlobNotFound, InvalidMimeType, BlobTooLarge).
  `validator` (tests pass the lexicon checker) refuses anything else the lexicons forbid.
- Reads: `getProfile` of this account (with an access token), `getRecord` (400
  `RecordNotFound`), `listRecords` newest key first, `limit` 1–100, `cursor` = the last key,
  returned even on a short page; `resolveHandle` (400
  `HandleNotFound`) and the PLC directory's DID documents, naming this server as the PDS.
- Limits (rate-limits.md, pds rate-limits.ts): 3,000 requests per 5 minutes per client, 5,000
  write points an hour per account (putRecord costs 2), 30 sign-ins per 5 minutes per
  identifier; a 429 is `RateLimitExceeded` with `RateLimit-Limit/-Remaining/-Reset/-Policy`
  and `Retry-After` (xrpc-server rate-limiter-http.ts), and every answer carries the headers.
- CIDs are CIDv1 strings over SHA-256 (`bafyrei…` for records, `bafkrei…` for blobs); the real
  records are DAG-CBOR, here the digest is of canonical JSON, which keeps identical records
  identical and different ones different, all the tests rely on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import unquote

import regex

from crosspost.document import image_type
from crosspost.fake import FakePlatform, FakeRequest, FakeResponse, FixedWindow, Route

__all__ = ["FakeBluesky", "Validator"]

Validator = Callable[[str, Mapping[str, Any]], "str | None"]
"""(nsid, input) → why it is invalid, or None; the input is a query's params or a body."""

POST = "app.bsky.feed.post"
TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")  # tid.mdx
DATETIME = regex.compile(  # atproto.com/specs/lexicon#datetime: RFC 3339 with a timezone
    r"^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,20})?"
    r"(Z|[+-][0-2][0-9]:[0-5][0-9])$"
)
THUMB_MAX = 1_000_000
UPLOAD_MAX = 5 * 1024 * 1024  # the reference PDS's default PDS_BLOB_UPLOAD_LIMIT
REFRESH_GRACE = 7200.0  # pds account-manager.ts REFRESH_GRACE_MS


def _cid(data: bytes, codec: int) -> str:
    digest = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(digest).decode().lower().rstrip("=")


def _record_cid(record: Any) -> str:
    return _cid(json.dumps(record, sort_keys=True, ensure_ascii=False).encode(), 0x71)


def _graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


class FakeBluesky(FakePlatform):
    """State for tests: `records` (rkey → {uri, cid, value}, the account's posts), `blobs`,
    `sessions`; `revoke(password)` and `expire_sessions()` act as the real account would."""

    name: ClassVar[str] = "bluesky"
    create_route: ClassVar[Route | None] = Route(
        "POST", path=r"/xrpc/com\.atproto\.repo\.putRecord$"
    )

    def __init__(
        self,
        *,
        tokens: tuple[str, ...] = ("sandbox-token",),
        latency: float = 0.0,
        time_scale: float = 1.0,
        handle: str = "sandbox.bsky.example",
        did: str = "did:plc:crosspostsandbox0001",
        email: str = "sandbox@example.com",
        access_ttl: float = 7200.0,
        request_limit: tuple[int, float] = (3000, 300.0),
        write_points: tuple[int, float] = (5000, 3600.0),
        session_limit: tuple[int, float] = (30, 300.0),
        validator: Validator | None = None,
        elsewhere: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(tokens=tokens, latency=latency, time_scale=time_scale)
        self.account_handle, self.did, self.email = handle, did, email
        self.access_ttl = access_ttl * time_scale
        self.window = FixedWindow(request_limit[0], request_limit[1] * time_scale)
        self.writes = FixedWindow(write_points[0], write_points[1] * time_scale)
        self.sign_ins = FixedWindow(session_limit[0], session_limit[1] * time_scale)
        self.validator = validator
        self.elsewhere = dict(elsewhere or {})
        """Accounts hosted on another PDS: handle → (did, pds URL), for resolution tests."""
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.rate_limited = 0
        self.refused: list[str] = []
        """Why each refused write was refused (tests assert none where none is expected)."""
        self._rev = 0

    def settings(self) -> dict[str, Any]:
        return {
            "service": self.url,
            "handle": self.account_handle,
            "plc_directory": f"{self.url}/plc",
        }

    # ----------------------------------------------------------------- errors and limits

    def error(self, status: int, message: str, name: str = "InternalServerError") -> FakeResponse:
        """The XRPC error shape: {"error": name, "message": message}."""
        if status < 500 and name == "InternalServerError":
            name = "InvalidRequest"
        return FakeResponse.json(status, {"error": name, "message": message})

    def _limit_headers(self, window: FixedWindow, key: str) -> dict[str, str]:
        remaining, reset_in = window.remaining(key)
        reset = time.time() + reset_in
        return {
            "RateLimit-Limit": str(window.limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": f"{reset:.3f}" if self.time_scale < 1 else str(math.ceil(reset)),
            "RateLimit-Policy": f"{window.limit};w={window.window:g}",
        }

    def _too_many(self, window: FixedWindow, key: str, retry_after: float) -> FakeResponse:
        self.rate_limited += 1
        response = FakeResponse.json(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            self._limit_headers(window, key),
        )
        response.headers["RateLimit-Remaining"] = "0"
        response.headers["Retry-After"] = self.retry_after_header(retry_after)
        return response

    def echoed(self, request: FakeRequest) -> str:
        """The headers and the body: createSession carries the app password in its body."""
        return f"{super().echoed(request)}; body: {request.body.decode('utf-8', 'replace')}"

    def too_many(self, retry_after: float) -> FakeResponse:
        return self._too_many(self.window, "injected", retry_after)

    def ratelimit_headers_only(self, retry_after: float) -> FakeResponse:
        """A 429 whose only hint is `RateLimit-Reset` (epoch seconds), no Retry-After."""
        reset = time.time() + retry_after
        return FakeResponse.json(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {
                "RateLimit-Limit": "3000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": f"{reset:.3f}",
                "RateLimit-Policy": "3000;w=300",
            },
        )

    # ----------------------------------------------------------------- routing

    def handle(self, request: FakeRequest) -> FakeResponse:
        client = "127.0.0.1"
        with self.lock:
            wait = self.window.hit(client)
            if wait is not None:
                return self._too_many(self.window, client, wait)
        response = self._route(request)
        with self.lock:
            response.headers.update(
                {k: v for k, v in self._limit_headers(self.window, client).items()}
                if response.status != 429
                else {}
            )
        return response

    def _route(self, request: FakeRequest) -> FakeResponse:
        path = request.path
        if request.method == "GET" and path.startswith("/plc/"):
            return self._did_document(unquote(path.removeprefix("/plc/")))
        if not path.startswith("/xrpc/"):
            return self.error(404, "Not Found", "NotFound")
        nsid = path.removeprefix("/xrpc/")
        routes: dict[tuple[str, str], Callable[[FakeRequest], FakeResponse]] = {
            ("GET", "com.atproto.identity.resolveHandle"): self._resolve_handle,
            ("POST", "com.atproto.server.createSession"): self._create_session,
            ("POST", "com.atproto.server.refreshSession"): self._refresh_session,
            ("POST", "com.atproto.repo.uploadBlob"): self._upload_blob,
            ("POST", "com.atproto.repo.putRecord"): self._put_record,
            ("GET", "com.atproto.repo.getRecord"): self._get_record,
            ("GET", "com.atproto.repo.listRecords"): self._list_records,
            ("GET", "app.bsky.actor.getProfile"): self._get_profile,
        }
        route = routes.get((request.method, nsid))
        if route is None:
            return self.error(501, f"Method Not Implemented: {nsid}", "MethodNotImplemented")
        problem = self._invalid(request, nsid)
        if problem is not None:
            return problem
        return route(request)

    def _invalid(self, request: FakeRequest, nsid: str) -> FakeResponse | None:
        """The lexicon check of the input, as xrpc-server does before any handler runs."""
        if self.validator is None or nsid == "com.atproto.repo.uploadBlob":
            return None
        if request.method == "GET":
            data: Mapping[str, Any] = {k: v[-1] for k, v in request.query.items()}
        elif not request.body:
            data = {}
        else:
            try:
                data = request.json()
            except ValueError:
                return self.error(400, "Invalid JSON body")
        problem = self.validator(nsid, data)
        if problem is None:
            return None
        with self.lock:
            self.refused.append(f"{nsid}: {problem}")
        return self.error(400, f"Input {problem}")

    def _body(self, request: FakeRequest) -> dict[str, Any] | FakeResponse:
        if "json" not in (request.header("content-type") or ""):
            return self.error(400, "Wrong request encoding (Content-Type): expected json")
        try:
            data = request.json()
        except ValueError:
            return self.error(400, "Invalid JSON body")
        return data if isinstance(data, dict) else self.error(400, "Input must be an object")

    # ----------------------------------------------------------------- identity

    def _did_doc(self, did: str, handle: str, pds: str) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "alsoKnownAs": [f"at://{handle}"],
            "verificationMethod": [],
            "service": [
                {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}
            ],
        }

    def _did_document(self, did: str) -> FakeResponse:
        if did == self.did:
            return FakeResponse.json(200, self._did_doc(did, self.account_handle, self.url))
        for handle, (other, pds) in self.elsewhere.items():
            if other == did:
                return FakeResponse.json(200, self._did_doc(did, handle, pds))
        return FakeResponse.json(404, {"message": f"DID not registered: {did}"})

    def _resolve_handle(self, request: FakeRequest) -> FakeResponse:
        handle = (request.query.get("handle") or [""])[-1].lower()
        if handle == self.account_handle.lower():
            return FakeResponse.json(200, {"did": self.did})
        if handle in self.elsewhere:
            return FakeResponse.json(200, {"did": self.elsewhere[handle][0]})
        return self.error(400, "Unable to resolve handle", "HandleNotFound")

    # ----------------------------------------------------------------- sessions

    def _create_session(self, request: FakeRequest) -> FakeResponse:
        body = self._body(request)
        if isinstance(body, FakeResponse):
            return body
        identifier = str(body.get("identifier") or "").lower()
        with self.lock:
            wait = self.sign_ins.hit(identifier)
            if wait is not None:
                return self._too_many(self.sign_ins, identifier, wait)
            known = identifier in (self.account_handle.lower(), self.did, self.email.lower())
            password = str(body.get("password") or "")
            if not known or password not in self.tokens:
                return self.error(401, "Invalid identifier or password", "AuthenticationRequired")
            return FakeResponse.json(200, self._new_session(password))

    def _new_session(self, password: str) -> dict[str, Any]:
        access, refresh = (
            f"fake-access-{secrets.token_hex(16)}",
            f"fake-refresh-{secrets.token_hex(16)}",
        )
        now = time.monotonic()
        self.sessions[access] = {"password": password, "expires": now + self.access_ttl}
        self.refresh_tokens[refresh] = {"password": password, "grace_until": None}
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.account_handle,
            "did": self.did,
            "didDoc": self._did_doc(self.did, self.account_handle, self.url),
            "email": self.email,
            "emailConfirmed": True,
            "emailAuthFactor": False,
            "active": True,
        }

    def _refresh_session(self, request: FakeRequest) -> FakeResponse:
        token = request.bearer() or ""
        with self.lock:
            known = self.refresh_tokens.get(token)
            if known is None or known["password"] not in self.tokens:
                return self.error(401, "Token could not be verified", "InvalidToken")
            if known["grace_until"] is not None and time.monotonic() > known["grace_until"]:
                return self.error(400, "Token has expired", "ExpiredToken")
            if known["grace_until"] is None:
                known["grace_until"] = time.monotonic() + REFRESH_GRACE * self.time_scale
            return FakeResponse.json(200, self._new_session(known["password"]))

    def _account(self, request: FakeRequest) -> FakeResponse | None:
        """None when the request carries a live access token, else the PDS's refusal."""
        token = request.bearer()
        if token is None:
            return self.error(401, "Authentication Required", "AuthMissing")
        session = self.sessions.get(token)
        if session is None or session["password"] not in self.tokens:
            return self.error(401, "Token could not be verified", "InvalidToken")
        if time.monotonic() > session["expires"]:
            return self.error(400, "Token has expired", "ExpiredToken")
        return None

    def _get_profile(self, request: FakeRequest) -> FakeResponse:
        """The PDS requires an access token and answers from the AppView (pds
        api/app/bsky/actor/getProfile.ts: `auth: ctx.authVerifier.access`, pipethrough); an
        unknown actor is 400 InvalidRequest "Profile not found" (bsky api actor/getProfile.ts).
        Only this account's profile is known here: profileViewDetailed's required did and
        handle, and a display name."""
        refused = self._account(request)
        if refused is not None:
            return refused
        actor = (request.query.get("actor") or [""])[-1].lower()
        if actor not in (self.did, self.account_handle.lower()):
            return self.error(400, "Profile not found", "InvalidRequest")
        return FakeResponse.json(
            200, {"did": self.did, "handle": self.account_handle, "displayName": "Sandbox"}
        )

    def revoke(self, password: str) -> None:
        """The user revoked this app password: it and every session made with it stop."""
        with self.lock:
            self.tokens.discard(password)

    def expire_sessions(self) -> None:
        """Every access token expires now (refresh tokens still work)."""
        with self.lock:
            for session in self.sessions.values():
                session["expires"] = 0.0

    # ----------------------------------------------------------------- blobs

    def _upload_blob(self, request: FakeRequest) -> FakeResponse:
        refused = self._account(request)
        if refused is not None:
            return refused
        data = request.body
        if len(data) > UPLOAD_MAX:
            return self.error(413, "request entity too large", "PayloadTooLarge")
        mime = image_type(data[:16]) or request.header("content-type") or "application/octet-stream"
        cid = _cid(data, 0x55)
        with self.lock:
            self.blobs[cid] = {"mimeType": mime, "size": len(data)}
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        return FakeResponse.json(200, {"blob": blob})

    # ----------------------------------------------------------------- records

    def _put_record(self, request: FakeRequest) -> FakeResponse:
        refused = self._account(request)
        if refused is not None:
            return refused
        body = self._body(request)
        if isinstance(body, FakeResponse):
            return body
        for key in ("repo", "collection", "rkey", "record"):
            if key not in body:
                return self.error(400, f'Input must have the property "{key}"')
        if body["repo"] not in (self.did, self.account_handle):
            return self.error(401, "Authentication Required", "AuthenticationRequired")
        collection, rkey = body["collection"], str(body["rkey"])
        if collection != POST:
            return self.error(400, f"this fake PDS only stores {POST} records")
        if not TID.match(rkey):
            return self.error(400, f"Invalid record key for {POST}: {rkey}")
        record = body["record"]
        if not isinstance(record, dict):
            return self.error(400, "Input/record must be an object")
        record = {"$type": POST, **record}
        if record["$type"] != POST:
            return self.error(400, f"Invalid $type: expected {POST}, got {record['$type']}")
        with self.lock:
            problem = self._check_post(record)
            if problem is not None:
                self.refused.append(f"putRecord: {problem.body.decode()}")
                return problem
            wait = self.writes.hit(self.did) or self.writes.hit(self.did)  # 2 points
            if wait is not None:
                return self._too_many(self.writes, self.did, wait)
            cid = _record_cid(record)
            current = self.records.get(rkey)
            uri = f"at://{self.did}/{POST}/{rkey}"
            if current is not None and current["cid"] == cid:
                return FakeResponse.json(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})
            swap = body.get("swapRecord", ...)
            if swap is not ...:
                was = current["cid"] if current else None
                if swap != was:
                    return self.error(400, f"Record was at {was}", "InvalidSwap")
            self._rev += 1
            self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
            commit = {"cid": _record_cid({"rev": self._rev}), "rev": f"3l{self._rev:011d}"}
        return FakeResponse.json(
            200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}
        )

    def _check_post(self, record: dict[str, Any]) -> FakeResponse | None:
        """The PDS's validation of an app.bsky.feed.post record (lexicon + blob constraints)."""

        def invalid(why: str, name: str = "InvalidRequest") -> FakeResponse:
            return self.error(400, f"Invalid {POST} record: {why}", name)

        text = record.get("text")
        if not isinstance(text, str):
            return invalid('Record must have the property "text"')
        if len(text.encode("utf-8")) > 3000:
            return invalid("Record/text must not be longer than 3000 characters")
        if _graphemes(text) > 300:
            return invalid("Record/text must not be longer than 300 graphemes")
        created = record.get("createdAt")
        if not isinstance(created, str) or not DATETIME.match(created):
            return invalid("Record/createdAt must be an valid atproto datetime")
        try:
            datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return invalid("Record/createdAt must be an valid atproto datetime")
        for n, facet in enumerate(record.get("facets") or []):
            index = facet.get("index") if isinstance(facet, dict) else None
            if not isinstance(index, dict) or not all(
                isinstance(index.get(k), int) and index[k] >= 0 for k in ("byteStart", "byteEnd")
            ):
                return invalid(f"Record/facets/{n}/index must have byteStart and byteEnd >= 0")
        embed = record.get("embed")
        if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.external":
            external = embed.get("external")
            if not isinstance(external, dict) or not all(
                isinstance(external.get(k), str) for k in ("uri", "title", "description")
            ):
                return invalid("Record/embed/external must have uri, title and description")
            thumb = external.get("thumb")
            if thumb is not None:
                return self._check_thumb(thumb)
        return None

    def _check_thumb(self, thumb: Any) -> FakeResponse | None:
        """pds actor-store/blob/transactor.ts `verifyBlob`: the blob exists, fits `accept`
        (image/*) and `maxSize` (1,000,000 bytes)."""
        link = thumb.get("ref", {}).get("$link") if isinstance(thumb, dict) else None
        blob = self.blobs.get(str(link))
        if blob is None:
            return self.error(400, f"Could not find blob: {link}", "BlobNotFound")
        if not str(blob["mimeType"]).startswith("image/"):
            return self.error(
                400,
                f"Wrong type of file. It is {blob['mimeType']} but it must match image/*.",
                "InvalidMimeType",
            )
        if blob["size"] > THUMB_MAX:
            return self.error(
                400,
                f"This file is too large. It is {blob['size']} bytes but the maximum size "
                f"is {THUMB_MAX} bytes.",
                "BlobTooLarge",
            )
        return None

    def _get_record(self, request: FakeRequest) -> FakeResponse:
        query = {k: v[-1] for k, v in request.query.items()}
        rkey = query.get("rkey", "")
        with self.lock:
            found = (
                self.records.get(rkey)
                if query.get("repo") in (self.did, self.account_handle)
                else None
            )
        if found is None or query.get("collection") != POST:
            uri = f"at://{query.get('repo')}/{query.get('collection')}/{rkey}"
            return self.error(400, f"Could not locate record: {uri}", "RecordNotFound")
        return FakeResponse.json(200, found)

    def _list_records(self, request: FakeRequest) -> FakeResponse:
        query = {k: v[-1] for k, v in request.query.items()}
        if query.get("repo") not in (self.did, self.account_handle):
            return self.error(400, f"Could not find repo: {query.get('repo')}", "RepoNotFound")
        try:
            limit = int(query.get("limit") or 50)
        except ValueError:
            return self.error(400, "limit must be an integer")
        if not 1 <= limit <= 100:
            return self.error(
                400,
                "limit can not be greater than 100"
                if limit > 100
                else "limit can not be less than 1",
            )
        reverse = query.get("reverse") == "true"
        cursor = query.get("cursor")
        with self.lock:
            keys = sorted(self.records, reverse=not reverse)
            if query.get("collection") != POST:
                keys = []
            if cursor:
                keys = [k for k in keys if (k > cursor if reverse else k < cursor)]
            page = [self.records[k] for k in keys[:limit]]
        answer: dict[str, Any] = {"records": page}
        if page:
            answer["cursor"] = page[-1]["uri"].rsplit("/", 1)[-1]
        return FakeResponse.json(200, answer)

    # ----------------------------------------------------------------- for tests

    def copies(self, url: str) -> list[dict[str, Any]]:
        """Posts whose link card or a link facet points at `url`; `id` is the at:// URI, the
        id crosspost records."""
        with self.lock:
            return [
                {**r, "id": r["uri"]} for r in self.records.values() if url in _links(r["value"])
            ]


def _links(value: dict[str, Any]) -> list[str]:
    links = []
    embed = value.get("embed") or {}
    if isinstance(embed.get("external"), dict):
        links.append(str(embed["external"].get("uri")))
    for facet in value.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#link":
                links.append(str(feature.get("uri")))
    return links
