"""Ownership before adoption or update (issue 13, attack 3): a pull request cannot make
crosspost take over, then overwrite, a post it did not make. Neither Mastodon nor dev.to can undo
an edit, so each refusal happens before anything is sent.

- a canonical URL lies under `site.url` (or a host `site.hosts` lists);
- a toot is adopted only when it is recognisably crosspost's own (its text is the template's,
  with the canonical URL as its link), never because it merely mentions the URL;
- before a recorded copy is updated, the platform must still show it carrying the post's
  canonical URL; else the post needs attention (exit 3) and nothing is overwritten.
"""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from crosspost.adapter import load_adapters
from crosspost.publisher import Status

from ..records_view import records_view
from .conftest import PLATFORMS, HostileBlog, front_matter

SITE = "https://blog.example.com"


def _toot(blog: HostileBlog, text: str) -> dict[str, object]:
    """A toot the account's owner wrote by hand."""
    fake = blog.sandbox.fakes["mastodon"]
    response = httpx.post(
        f"{fake.url}/api/v1/statuses",
        data={"status": text},
        headers={"Authorization": f"Bearer {blog.sandbox.tokens['mastodon']}"},
    )
    response.raise_for_status()
    data: dict[str, object] = response.json()
    return data


def _status_text(blog: HostileBlog, status_id: object) -> str:
    fake = blog.sandbox.fakes["mastodon"]
    response = httpx.get(f"{fake.url}/api/v1/statuses/{status_id}")
    return str(response.json()["content"])


def test_a_canonical_url_off_the_site_is_refused(published: HostileBlog) -> None:
    bad = published.write(
        "elsewhere.md",
        front_matter(
            "title: Elsewhere", "date: 2024-03-02", "canonical_url: https://victim.example.net/a/"
        ),
    )
    writes = len(published.writes())
    report = published.publish()
    (error,) = report.errors
    assert getattr(error, "path", None) == bad and getattr(error, "field", None) == "canonical_url"
    assert "site.url" in str(error)
    assert len(published.writes()) == writes


def test_a_personal_toot_that_links_the_url_is_never_adopted_nor_edited(blog: HostileBlog) -> None:
    url = f"{SITE}/posts/taken/"
    personal = _toot(blog, f"I loved reading {url} this morning, thanks!")
    before = _status_text(blog, personal["id"])
    blog.write("taken.md", front_matter("title: Taken", "date: 2024-03-01"))
    report = blog.publish(verify_new=True)
    toots = [r for r in report.results if r.platform == "mastodon"]
    assert [r.status for r in toots] == [Status.CREATED], toots
    assert _status_text(blog, personal["id"]) == before, "the personal toot was rewritten"


def test_a_recorded_id_of_someone_elses_article_is_never_overwritten(
    published: HostileBlog,
) -> None:
    victim = published.write("victim.md", front_matter("title: Victim", "date: 2024-03-02"))
    first = published.publish()
    assert first.exit_code == 0, [r for r in first.results if r.status is Status.FAILED]
    data = records_view(published.records.read_text("utf-8"))
    posts = data["posts"]
    victim_id = posts[f"{SITE}/posts/victim/"]["platforms"]["devto"]["id"]
    good = posts[f"{SITE}/posts/good/"]["platforms"]["devto"]
    good["id"] = victim_id  # the pull request's edit: "good" now claims the victim's article
    published.records.write_text(json.dumps(data), "utf-8")
    path = published.posts / "good.md"
    path.write_text(path.read_text("utf-8").replace("Fine text.", "Attacker text."), "utf-8")
    devto = published.sandbox.fakes["devto"]
    before = [dict(a) for a in devto.copies(f"{SITE}/posts/victim/")]
    report = published.publish()
    (result,) = [r for r in report.results if r.platform == "devto" and "good" in r.post]
    assert result.status is Status.ATTENTION, result
    assert "canonical URL" in result.message
    assert report.exit_code == 3
    assert [dict(a) for a in devto.copies(f"{SITE}/posts/victim/")] == before
    assert victim.exists()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_new_posts_record_forged_to_another_copys_id_never_overwrites_it(
    published: HostileBlog, platform: str
) -> None:
    """A pull request adds a post and, in the records, gives it the id of another copy on the
    account (here: another post's): no copy carries the new post's URL, so only reading the
    copy at that id shows it is not this post's, and a forged `was` (the URL the copy had
    before a move) cannot vouch for another post's URL. Platforms that update refuse
    (attention, exit 3, naming the records file); the others never update anything."""
    published.write("victim.md", front_matter("title: Victim", "date: 2024-03-02"))
    assert published.publish().exit_code == 0
    data = records_view(published.records.read_text("utf-8"))
    victim_url = f"{SITE}/posts/victim/"
    stolen = data["posts"][victim_url]["platforms"][platform]
    data["posts"][f"{SITE}/posts/newcomer/"] = {
        "source": "posts/newcomer.md",
        "platforms": {
            platform: {
                "state": "published",
                "at": "2024-03-03T00:00:00Z",
                "id": stolen["id"],
                "url": stolen.get("url"),
                "hash": "sha256:forged",
                "was": victim_url,  # "moved from the victim's URL": vouches for nothing
            }
        },
    }
    published.records.write_text(json.dumps(data), "utf-8")
    published.write(
        "newcomer.md",
        front_matter("title: Newcomer", "date: 2024-03-04", body="Attacker text.\n"),
    )
    fake = published.sandbox.fakes[platform]
    before = copy.deepcopy(fake.copies(victim_url))
    report = published.publish()
    (result,) = [r for r in report.results if r.platform == platform and "newcomer" in r.post]
    if load_adapters()[platform].capabilities.update:
        assert result.status is Status.ATTENTION, result
        assert "records.json" in result.message and "not this post's" in result.message
        assert report.exit_code == 3
    else:
        assert result.status is Status.UNSUPPORTED, result
    assert fake.copies(victim_url) == before, "the victim's copy was overwritten"


SPELLINGS = [
    pytest.param(f"{SITE}/posts/victim", id="no-trailing-slash"),
    pytest.param(f"{SITE}/posts/victim/#x", id="fragment"),
    pytest.param("https://BLOG.EXAMPLE.COM/posts/victim/", id="capitals"),
    pytest.param("https://blog.example.com:443/posts/victim/", id="default-port"),
]
"""The victim's URL `https://blog.example.com/posts/victim/` spelled differently: the same page
to every platform's `find` and to `crosspost.urls.same_url`, so the same page to every check."""

UPDATERS = [p for p in PLATFORMS if load_adapters()[p].capabilities.update]


@pytest.mark.parametrize("platform", UPDATERS)
@pytest.mark.parametrize("was", SPELLINGS)
def test_a_forged_was_spelled_differently_vouches_for_nothing(
    published: HostileBlog, platform: str, was: str
) -> None:
    """The forged `was` of the test above, spelled so that it is not the victim's records key
    byte for byte: "no post holds records for it" compares pages, not strings, so it still
    vouches for nothing and the victim's copy is left alone (attention, exit 3)."""
    published.write("victim.md", front_matter("title: Victim", "date: 2024-03-02"))
    assert published.publish().exit_code == 0
    data = records_view(published.records.read_text("utf-8"))
    victim_url = f"{SITE}/posts/victim/"
    stolen = data["posts"][victim_url]["platforms"][platform]
    data["posts"][f"{SITE}/posts/newcomer/"] = {
        "source": "posts/newcomer.md",
        "platforms": {
            platform: {
                "state": "published",
                "at": "2024-03-03T00:00:00Z",
                "id": stolen["id"],
                "url": stolen.get("url"),
                "hash": "sha256:forged",
                "was": was,
            }
        },
    }
    published.records.write_text(json.dumps(data), "utf-8")
    published.write(
        "newcomer.md",
        front_matter("title: Newcomer", "date: 2024-03-04", body="Attacker text.\n"),
    )
    fake = published.sandbox.fakes[platform]
    before = copy.deepcopy(fake.copies(victim_url))
    report = published.publish()
    (result,) = [r for r in report.results if r.platform == platform and "newcomer" in r.post]
    assert result.status is Status.ATTENTION, result
    assert "not this post's" in result.message
    assert report.exit_code == 3
    assert fake.copies(victim_url) == before, "the victim's copy was overwritten"


@pytest.mark.parametrize("canonical", SPELLINGS)
def test_a_post_claiming_another_posts_url_spelled_differently_clashes(
    published: HostileBlog, canonical: str
) -> None:
    """A second post whose canonical URL is another post's, spelled differently, is the clash
    two posts with one URL always were (refused, naming the other file; nothing sent):
    otherwise dev.to's `find` would hand it the victim's article to adopt, then update, and
    Hashnode and Medium would get a second copy of the page."""
    victim = published.write("victim.md", front_matter("title: Victim", "date: 2024-03-02"))
    assert published.publish().exit_code == 0
    victim_url = f"{SITE}/posts/victim/"
    before = {p: copy.deepcopy(published.sandbox.fakes[p].copies(victim_url)) for p in PLATFORMS}
    pwn = published.write(
        "pwn.md",
        front_matter(
            "title: PWNED", "date: 2024-03-04", f"canonical_url: {canonical}", body="Attacker.\n"
        ),
    )
    writes = len(published.writes())
    report = published.publish()
    (error,) = report.errors  # the victim is unchanged: its records speak for it, unread
    assert getattr(error, "path", None) == pwn and getattr(error, "field", None) == "canonical_url"
    assert f"is also the URL of {victim}" in str(error)
    assert report.exit_code != 0
    assert len(published.writes()) == writes
    for platform, copies in before.items():
        assert published.sandbox.fakes[platform].copies(victim_url) == copies, platform


@pytest.mark.parametrize("canonical", SPELLINGS)
def test_a_post_claiming_a_cross_posted_url_spelled_differently_clashes_when_run_alone(
    published: HostileBlog, canonical: str
) -> None:
    """The same claim when only the newcomer is published (`crosspost publish pwn.md`): the
    records know the victim's page under its own spelling, from a file that still exists."""
    published.write("victim.md", front_matter("title: Victim", "date: 2024-03-02"))
    assert published.publish().exit_code == 0
    pwn = published.write(
        "pwn.md", front_matter("title: PWNED", "date: 2024-03-04", f"canonical_url: {canonical}")
    )
    writes = len(published.writes())
    report = published.publish(pwn)
    (error,) = report.errors
    assert getattr(error, "path", None) == pwn and getattr(error, "field", None) == "canonical_url"
    assert "posts/victim.md, already cross-posted" in str(error)
    assert len(published.writes()) == writes
