"""TLS and transport, through the whole stack: tokens only ever travel over verified https.

- an `http://` API URL to anything but loopback is refused for every registered adapter, through
  crosspost.toml → Publisher, with a ConfigError naming the file and the key;
- certificate verification is on (the shared TLS context requires a valid certificate for the
  host) and no setting turns it off; a self-signed server is never sent a request;
- a platform that redirects elsewhere is not followed: the other server never sees the token;
- an answer that fails after the request was sent (a body that cannot be decoded) leaves a create
  ambiguous, never final, so the post is looked up instead of created again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapter import load_adapters
from crosspost.config import PlatformConfig, load_config
from crosspost.credentials import Secret
from crosspost.errors import AmbiguousError, ConfigError, EndpointError, NotSentError, ServerError
from crosspost.fake import FakePlatform, FakeRequest, FakeResponse
from crosspost.http import PlatformClient, _tls_context
from crosspost.publisher import Publisher, Status
from crosspost.sandbox import Sandbox
from crosspost.testing import FAST_RETRIES, Canaries, exception_texts, installed_platforms
from crosspost.testing import sample_document as make_doc

from .blogs import sandbox_blog

PLATFORMS = installed_platforms()
"""Every installed adapter: the registry is the one list of platforms."""

ADAPTERS = sorted(load_adapters())


def _publish(config: Any, **options: Any) -> Any:
    publisher = Publisher(config, adapters=load_adapters(), policy=FAST_RETRIES, **options)
    return asyncio.run(publisher.run([make_doc("tls")]))


# --------------------------------------------------------------------------- plain http


@pytest.mark.parametrize("name", ADAPTERS)
@pytest.mark.parametrize(
    "host",
    ["api.example.com", "127.0.0.1.nip.io", "localhost.example.com", "10.0.0.1", "0.0.0.0"],
)
def test_plain_http_to_a_real_host_is_refused_naming_file_and_key(
    name: str, host: str, tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory([name])
    root = sandbox_blog(tmp_path / "blog", sandbox)
    loopback = sandbox.fakes[name].url.removeprefix("http://")
    config_file = root / "crosspost.toml"
    text = config_file.read_text("utf-8")
    config_file.write_text(text.replace(loopback, host), "utf-8")
    config = dataclasses.replace(load_config(root), credentials={name: Secret("tok-transport")})
    with pytest.raises(ConfigError) as info:
        _publish(config)
    error = info.value
    key = next(k for k, v in sandbox.fakes[name].settings().items() if loopback in str(v))
    assert error.field == f"platforms.{name}.{key}"
    assert error.path == config_file
    assert f"http://{host}" in str(error) and "not https" in str(error)
    assert sandbox.fakes[name].requests == []


@pytest.mark.parametrize("name", ADAPTERS)
def test_plain_http_to_loopback_is_the_sandbox_and_works(
    name: str, tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """The control for the test above: the same blog pointed at 127.0.0.1 publishes."""
    platforms = [name] if name != "mastodon" else ["devto", "mastodon"]  # it announces articles
    sandbox = sandbox_factory(platforms)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    config = dataclasses.replace(
        load_config(root), credentials={n: Secret(sandbox.tokens[n]) for n in platforms}
    )
    report = _publish(config)
    assert {r.status for r in report.results} == {Status.CREATED}, report.results


# --------------------------------------------------------------------------- certificates


def test_the_shared_tls_context_verifies_certificates_and_host_names() -> None:
    context = _tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    client = PlatformClient("demo", "https://api.example.com/")
    pool = client._client._transport._pool  # type: ignore[attr-defined]
    assert pool._ssl_context is context, "every platform client uses the verifying context"


_SECURITY_WORDS = ("verify", "insecure", "ssl", "tls", "cert", "ca_", "skip")


@pytest.mark.parametrize("name", ADAPTERS)
def test_no_setting_turns_certificate_verification_off(name: str, tmp_path: Path) -> None:
    settings = load_adapters()[name].Settings
    keys = {f.name for f in dataclasses.fields(settings)} | {
        f.name for f in dataclasses.fields(PlatformConfig)
    }
    assert not [k for k in keys if any(word in k.lower() for word in _SECURITY_WORDS)], keys
    (tmp_path / "crosspost.toml").write_text(
        f'[site]\nurl = "https://blog.example.com"\n\n[platforms.{name}]\nverify = false\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    with pytest.raises(ConfigError, match="unknown key 'verify'") as info:
        Publisher(config, adapters=load_adapters()).plan([])
    assert info.value.field == f"platforms.{name}.verify"


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """An https server on 127.0.0.1 with a self-signed certificate; yields its URL and the
    request lines it answered (none, if clients verify certificates)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    command += " -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.requestline} {dict(self.headers)}")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_without_a_valid_certificate_never_gets_a_request(
    self_signed: tuple[str, list[str]],
) -> None:
    url, seen = self_signed
    canaries = Canaries(["demo"])

    async def go() -> None:
        async with PlatformClient(
            "demo", url, token=Secret(canaries.tokens["demo"]), policy=FAST_RETRIES
        ) as client:
            await client.request("GET", "/me", op="read")

    with canaries.watching(), pytest.raises(NotSentError) as info:
        asyncio.run(go())
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value) or "certificate" in str(info.value)
    assert seen == [], "no request (and no token) may reach a server that failed verification"
    canaries.assert_clean(exception_texts(info.value))


# --------------------------------------------------------------------------- redirects


class _Elsewhere(FakePlatform):
    """Another server: whatever it is asked, it answers 200 and keeps the request."""

    name = "elsewhere"

    def handle(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse.json(200, {"data": {}, "id": 1})


@pytest.mark.parametrize("status", [301, 307])
@pytest.mark.parametrize("name", PLATFORMS)
def test_a_redirect_to_another_host_is_not_followed_with_the_token(
    name: str, status: int, sandbox_factory: Callable[..., Sandbox]
) -> None:
    canaries = Canaries(PLATFORMS)
    sandbox = sandbox_factory(PLATFORMS, tokens=canaries.tokens)
    with _Elsewhere() as elsewhere, canaries.watching():
        sandbox.fakes[name].inject(
            "redirect", status=status, location=f"{elsewhere.url}/stolen", times=None
        )
        report = _publish(sandbox.config)
    assert elsewhere.requests == [], "the other server must never be contacted"
    (result,) = [r for r in report.results if r.platform == name]
    assert result.status is Status.FAILED, result
    assert isinstance(result.error, EndpointError), result.error
    assert "redirected" in result.message and elsewhere.url in result.message
    others = {r.status for r in report.results if r.platform not in (name, "mastodon")}
    assert others <= {Status.CREATED}, report.results
    canaries.assert_clean(
        [r.message for r in report.results] + exception_texts(result.error),
        [sandbox.folder / "records.json"],
    )


# --------------------------------------------------------------------------- undecodable answers


class _BrokenGzip(FakePlatform):
    """Carries out every request, then answers with a body labelled gzip that is not gzip (a
    misconfigured proxy): the client fails only after the platform has acted."""

    name = "broken-gzip"

    def handle(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(
            201,
            b'{"id": 1} is not gzip',
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )


def _send_to(fake: FakePlatform, op: str) -> None:
    async def go() -> None:
        async with PlatformClient("demo", fake.url, policy=FAST_RETRIES) as client:
            await client.request("POST", "/posts", op=op, json={"title": "t"})  # type: ignore[arg-type]

    asyncio.run(go())


def test_an_undecodable_answer_to_a_create_is_ambiguous_and_never_resent() -> None:
    with _BrokenGzip() as fake:
        with pytest.raises(AmbiguousError, match="DecodingError") as info:
            _send_to(fake, "create")
        assert len(fake.requests) == 1, "a create that may have landed is never resent blindly"
    assert info.value.exit_code == 3


@pytest.mark.parametrize("op", ["read", "update", "upload"])
def test_an_undecodable_answer_to_other_operations_is_a_retried_server_error(op: str) -> None:
    with _BrokenGzip() as fake:
        with pytest.raises(ServerError, match="DecodingError") as info:
            _send_to(fake, op)
        assert len(fake.requests) == FAST_RETRIES.max_attempts, "resending these is safe"
    assert not isinstance(info.value, AmbiguousError)
