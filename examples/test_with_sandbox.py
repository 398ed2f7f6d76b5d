"""How to test your own tool that calls crosspost: `crosspost.Sandbox` in pytest.

The sandbox runs every installed platform's fake on 127.0.0.1 and gives a config pointing at
them, with throwaway tokens and records: the tests are offline and fast and never touch a real
account. `sandbox.fakes[name]` is each fake, to see what it holds or to inject a fault.

    pytest examples/test_with_sandbox.py
"""

from collections.abc import Iterator

import pytest

import crosspost

# The code under test: a tool of yours, here a build hook that announces each release.


def announce(version: str, config: crosspost.Config) -> crosspost.Report:
    text = f"---\ntitle: Release {version}\ndate: 2024-06-01\n---\n\n{version} is out.\n"
    post = crosspost.load_text(text, path=f"releases/{version}.md", config=config)
    return crosspost.publish(post, config=config)


# Its tests.


@pytest.fixture
def sandbox() -> Iterator[crosspost.Sandbox]:
    # time_scale=0.01 shrinks the platforms' rate-limit windows (30 s → 0.3 s) for fast tests.
    with crosspost.Sandbox(time_scale=0.01) as box:
        yield box


def test_a_release_is_announced_once_everywhere(sandbox: crosspost.Sandbox) -> None:
    report = announce("2.0", sandbox.config)
    assert report.exit_code == 0
    assert {r.platform for r in report.published} == set(sandbox.fakes)
    url = report.results[0].canonical_url  # the sandbox's site + the default permalink
    assert url is not None
    for name, fake in sandbox.fakes.items():
        assert len(fake.copies(url)) == 1, name


def test_announcing_again_sends_nothing(sandbox: crosspost.Sandbox) -> None:
    announce("2.0", sandbox.config)
    again = announce("2.0", sandbox.config)
    assert {r.status for r in again.results} == {crosspost.Status.UNCHANGED}


def test_a_refused_token_fails_that_platform_alone(sandbox: crosspost.Sandbox) -> None:
    sandbox.fakes["devto"].inject("status", status=401, times=None)
    report = announce("2.0", sandbox.config)
    [failed] = report.failed
    assert failed.platform == "devto"
    assert isinstance(failed.error, crosspost.AuthError)
    assert len(report.published) == len(sandbox.fakes) - 1
    assert report.exit_code == 1
