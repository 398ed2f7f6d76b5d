"""Signing in to Bluesky with a handle and an app password, and calling XRPC methods.

Facts (specs/NOTES.md "Bluesky"; lexicons com/atproto/server/createSession.json,
refreshSession.json, identity/resolveHandle.json; docs/bsky-docs/entryway.md; docs/atproto-specs/
xrpc.mdx):

- `createSession {identifier, password}` at the entryway (`https://bsky.social`) or the account's
  PDS returns `accessJwt`, `refreshJwt`, `did`, `handle` and the `didDoc`, whose `#atproto_pds`
  service is the account's real PDS. The official SDK then sends everything but session calls
  there (entryway.md), and so does this module. A wrong or revoked app password, and an account
  that is not on that server, both answer 401 `AuthenticationRequired` (pds account-manager.ts).
- An access token that expired answers 400 `ExpiredToken` (pds auth-verifier.ts); `refreshSession`
  (POST, `Authorization: Bearer <refreshJwt>`, no body) returns a new pair; the old refresh token
  stays valid for a 2 h grace period, so resending a refresh whose answer was lost is safe.
- createSession is tightly rate-limited (30 per 5 min and 300 per day per account; the entryway
  enforces 100 per day): one sign-in per run, refreshed rather than repeated.
- Handles resolve to DIDs with `com.atproto.identity.resolveHandle` (400 `HandleNotFound`); a
  `did:plc` document comes from the PLC directory (`https://plc.directory/<did>`), a `did:web`
  one from `https://<host>/.well-known/did.json`.
- Errors are `{"error": "<Name>", "message": "..."}`; 429s carry `RateLimit-*` headers and
  `Retry-After` (xrpc-server rate-limiter-http.ts).

Tokens: the session tokens are `Secret`s (registered for redaction) and are sent only to the
server that issued them and to the PDS its DID document names; the app password only in the
body of createSession. Public lookups (handle, DID document, records) carry no credential.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from crosspost import redact
from crosspost.credentials import Secret, env_var
from crosspost.errors import (
    AuthError,
    ConfigError,
    DeferredError,
    EndpointError,
    RateLimitedError,
    RejectedError,
)
from crosspost.http import Op, PlatformClient, validate_base_url

if TYPE_CHECKING:
    import httpx

__all__ = ["EXAMPLE_HANDLES", "Account", "Session", "parse_login", "xrpc_error"]

log = logging.getLogger("crosspost")

NAME = "bluesky"
APP_PASSWORDS = "https://bsky.app/settings/app-passwords"


@dataclass(frozen=True)
class Account:
    """Who we are signed in as, and where the account's repository lives."""

    did: str
    handle: str
    pds: str


EXAMPLE_HANDLES = frozenset({"you.bsky.social", "alice.bsky.social", "your.handle"})
"""The handles crosspost's own texts show (the config `crosspost init` writes, the docs, the
token hint): left in place, a run would sign in as someone else, or as no one."""


def parse_login(credential: Secret | None, handle: str) -> tuple[str, Secret]:
    """(identifier, app password) from the token: `handle:app-password`, or the app password
    alone when [platforms.bluesky] sets `handle`. Handles never contain ":"."""
    hint = (
        f"set {env_var(NAME)} to 'your.handle:xxxx-xxxx-xxxx-xxxx' (an app password from "
        f"{APP_PASSWORDS}) or run `crosspost login bluesky`"
    )
    if credential is None:
        raise AuthError("no app password", platform=NAME, hint=hint)
    raw = credential.reveal()
    named, sep, password = raw.partition(":")
    if not sep:
        named, password = "", raw
    identifier = (named or handle).lstrip("@")
    if not identifier:
        raise AuthError(
            "the token has no handle and platforms.bluesky.handle is not set",
            platform=NAME,
            hint=hint,
        )
    if identifier.casefold() in EXAMPLE_HANDLES:
        raise AuthError(
            f"the token's handle @{identifier} is the example's, not yours",
            platform=NAME,
            hint=hint,
        )
    if named and handle and named.lstrip("@").casefold() != handle.lstrip("@").casefold():
        raise AuthError(
            f"the token is for @{named.lstrip('@')} but platforms.bluesky.handle is @{handle}",
            platform=NAME,
            hint="use one account: fix the token or the handle",
        )
    if not password:
        raise AuthError("the token has a handle but no app password", platform=NAME, hint=hint)
    return identifier, Secret(password)


def xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """(error name, message) of an XRPC error answer; empty strings when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), redact.scrub(str(body.get("message") or ""))


def _refusals(nsid: str) -> Callable[[httpx.Response], None]:
    """Turn the XRPC errors every call can meet into specific errors (before the core's
    generic ones): expired and revoked sessions, refused input. Rate limits stay the core's
    (it reads `Retry-After` and `RateLimit-Reset`, and defers a far reset to the next run)."""

    def check(response: httpx.Response) -> None:
        status = response.status_code
        if status < 400 or status >= 500:
            return
        name, message = xrpc_error(response)
        detail = f"{name}: {message}" if message else name or f"HTTP {status}"
        if status == 429:
            return  # the core's: waited for, or deferred to the next run when too far away
        if name == "ExpiredToken":
            raise _Expired(detail)
        if status in (401, 403) or name in ("InvalidToken", "AccountTakedown"):
            raise AuthError(
                f"Bluesky refused the session on {nsid}: {detail}",
                platform=NAME,
                status=status,
                hint="was the app password revoked? Make a new one at "
                f"{APP_PASSWORDS} and update {env_var(NAME)} or `crosspost login bluesky`",
            )
        if name == "InvalidSwap":
            return  # the caller decides what a lost compare-and-swap means
        raise RejectedError(f"{nsid} was refused: {detail}", platform=NAME, status=status)

    return check


class _Expired(Exception):
    """The access token expired: refresh and send again (the PDS refused before acting)."""


class _Unknown(Exception):
    """This server does not know the identifier and password (401 AuthenticationRequired)."""


class Session:
    """One run's sign-in: created on first use, refreshed when it expires.

    `call` sends an XRPC request to the account's PDS with the access token; `public` sends
    one with no credential (lookups anyone may make).
    """

    def __init__(
        self, http: PlatformClient, *, handle: str, plc_directory: str, refresh: bool = True
    ) -> None:
        self.http = http
        self.handle = handle
        self.plc_directory = plc_directory.rstrip("/")
        self.account: Account | None = None
        self._access: Secret | None = None
        self._refresh: Secret | None = None
        self._service = http.base_url.rstrip("/")
        self._issuer = self._service  # where the session was created: refreshed there
        self._refreshes = refresh

    # ----------------------------------------------------------------- sign-in

    async def sign_in(self) -> Account:
        """The account, signing in first if this run has not yet."""
        if self.account is not None:
            return self.account
        identifier, password = parse_login(self.http.credential, self.handle)
        issuer = self._service
        answer = await self._create_session(issuer, identifier, password)
        if answer is None:
            issuer, answer = await self._sign_in_where_it_lives(identifier, password)
        self._issuer = issuer
        self.account = self._start(answer, issuer)
        return self.account

    async def _create_session(
        self, host: str, identifier: str, password: Secret
    ) -> dict[str, Any] | None:
        """The session, or None when the server does not know this identifier and password."""

        def check(response: httpx.Response) -> None:
            name, message = xrpc_error(response)
            if response.status_code == 401 and name == "AuthenticationRequired":
                raise _Unknown
            if name == "AuthFactorTokenRequired":
                raise AuthError(
                    "Bluesky asks for an email sign-in code: this is the account's main password",
                    platform=NAME,
                    status=response.status_code,
                    hint=f"make an app password at {APP_PASSWORDS} and use it instead",
                )
            if name == "AccountTakedown":
                raise AuthError(
                    f"the Bluesky account @{identifier} is taken down or suspended: {message}",
                    platform=NAME,
                    status=response.status_code,
                )
            _refusals("com.atproto.server.createSession")(response)

        try:
            response = await self.http.request(
                "POST",
                self._url(host, "com.atproto.server.createSession"),
                op="update",
                json={"identifier": identifier, "password": password.reveal()},
                check=check,
            )
        except _Unknown:
            return None
        except (RateLimitedError, DeferredError) as exc:
            raise type(exc)(
                "signing in to Bluesky is rate limited (30 sign-ins per 5 minutes and 300 per "
                f"day per account): {exc.message}",
                platform=NAME,
                status=exc.status,
                retry_after=exc.retry_after,
                hint=exc.hint,
            ) from None
        return dict(response.json())

    async def _sign_in_where_it_lives(
        self, identifier: str, password: Secret
    ) -> tuple[str, dict[str, Any]]:
        """The service refused the sign-in: find out whether the account exists and where it
        is hosted; sign in there if that is elsewhere (the server that issued the session,
        and the session), else the app password is wrong. Under the Action the app password
        goes to a PDS elsewhere only once a maintainer confirmed it (`PlatformClient.entrust`):
        the handle is in crosspost.toml, which a pull request can point at a DID document
        naming any server."""
        if "@" in identifier:  # an email: nothing to resolve, the password was refused
            raise _refused(identifier)
        did = identifier if identifier.startswith("did:") else await self.resolve(identifier)
        pds = await self.pds_of(did)
        if _origin(pds) != _origin(self._service):
            self.http.entrust(pds, field=f"platforms.{NAME}.handle")
            log.info("bluesky: @%s is hosted at %s; signing in there", identifier, pds)
            answer = await self._create_session(pds, identifier, password)
            if answer is not None:
                return pds, answer
        raise _refused(identifier)

    def _start(self, answer: Mapping[str, Any], issuer: str) -> Account:
        """Keep the tokens (as Secrets) and learn where the repository lives (the DID
        document's PDS, else the server that issued the session)."""
        try:
            access, refresh = str(answer["accessJwt"]), str(answer["refreshJwt"])
            did, handle = str(answer["did"]), str(answer["handle"])
        except (KeyError, TypeError):
            raise EndpointError(
                "createSession answered without tokens; is this an AT Protocol server?",
                platform=NAME,
                hint="check platforms.bluesky.service",
            ) from None
        self._access, self._refresh = Secret(access), Secret(refresh)
        if answer.get("active") is False:
            why = answer.get("status") or "no reason given"
            raise AuthError(f"the Bluesky account @{handle} is not active ({why})", platform=NAME)
        pds = _pds_endpoint(answer.get("didDoc"), did) or issuer
        return Account(did=did, handle=handle, pds=self._checked(pds))

    def _checked(self, url: str) -> str:
        """A PDS URL we may send the session to: https (or loopback http), no path tricks."""
        try:
            return validate_base_url(NAME, url, field="the account's DID document").rstrip("/")
        except ConfigError as exc:
            raise EndpointError(
                f"the account's PDS is {url!r}, which is not https: {exc.message}",
                platform=NAME,
            ) from None

    async def _refresh_session(self) -> None:
        """New tokens from the refresh token; a full sign-in when it is refused too."""
        assert self._refresh is not None
        refresh = self._refresh
        try:
            response = await self.http.request(
                "POST",
                self._url(self._issuer, "com.atproto.server.refreshSession"),
                op="update",
                headers={"Authorization": f"Bearer {refresh.reveal()}"},
                check=_refusals("com.atproto.server.refreshSession"),
            )
        except (AuthError, _Expired):
            self.account = None
            await self.sign_in()
            return
        answer = response.json()
        self._access, self._refresh = Secret(answer["accessJwt"]), Secret(answer["refreshJwt"])

    # ----------------------------------------------------------------- calls

    async def call(
        self,
        method: str,
        nsid: str,
        *,
        op: Op,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        check: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response:
        """An authenticated XRPC call to the PDS; an expired token is refreshed once."""
        account = await self.sign_in()
        refusals = _refusals(nsid)

        def both(response: httpx.Response) -> None:
            if check is not None:
                check(response)
            refusals(response)

        for attempt in (1, 2):
            assert self._access is not None
            try:
                return await self.http.request(
                    method,
                    self._url(account.pds, nsid),
                    op=op,
                    json=json,
                    params=params,
                    content=content,
                    headers={"Authorization": f"Bearer {self._access.reveal()}", **(headers or {})},
                    check=both,
                )
            except _Expired:
                if attempt == 2 or not self._refreshes:
                    raise AuthError(
                        "the Bluesky session expired again right after a refresh",
                        platform=NAME,
                    ) from None
                await self._refresh_session()
        raise AssertionError("unreachable")  # pragma: no cover

    async def public(
        self,
        nsid: str,
        params: Mapping[str, Any],
        *,
        host: str | None = None,
        check: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response:
        """A query anyone may make (no credential), at the PDS by default."""
        if host is None:
            host = (await self.sign_in()).pds
        refusals = _refusals(nsid)

        def both(response: httpx.Response) -> None:
            if check is not None:
                check(response)
            refusals(response)

        return await self.http.request(
            "GET", self._url(host, nsid), op="read", params=params, check=both
        )

    def _url(self, host: str, nsid: str) -> str:
        """Relative to the client's base when `host` is the configured service, else absolute."""
        if host.rstrip("/") == self._service:
            return f"/xrpc/{nsid}"
        return f"{host.rstrip('/')}/xrpc/{nsid}"

    # ----------------------------------------------------------------- identity

    async def resolve(self, handle: str) -> str:
        """The DID of `handle`; AuthError naming it when no account has it."""

        def check(response: httpx.Response) -> None:
            name, message = xrpc_error(response)
            if response.status_code == 400 and (
                name == "HandleNotFound" or "resolve handle" in message.lower()
            ):
                raise AuthError(
                    f"no Bluesky account has the handle @{handle}",
                    platform=NAME,
                    status=400,
                    hint="check the handle in the token (handle:app-password) or "
                    "platforms.bluesky.handle",
                )

        response = await self.public(
            "com.atproto.identity.resolveHandle",
            {"handle": handle},
            host=self._service,
            check=check,
        )
        return str(response.json()["did"])

    async def pds_of(self, did: str) -> str:
        """The PDS in `did`'s DID document (did:plc from the PLC directory, did:web from its
        host); AuthError when the document does not exist."""
        if did.startswith("did:plc:"):
            url = f"{self.plc_directory}/{quote(did, safe=':')}"
        elif did.startswith("did:web:"):
            url = f"https://{did.removeprefix('did:web:').replace('%3A', ':')}/.well-known/did.json"
        else:
            raise AuthError(f"unsupported DID method: {did}", platform=NAME)

        def check(response: httpx.Response) -> None:
            if response.status_code in (404, 410):
                raise AuthError(
                    f"the Bluesky account {did} does not exist (no DID document)",
                    platform=NAME,
                    status=response.status_code,
                )

        response = await self.http.request("GET", url, op="read", check=check)
        pds = _pds_endpoint(response.json(), did)
        if pds is None:
            raise EndpointError(f"the DID document of {did} names no PDS", platform=NAME)
        return self._checked(pds)


def _refused(identifier: str) -> AuthError:
    who = identifier if "@" in identifier else f"@{identifier}"
    return AuthError(
        f"Bluesky refused the app password for {who} (wrong, or revoked)",
        platform=NAME,
        status=401,
        hint=f"make a new app password at {APP_PASSWORDS} and update {env_var(NAME)} or "
        "`crosspost login bluesky`",
    )


def _pds_endpoint(doc: Any, did: str) -> str | None:
    """The `#atproto_pds` service endpoint of a DID document that is `did`'s own."""
    if not isinstance(doc, dict) or doc.get("id") != did:
        return None
    for service in doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        if (
            str(service.get("id", "")).endswith("#atproto_pds")
            and service.get("type") == "AtprotoPersonalDataServer"
        ):
            endpoint = service.get("serviceEndpoint")
            return str(endpoint) if isinstance(endpoint, str) else None
    return None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()
