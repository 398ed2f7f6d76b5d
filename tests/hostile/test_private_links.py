"""Link checks never reach the runner's own network (issue 13): `check --links`, `--wait-live`
and `after = "live"` refuse private, loopback, link-local and cloud-metadata addresses, after
DNS resolution and at every redirect, unless the address is the site's own host or a person set
CROSSPOST_ALLOW_PRIVATE_LINKS=1 (the tests' fakes run on 127.0.0.1: that allowance is explicit
and tested here). A URL that cannot even be parsed is one URL's answer, never a stopped run."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from crosspost.links import ALLOW_PRIVATE, allowed_hosts, check_urls, is_internal

from ..blogs import crosspost_env, run_cli
from ..site import FakeSite
from .conftest import HostileBlog, front_matter


@pytest.fixture
def internal() -> Iterator[FakeSite]:
    """A service on the runner's loopback that a hostile post tries to reach."""
    with FakeSite() as server:
        server.deploy("/admin")
        yield server


def test_check_links_does_not_scan_the_runners_network(
    blog: HostileBlog, internal: FakeSite
) -> None:
    body = f"![a]({internal.url}/admin)\n\n![b](http://169.254.169.254/latest/meta-data/x.png)\n"
    blog.write("probe.md", front_matter("title: Probe", "date: 2024-03-01", body=body))
    result = run_cli("check", "--links", env=crosspost_env(blog.sandbox), cwd=blog.root)
    assert "Traceback" not in result.stderr
    assert internal.hits("/admin") == 0, "a loopback service was fetched"
    assert "private, loopback or link-local" in result.stdout + result.stderr
    allowed = crosspost_env(blog.sandbox, **{ALLOW_PRIVATE: "1"})
    run_cli("check", "--links", env=allowed, cwd=blog.root)
    assert internal.hits("/admin") == 1, "the explicit allowance lets it through"


def test_the_sites_own_private_host_is_checked(blog: HostileBlog, internal: FakeSite) -> None:
    config = blog.root / "crosspost.toml"
    config.write_text(
        config.read_text("utf-8").replace("https://blog.example.com", internal.url), "utf-8"
    )
    body = f"![a]({internal.url}/admin)\n"
    blog.write("own.md", front_matter("title: Own", "date: 2024-03-01", body=body))
    run_cli("check", "--links", env=crosspost_env(blog.sandbox), cwd=blog.root)
    assert internal.hits("/admin") == 1


def test_a_redirect_to_an_internal_address_is_refused() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.headers['host']} at {request.url}")
        if request.headers["host"] == "blog.example.com":
            return httpx.Response(302, headers={"Location": "http://metadata.internal/"})
        return httpx.Response(200)

    async def resolve(host: str) -> list[str]:
        return {"blog.example.com": ["93.184.215.14"], "metadata.internal": ["169.254.169.254"]}[
            host
        ]

    statuses = asyncio.run(
        check_urls(
            ["https://blog.example.com/p/"],
            site="https://elsewhere.example.org",
            transport=httpx.MockTransport(answer),
            resolve=resolve,
        )
    )
    assert seen == ["blog.example.com at https://93.184.215.14/p/"]
    assert "private, loopback or link-local" in str(statuses["https://blog.example.com/p/"])


def test_a_dns_answer_that_changes_after_the_check_never_reaches_the_runner(
    internal: FakeSite,
) -> None:
    """DNS rebinding: the name answers a public address to the check, then a loopback one
    (here `localhost`, which the system resolves to 127.0.0.1 whatever the check was told).
    The request goes to the address that was vetted, with the name in `Host`, so a service on
    the runner's loopback is never reached. The wire below stands for a network with no route
    to the public address (tests never leave 127.0.0.1)."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])

    async def resolve(host: str) -> list[str]:
        return next(answers)

    class Wire(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []
            self.real = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.sent.append((request.url.host, request.headers["host"]))
            if request.url.host != "localhost" and is_internal(request.url.host) is False:
                raise httpx.ConnectError("no route to a public address here", request=request)
            return await self.real.handle_async_request(request)

    wire = Wire()
    port = httpx.URL(internal.url).port
    url = f"http://localhost:{port}/admin"
    statuses = asyncio.run(
        check_urls([url], site="https://blog.example.com", transport=wire, resolve=resolve)
    )
    assert internal.hits("/admin") == 0, "the rebound name reached the runner's loopback"
    assert wire.sent == [("93.184.215.14", f"localhost:{port}")]
    assert "ConnectError" in str(statuses[url])


def test_an_unparsable_url_is_one_urls_answer() -> None:
    statuses = asyncio.run(check_urls(["https://xn--/x.png", "http://[::1"], site=None))
    assert all(isinstance(v, str) for v in statuses.values()), statuses


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.100.100.200", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fd00:ec2::254", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.215.14", False),
        ("2606:4700::1111", False),
    ],
)
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal(address) is internal


def test_the_sites_exemption_is_its_host_and_port_only(internal: FakeSite) -> None:
    """site.url is the pull request's: `http://127.0.0.1:<port>` exempts that port, never the
    other services of the runner's loopback; a default port counts as written or not."""
    with FakeSite() as site:
        site.deploy("/")
        other = internal.page("/admin")
        statuses = asyncio.run(check_urls([site.page("/"), other], site=site.url))
        assert statuses[site.page("/")] == 200
        assert "private, loopback or link-local" in str(statuses[other])
        assert internal.hits("/admin") == 0, "another port of the site's host was fetched"
    assert allowed_hosts("https://Blog.example.com") == frozenset({("blog.example.com", 443)})
    assert allowed_hosts("http://127.0.0.1:80/") == frozenset({("127.0.0.1", 80)})


def test_under_the_action_the_sites_own_loopback_is_not_exempt(internal: FakeSite) -> None:
    """Under the Action (`trust_site=False`, set when tokens are confirmed per platform) a
    site.url naming the runner's loopback exempts nothing: a real blog's site is public, and
    a workflow whose site is not says so with CROSSPOST_ALLOW_PRIVATE_LINKS=1."""
    url = internal.page("/admin")
    statuses = asyncio.run(check_urls([url], site=internal.url, trust_site=False))
    assert "private, loopback or link-local" in str(statuses[url])
    assert internal.hits("/admin") == 0


def test_after_live_under_the_action_does_not_fetch_the_sites_loopback(
    blog: HostileBlog, internal: FakeSite
) -> None:
    """The same through `after = "live"`: a run with confirmed hosts (the Action) holds the
    announcement rather than fetch a loopback site.url."""
    config = blog.root / "crosspost.toml"
    config.write_text(
        config.read_text("utf-8").replace("https://blog.example.com", internal.url), "utf-8"
    )
    blog.configure("mastodon", after='"live"')
    blog.write("p.md", front_matter("title: P", "date: 2024-03-01"))
    internal.deploy("/posts/p/")
    report = blog.publish(action=True)
    assert internal.hits("/posts/p/") == 0, "the Action fetched the PR's loopback site.url"
    (toot,) = [r for r in report.results if r.platform == "mastodon"]
    assert "not live yet" in toot.message and "private, loopback" in toot.message, toot
