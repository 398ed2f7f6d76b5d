"""dev.to as Forem really behaves (issue 14), each case naming its source.

Sources: forem/forem app/controllers/api/v1/articles_controller.rb (strong parameters
`tags: []`), app/services/articles/attributes.rb (`series` cleared only by an explicit null),
config/initializers/rack_attack.rb (per-second read/write throttles answered 429 text/plain
"Retry later"), app/models/article.rb (canonical URL unique site-wide, body+title unique per
user, `-temp-slug-` for unpublished articles); ../shared/specs/NOTES.md §1 and Gotchas.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from crosspost.adapters.devto.fake import V1_ACCEPT, FakeDevTo
from crosspost.publisher import Status
from crosspost.testing import run_publish
from crosspost.testing import sample_document as make_doc

HEADERS = {"api-key": "k", "Accept": V1_ACCEPT}


def post(fake: FakeDevTo, article: dict[str, object], *, token: str = "k") -> httpx.Response:
    headers = {**HEADERS, "api-key": token}
    return httpx.post(f"{fake.url}/api/articles", json={"article": article}, headers=headers)


def test_tags_reach_forem_as_an_array(sandbox_factory):
    """Forem permits `tags` only as an array: the adapter must send one, and a string is lost."""
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    doc = make_doc("tags", tags=("Python", "Social Media"))
    run_publish(sandbox.config, [doc])
    (sent,) = [r for r in fake.requests if r.method == "POST"]
    assert sent.json()["article"]["tags"] == ["python", "socialmedia"]
    (article,) = fake.by_canonical(doc.canonical_url)
    assert article["tags"] == ["python", "socialmedia"]


def test_the_fake_drops_a_string_of_tags_as_forems_strong_parameters_do():
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        answer = post(fake, {"title": "t", "body_markdown": "b", "tags": "python, web"})
        assert answer.status_code == 201, "Forem accepts the request..."
        assert answer.json()["tags"] == [], "...and the unpermitted string never arrives"


def test_a_removed_series_is_cleared_with_an_explicit_null(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    doc = make_doc("series", series="Journey")
    run_publish(sandbox.config, [doc])
    assert fake.by_canonical(doc.canonical_url)[0]["series"] == "Journey"
    report = run_publish(sandbox.config, [replace(doc, series=None, source_hash="sha256:2")])
    assert [r.status for r in report.results] == [Status.UPDATED]
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert put.json()["article"]["series"] is None
    assert fake.by_canonical(doc.canonical_url)[0]["series"] is None


def test_the_fake_keeps_the_series_when_it_is_left_out():
    """Forem's Articles::Attributes: an omitted `series` leaves the article in its series."""
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        created = post(fake, {"title": "t", "body_markdown": "b", "series": "S"}).json()
        put = httpx.put(
            f"{fake.url}/api/articles/{created['id']}",
            json={"article": {"title": "t2"}},
            headers=HEADERS,
        )
        assert put.status_code == 200
        assert fake.articles[0]["series"] == "S"


def test_back_to_back_writes_get_forems_throttle_answer():
    """rack_attack.rb: about one write per second per user; the throttle answers 429 with a
    text/plain "Retry later" body and `Retry-After: 1`."""
    with FakeDevTo(tokens=("k",)) as fake:
        # Rack::Attack counts in fixed windows: of writes sent back to back, one meets another
        # in the same second (a slow machine may straddle a boundary once, hence several).
        answers = [post(fake, {"title": f"t{i}", "body_markdown": f"b{i}"}) for i in range(4)]
        assert answers[0].status_code == 201
        second = next(a for a in answers if a.status_code != 201)
        assert second.status_code == 429
        assert second.headers["content-type"].startswith("text/plain")
        assert second.text == "Retry later\n"
        assert second.headers["retry-after"] == "1"


def test_a_normal_run_never_meets_the_per_second_throttles(sandbox_factory):
    """Pacing covers one write per second and three reads per second, not only 10 creates per
    30 s: an update run and a create run over several posts see no 429 at all."""
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    docs = [make_doc(f"paced{i}") for i in range(6)]
    assert run_publish(sandbox.config, docs).exit_code == 0
    edited = [replace(d, body="Edited\n", source_hash=d.source_hash + "x") for d in docs]
    assert run_publish(sandbox.config, edited).exit_code == 0
    assert fake.rate_limited == 0


def test_canonical_url_is_unique_across_accounts():
    """Another account's article holding the URL also refuses it (site-wide uniqueness)."""
    with FakeDevTo(tokens=("k", "other"), time_scale=0.001) as fake:
        url = "https://blog.example.com/shared/"
        first = post(
            fake, {"title": "a", "body_markdown": "a", "canonical_url": url}, token="other"
        )
        assert first.status_code == 201
        mine = post(fake, {"title": "b", "body_markdown": "b", "canonical_url": url})
        assert mine.status_code == 422
        assert mine.json()["error"] == "Canonical url has already been taken"


def test_someone_elses_article_holding_the_url_needs_attention(sandbox_factory):
    sandbox = sandbox_factory(["devto"])
    fake = sandbox.fakes["devto"]
    doc = make_doc("squatted")
    fake.tokens.add("stranger")
    answer = post(
        fake,
        {"title": "x", "body_markdown": "x", "canonical_url": doc.canonical_url},
        token="stranger",
    )
    assert answer.status_code == 201
    report = run_publish(sandbox.config, [doc])
    assert [r.status for r in report.results] == [Status.ATTENTION]
    assert "another account" in report.results[0].message
    assert len(fake.by_canonical(doc.canonical_url)) == 1, "nothing of ours was created"


def test_an_identical_body_is_refused():
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        assert post(fake, {"title": "same", "body_markdown": "same body"}).status_code == 201
        again = post(fake, {"title": "same", "body_markdown": "same body"})
        assert again.status_code == 422
        assert again.json()["error"] == "Body markdown has already been taken"


def test_a_drafts_temp_slug_url_changes_when_published():
    with FakeDevTo(tokens=("k",), time_scale=0.001) as fake:
        draft = post(fake, {"title": "Hello", "body_markdown": "x", "published": False}).json()
        assert "-temp-slug-" in draft["url"]
        import time

        time.sleep(0.01)
        live = httpx.put(
            f"{fake.url}/api/articles/{draft['id']}",
            json={"article": {"published": True}},
            headers=HEADERS,
        ).json()
        assert "-temp-slug-" not in live["url"] and live["url"] != draft["url"]


def test_a_published_drafts_new_url_is_recorded(sandbox_factory):
    """The draft's `-temp-slug-` URL dies when it is published: the records follow the URL the
    publishing update answers with, so links (the Mastodon toot, status) never point at it."""
    from crosspost.records import Records

    sandbox = sandbox_factory(["devto"])
    doc = make_doc("slugged")
    run_publish(sandbox.config, [doc], draft=True)
    draft = Records.read(sandbox.config.records).get(doc.canonical_url, "devto")
    assert draft is not None and "-temp-slug-" in (draft.url or "")
    report = run_publish(sandbox.config, [doc])
    live = Records.read(sandbox.config.records).get(doc.canonical_url, "devto")
    assert live is not None and "-temp-slug-" not in (live.url or "")
    assert report.results[0].url == live.url != draft.url


def test_show_answers_only_published_articles_and_update_only_the_keys_own():
    """Forem's articles_controller.rb concern: `show` is `Article.published...find(params[:id])`
    (a draft is a 404 to anyone, its author included), and `update` looks the id up in
    `@user.articles` (another user's article is a 404, and stays as it was)."""
    with FakeDevTo(tokens=("k", "other"), time_scale=0.001) as fake:
        draft = post(fake, {"title": "Draft", "body_markdown": "d", "published": False}).json()
        live = post(fake, {"title": "Live", "body_markdown": "l", "published": True}).json()
        shown = {
            name: httpx.get(f"{fake.url}/api/articles/{article['id']}", headers=HEADERS)
            for name, article in (("draft", draft), ("live", live))
        }
        assert shown["draft"].status_code == 404
        assert shown["draft"].json() == {"error": "not found", "status": 404}
        assert shown["live"].status_code == 200 and shown["live"].json()["id"] == live["id"]
        stranger = httpx.put(
            f"{fake.url}/api/articles/{live['id']}",
            json={"article": {"title": "Taken over"}},
            headers={**HEADERS, "api-key": "other"},
        )
        assert stranger.status_code == 404
        assert fake.articles[1]["title"] == "Live"
