"""Post file → Document: every generator's front matter, each rule of docs/architecture.md §3, bad
input."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crosspost
from crosspost.config import Config, SiteConfig, load_config
from crosspost.discover import _paths, find_posts
from crosspost.document import Document
from crosspost.errors import ConfigError, SourceError
from crosspost.postfile import MAX_BYTES
from crosspost.postwalk import is_post_name, post_files
from crosspost.sources import load_post, parse_text

SITE = "https://blog.example.com"
Write = Callable[..., Path]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(root=tmp_path, site=SiteConfig(url=SITE))


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """write("name.md", "front matter body", folder=...) → the file's path."""

    def make(name: str, text: str, *, raw: bytes | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return make


def load(write: Write, config: Config, text: str, name: str = "post.md") -> Document:
    return load_post(write(name, text), config)


def source_error(write: Write, config: Config, text: str, name: str = "post.md") -> SourceError:
    path = write(name, text)
    with pytest.raises(SourceError) as caught:
        load_post(path, config)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    return caught.value


# --------------------------------------------------------------------------- generators


def test_fuwari_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: Simple Guides for Fuwari
        published: 2024-04-01
        updated: 2024-04-02
        description: "How to use this blog template."
        image: ""
        tags: [Fuwari, Blogging]
        category: Guides
        draft: false
        lang: ""
        ---
        Body.
        """,
    )
    assert doc.title == "Simple Guides for Fuwari"
    assert doc.date == datetime(2024, 4, 1, tzinfo=UTC)
    assert doc.updated == datetime(2024, 4, 2, tzinfo=UTC)
    assert doc.description == "How to use this blog template."
    assert doc.cover is None  # image: "" is unset
    assert doc.tags == ("Fuwari", "Blogging")
    assert doc.category == "Guides"
    assert doc.draft is False
    assert doc.lang is None  # lang: "" is unset
    assert doc.canonical_url == f"{SITE}/posts/post/"
    assert doc.extra == {}


def test_astro_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: "Markdown Admonitions"
        description: "Admonitions in Astro Cactus"
        pubDate: "25 Aug 2024"
        updatedDate: "4 July 2025"
        heroImage: "https://cdn.example.com/hero.png"
        tags: ["markdown", "admonitions"]
        ---
        Body.
        """,
    )
    assert doc.date == datetime(2024, 8, 25, tzinfo=UTC)
    assert doc.updated == datetime(2025, 7, 4, tzinfo=UTC)
    assert doc.cover is not None and doc.cover.url == "https://cdn.example.com/hero.png"
    assert doc.cover.path is None


def test_astro_cover_mapping_and_metadata_canonical(write: Write, config: Config) -> None:
    config = replace(config, site=replace(config.site, hosts=("astrowind.example",)))
    doc = load(
        write,
        config,
        """
        ---
        title: Cover
        publishDate: 2023-07-17T00:00:00Z
        coverImage:
          src: "https://cdn.example.com/c.png"
          alt: "Astro wallpaper"
        metadata:
          canonical: https://astrowind.example/landing
        ---
        Body.
        """,
    )
    assert doc.cover is not None and doc.cover.alt == "Astro wallpaper"
    assert doc.canonical_url == "https://astrowind.example/landing"
    assert doc.extra["metadata"] == {"canonical": "https://astrowind.example/landing"}


def test_hugo_yaml_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: "[English] Creating a New Theme"
        date: 2017-08-31T15:43:48+08:00
        lastmod: 2017-09-01T10:00:00+08:00
        summary: A theme from scratch.
        images: ["https://cdn.example.com/one.png", "https://cdn.example.com/two.png"]
        tags: ["preview", "English"]
        categories: ["English", "Themes"]
        author: "Michael Henderson"
        ---
        Body.
        """,
    )
    assert doc.date == datetime(2017, 8, 31, 15, 43, 48, tzinfo=timezone(timedelta(hours=8)))
    assert doc.updated is not None and doc.updated.day == 1
    assert doc.description == "A theme from scratch."
    assert doc.cover is not None and doc.cover.url == "https://cdn.example.com/one.png"
    assert doc.category == "English"
    assert doc.extra == {"author": "Michael Henderson"}


def test_hugo_toml_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        +++
        authors = ["Lone Coder"]
        title = "Emoji Support"
        date = "2023-07-07"
        description = "Guide to emoji usage in Hugo"
        tags = ["hugo", "markdown"]
        categories = ["syntax"]
        series = ["Theme Demo"]
        draft = true
        +++
        Body.
        """,
    )
    assert doc.title == "Emoji Support"
    assert doc.date == datetime(2023, 7, 7, tzinfo=UTC)
    assert doc.tags == ("hugo", "markdown")
    assert doc.series == "Theme Demo"
    assert doc.draft is True
    assert doc.extra == {"authors": ["Lone Coder"]}


def test_jekyll_date_and_slug_from_file_name(write: Write, config: Config) -> None:
    doc = load(
        write,
        Config(root=config.root, site=SiteConfig(url=SITE, profile="jekyll")),
        """
        ---
        layout: post
        title: "Welcome to Jekyll!"
        categories: jekyll update
        ---
        Body.
        """,
        name="_posts/2016-05-20-welcome-to-jekyll.md",
    )
    assert doc.slug == "welcome-to-jekyll"
    assert doc.date == datetime(2016, 5, 20, tzinfo=UTC)
    assert doc.category == "jekyll"
    assert doc.canonical_url == f"{SITE}/jekyll/update/2016/05/20/welcome-to-jekyll.html"
    assert doc.extra == {"layout": "post"}


def test_a_jekyll_post_without_a_title_is_titled_from_its_file_name_as_jekyll_does(
    write: Write, config: Config
) -> None:
    path = write("_posts/2016-05-20-my-example-post.md", "---\nlayout: post\n---\nBody.\n")
    doc = load_post(path, config)
    assert doc.title == "My Example Post" and doc.slug == "my-example-post"
    (notice,) = [n for n in doc.notices if n.code == "title-from-file-name"]
    assert "'My Example Post'" in notice.message
    elsewhere = write("posts/2016-05-20-my-example-post.md", "---\nlayout: post\n---\nBody.\n")
    with pytest.raises(SourceError, match="no title"):
        load_post(elsewhere, config)  # only Jekyll's _posts folder has that rule


def test_jekyll_space_separated_date(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: 'Jekyll 1.5.1 Released'
        date: 2014-03-27 22:43:48 -0400
        category: release
        ---
        Body.
        """,
        name="2014-03-27-jekyll-1-5-1-released.markdown",
    )
    assert doc.date == datetime(2014, 3, 27, 22, 43, 48, tzinfo=timezone(timedelta(hours=-4)))
    assert doc.category == "release"
    assert doc.slug == "jekyll-1-5-1-released"


def test_eleventy_single_tag_string(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: This is my first post.
        description: This is a post on My Blog about agile frameworks.
        date: 2018-05-01
        tags: another tag
        ---
        Body.
        """,
    )
    assert doc.tags == ("another tag",)


def test_docusaurus_slug_authors_and_truncate(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        slug: closure
        title: 闭包
        authors: [1adybug]
        date: 2024-05-31
        tags: []
        ---
        The summary part.

        <!-- truncate -->

        The rest of the post.
        """,
        name="blog/2024-05-31-closure/index.mdx",
    )
    assert doc.slug == "closure"
    assert doc.tags == ()
    assert doc.description == "The summary part."
    assert "truncate" not in doc.body
    assert doc.extra == {"authors": ["1adybug"]}


def test_zola_taxonomies_and_extra(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        +++
        title = "Table of Contents"
        date = 2022-11-01
        updated = 2024-01-01
        description = "How to add a table of contents"

        [taxonomies]
        tags = ["showcase", "markdown"]
        categories = ["Guides"]

        [extra]
        cover = "https://cdn.example.com/toc.png"
        toc = true
        +++
        Body.
        """,
        name="content/blog/toc/index.md",
    )
    assert doc.tags == ("showcase", "markdown")
    assert doc.category == "Guides"
    assert doc.cover is not None and doc.cover.url == "https://cdn.example.com/toc.png"
    assert doc.slug == "toc"
    assert doc.extra["extra"] == {"cover": "https://cdn.example.com/toc.png", "toc": True}


def test_gatsby_iso_date_with_milliseconds(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: Hello World
        date: "2015-05-01T22:12:03.284Z"
        ---
        Body.
        """,
        name="content/blog/hello-world/index.md",
    )
    assert doc.date == datetime(2015, 5, 1, 22, 12, 3, 284000, tzinfo=UTC)
    assert doc.slug == "hello-world"


def test_devto_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        published: false
        title: "Your title"
        cover_image: "https://raw.githubusercontent.com/x/y/cover.png"
        description: "Description of the article"
        tags: tag1, tag2, tag3
        series:
        canonical_url:
        ---
        Body.
        """,
    )
    assert doc.draft is True
    assert doc.date is None  # published: false is the draft flag, not a date
    assert doc.tags == ("tag1", "tag2", "tag3")
    assert doc.series is None
    assert doc.canonical_url == f"{SITE}/posts/post/"  # empty canonical_url: built from the site
    assert doc.cover is not None and doc.cover.url is not None
    assert doc.cover.url.endswith("/cover.png")


def test_devto_published_true_is_not_a_draft(write: Write, config: Config) -> None:
    doc = load(write, config, "---\npublished: true\ntitle: T\n---\nBody.\n")
    assert doc.draft is False and doc.date is None


def test_hashnode_export(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: "Understanding the Underscore in Flutter"
        seoDescription: "What _ means"
        datePublished: Mon Oct 21 2024 03:03:44 GMT+0000 (Coordinated Universal Time)
        cuid: cm2ifmtcq000009ky714980wu
        slug: understanding-the-underscore-in-flutter
        cover: https://cdn.hashnode.com/res/hashnode/image/upload/x.jpeg
        tags: flutter, clean-code, Flutter

        ---
        Body.
        """,
    )
    assert doc.date == datetime(2024, 10, 21, 3, 3, 44, tzinfo=UTC)
    assert doc.description == "What _ means"
    assert doc.slug == "understanding-the-underscore-in-flutter"
    assert doc.tags == ("flutter", "clean-code")
    assert doc.extra == {"cuid": "cm2ifmtcq000009ky714980wu"}


def test_json_front_matter(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        '{\n  "title": "JSON {works}",\n  "date": "2024-03-02",\n  "tags": ["hugo"]\n}\n\nBody.\n',
    )
    assert doc.title == "JSON {works}"
    assert doc.tags == ("hugo",)
    assert doc.body == "Body.\n"


def test_bom_and_crlf(write: Write, config: Config) -> None:
    raw = "\ufeff---\r\ntitle: BOM\r\ntags: [a]\r\n---\r\n\r\nLine one\r\n#tag\r\n".encode()
    doc = load_post(write("bom.md", "", raw=raw), config)
    assert doc.title == "BOM"
    assert "\r" not in doc.body
    assert [n.line for n in doc.notices] == [7]  # lines of the original file, BOM or not


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("[a, b, A, c]", ("a", "b", "c")),
        ("'Social Media, Growth, social media'", ("Social Media", "Growth")),
        ("[2024, python]", ("2024", "python")),
        ("[' spaced ', '']", ("spaced",)),
        ("\n  - Social Media\n  - Growth", ("Social Media", "Growth")),
        ("[]", ()),
        ("", ()),
    ],
)
def test_tag_forms(write: Write, config: Config, tags: str, expected: tuple[str, ...]) -> None:
    doc = load(write, config, f"---\ntitle: T\ntags: {tags}\n---\nBody.\n")
    assert doc.tags == expected


def test_keywords_are_tags_when_tags_are_missing(write: Write, config: Config) -> None:
    doc = load(write, config, "---\ntitle: T\nkeywords: [x, y]\n---\nBody.\n")
    assert doc.tags == ("x", "y")


@pytest.mark.parametrize("bad", ["[{a: 1}]", "[[nested]]", "[on, off]"])
def test_tags_that_are_not_words(write: Write, config: Config, bad: str) -> None:
    exc = source_error(write, config, f"---\ntitle: T\ntags: {bad}\n---\nBody.\n")
    assert exc.field == "tags" and exc.line == 3
    assert "item 1" in exc.message and exc.hint


@pytest.mark.parametrize(
    ("name", "front", "slug", "lang"),
    [
        ("my-post.md", "", "my-post", None),
        ("guide/index.md", "", "guide", None),
        ("guide/index.mdx", "", "guide", None),
        ("Image Gallery/index.ja.md", "", "Image-Gallery", "ja"),
        ("shortcodes/index.zh-hant-tw.md", "", "shortcodes", "zh-hant-tw"),
        ("external-post.pt-br.md", "", "external-post", "pt-br"),
        ("node.js.md", "", "node.js", None),
        ("_posts/2020-03-01-whats-jekyll.md", "", "whats-jekyll", None),
        ("2024-01-11-bundle/index.md", "", "bundle", None),
        ("x.md", "slug: /custom-slug/\n", "custom-slug", None),
        ("x.fr.md", "lang: de\n", "x", "de"),
        ("x.md", "language: en-GB\n", "x", "en-GB"),
    ],
)
def test_slug_and_language(
    write: Write, config: Config, name: str, front: str, slug: str, lang: str | None
) -> None:
    doc = load(write, config, f"---\ntitle: T\ndate: 2024-01-01\n{front}---\nBody.\n", name)
    assert (doc.slug, doc.lang) == (slug, lang)


def test_links_to_other_post_files_become_their_urls(tmp_path: Path, write: Write) -> None:
    config = Config(root=tmp_path, site=SiteConfig(url=SITE, profile="docusaurus"))
    write("blog/2024-01-01-other.md", "---\ntitle: Other\n---\nBack to [one](./one.md)\n")
    write("blog/slugged.mdx", "---\ntitle: S\nslug: custom\n---\nx\n")
    write("blog/broken.md", "no front matter\n")
    write("blog/README.md", "# notes\n")
    doc = load(
        write,
        config,
        """
        ---
        title: One
        ---
        [a](./2024-01-01-other.md#part) [b](slugged.mdx) [c](./README.md) [d](./gone.md)
        [e](./broken.md) <a href="2024-01-01-other.md">f</a>

            [code](./2024-01-01-other.md)
        """,
        name="blog/one.md",
    )
    # Docusaurus serves a dated file without a slug under its date (tests/generators proves it)
    assert "[a](https://blog.example.com/blog/2024/01/01/other#part)" in doc.body
    assert "[b](https://blog.example.com/blog/custom)" in doc.body
    assert "[c](https://blog.example.com/blog/README.md)" in doc.body  # not a post: as before
    assert "[d](https://blog.example.com/blog/gone.md)" in doc.body
    assert "[e](https://blog.example.com/blog/broken.md)" in doc.body
    assert '<a href="https://blog.example.com/blog/2024/01/01/other">f</a>' in doc.body
    assert "    [code](./2024-01-01-other.md)" in doc.body
    # the other post links back: each is read for its address only, never in turn
    other = load_post(tmp_path / "blog/2024-01-01-other.md", config)
    assert "[one](https://blog.example.com/blog/one)" in other.body


def test_a_link_to_a_post_file_outside_the_blog_is_not_read(tmp_path: Path, write: Write) -> None:
    blog = tmp_path / "blog"
    config = Config(root=blog, site=SiteConfig(url=SITE))
    write("secret.md", "---\ntitle: Secret\nslug: leaked\n---\nx\n")
    doc = load(write, config, "---\ntitle: T\n---\n[x](../secret.md)\n", name="blog/t.md")
    assert "leaked" not in doc.body


def test_slug_without_a_file_comes_from_the_title(config: Config) -> None:
    doc = parse_text("---\ntitle: Hello, World!\n---\nBody.\n", config=config)
    assert doc.slug == "hello-world"
    assert doc.source is None


@pytest.mark.parametrize(
    ("permalink", "expected"),
    [
        ("/posts/{slug}/", "/posts/my-post/"),
        ("/{year}/{month}/{day}/{slug}.html", "/2024/01/09/my-post.html"),
        ("/{category}/{slug}/", "/web-dev/my-post/"),
        ("/{categories}/{slug}/", "/web-dev/python/my-post/"),
        ("/{lang}/{slug}/", "/fr/my-post/"),
        ("/blog/{lang}/{slug}", "/blog/fr/my-post"),
    ],
)
def test_permalink_placeholders(
    tmp_path: Path, write: Write, permalink: str, expected: str
) -> None:
    config = Config(root=tmp_path, site=SiteConfig(url=SITE + "/", permalink=permalink))
    text = "---\ntitle: T\ndate: 2024-01-09\ncategories: [Web Dev, Python]\nlang: fr\n---\nB\n"
    assert load(write, config, text, "my-post.md").canonical_url == SITE + expected


def test_empty_placeholders_collapse(tmp_path: Path, write: Write) -> None:
    config = Config(
        root=tmp_path, site=SiteConfig(url=SITE, permalink="/{categories}/{lang}/{slug}/")
    )
    assert load(write, config, "---\ntitle: T\n---\nB\n", "a.md").canonical_url == SITE + "/a/"


def test_permalink_percent_encodes_the_slug(write: Write, config: Config) -> None:
    doc = load(write, config, "---\ntitle: T\nslug: 闭包 and more\n---\nB\n")
    assert doc.canonical_url == SITE + "/posts/%E9%97%AD%E5%8C%85%20and%20more/"


def test_front_matter_canonical_wins(write: Write, config: Config) -> None:
    """On a host of the blog's own that [site] hosts lists (issue 13: never anyone's URL)."""
    config = replace(config, site=replace(config.site, hosts=("elsewhere.example",)))
    for key in ("canonical_url", "canonicalURL", "canonical"):
        doc = load(write, config, f"---\ntitle: T\n{key}: https://elsewhere.example/p/\n---\nB\n")
        assert doc.canonical_url == "https://elsewhere.example/p/"


def test_a_canonical_url_on_another_host_is_refused(write: Write, config: Config) -> None:
    exc = source_error(
        write, config, "---\ntitle: T\ncanonical_url: https://elsewhere.example/p/\n---\nB\n"
    )
    assert exc.field == "canonical_url" and "is not on the site" in str(exc)


def test_root_relative_canonical_joins_the_site(write: Write, config: Config) -> None:
    doc = load(write, config, "---\ntitle: T\ncanonical_url: /notes/t/\n---\nB\n")
    assert doc.canonical_url == SITE + "/notes/t/"


def test_no_site_url_and_no_canonical(write: Write, tmp_path: Path) -> None:
    exc = source_error(write, Config(root=tmp_path), "---\ntitle: T\n---\nB\n")
    assert exc.field == "canonical_url"
    assert "site" in str(exc) and "crosspost.toml" in str(exc) and "canonical_url" in str(exc)


def test_permalink_with_a_date_needs_a_date(tmp_path: Path, write: Write) -> None:
    config = Config(root=tmp_path, site=SiteConfig(url=SITE, permalink="/{year}/{slug}/"))
    exc = source_error(write, config, "---\ntitle: T\n---\nB\n")
    assert exc.field == "date"


def test_unknown_permalink_placeholder_is_a_config_error(tmp_path: Path, write: Write) -> None:
    config = Config(root=tmp_path, site=SiteConfig(url=SITE, permalink="/{author}/{slug}/"))
    with pytest.raises(ConfigError, match="author"):
        load(write, config, "---\ntitle: T\n---\nB\n")


def test_unknown_time_zone_asks_for_an_iana_name(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "crosspost.toml")
    assert caught.value.field == "site.timezone" and caught.value.line == 2
    assert caught.value.hint == "use an IANA time zone name such as Europe/Paris, or UTC"


@pytest.mark.parametrize("text", ["2024-03-09", "2024-03-09 23:30", "2024-03-09T23:30:00"])
def test_the_default_zone_dates_a_post_as_the_iana_utc_zone_does(
    tmp_path: Path, write: Write, text: str
) -> None:
    """UTC, the default, is `datetime.UTC` (no `zoneinfo` import): a date written without a
    zone comes out as the IANA zone `Etc/UTC` gives it, offset and text alike."""
    dates = []
    for zone in ("UTC", "Etc/UTC"):
        config = Config(root=tmp_path, site=SiteConfig(url=SITE, timezone=zone))
        doc = load(write, config, f"---\ntitle: T\ndate: {text}\n---\nB\n")
        assert doc.date is not None
        dates.append((doc.date, doc.date.utcoffset(), doc.date.isoformat(), doc.canonical_url))
    assert dates[0] == dates[1]


def test_extra_is_read_only_and_json_ready(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        """
        ---
        title: T
        when: 2024-01-01
        at: 2024-01-01 10:00:00
        nested: {deep: [2024-02-02, 1.5, null]}
        ---
        B
        """,
    )
    assert doc.extra == {
        "when": "2024-01-01",
        "at": "2024-01-01T10:00:00",
        "nested": {"deep": ["2024-02-02", 1.5, None]},
    }
    with pytest.raises(TypeError):
        doc.extra["when"] = "x"  # type: ignore[index]


def test_naive_dates_use_the_site_time_zone(tmp_path: Path, write: Write) -> None:
    config = Config(root=tmp_path, site=SiteConfig(url=SITE, timezone="Asia/Tokyo"))
    doc = load(write, config, "---\ntitle: T\ndate: 2024-01-11 09:30\n---\nB\n")
    assert doc.date is not None and doc.date.utcoffset() == timedelta(hours=9)


def test_description_falls_back_to_the_first_paragraph(write: Write, config: Config) -> None:
    doc = load(
        write,
        config,
        "---\ntitle: T\n---\n# T\n\n![img](./a.png)\n\n"
        "First **real** `paragraph`\nhere.\n\nSecond.\n",
    )
    assert doc.description == "First real paragraph here."
    assert doc.excerpt == "First real paragraph here. Second."


def test_excerpt_is_cut_at_a_word(write: Write, config: Config) -> None:
    doc = load(write, config, "---\ntitle: T\n---\n" + "word " * 200 + "\n")
    assert len(doc.excerpt) <= 300 and doc.excerpt.endswith("word…")


def test_source_and_hash(write: Write, config: Config) -> None:
    path = write("p.md", "---\ntitle: T\n---\nB\n")
    doc = load_post(path, config)
    import hashlib

    assert doc.source == path
    assert doc.source_hash == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_post_finds_the_config_itself(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "https://found.example"\n')
    post = tmp_path / "content" / "posts" / "p.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ntitle: T\n---\nB\n")
    assert load_post(post).canonical_url == "https://found.example/posts/p/"


def test_title_control_and_bidi_characters_are_removed(write: Write, config: Config) -> None:
    doc = load(write, config, '---\ntitle: "Safe\\u202e txt.exe\\u0007 title"\n---\nB\n')
    assert doc.title == "Safe txt.exe title"
    assert [(n.code, n.line, n.field) for n in doc.notices] == [("title-cleaned", 2, "title")]


def test_multi_line_title_is_one_line(write: Write, config: Config) -> None:
    doc = load(write, config, "---\ntitle: >\n  A long\n  title\n---\nB\n")
    assert doc.title == "A long title" and doc.notices == ()


# --------------------------------------------------------------------------- cover


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "src" / "content" / "posts" / "bundle"
    folder.mkdir(parents=True)
    (folder / "cover.png").write_bytes(PNG)
    return folder


def cover_post(folder: Path, value: str, config: Config) -> Document:
    path = folder / "index.md"
    path.write_text(f"---\ntitle: T\ncover: {value}\n---\nB\n")
    return load_post(path, config)


def test_local_cover_inside_the_root(bundle: Path, config: Config) -> None:
    doc = cover_post(bundle, "./cover.png", config)
    assert doc.cover is not None
    assert doc.cover.url == SITE + "/posts/bundle/cover.png"
    assert doc.cover.path == (bundle / "cover.png").resolve()
    assert doc.cover.read_bytes() == PNG
    assert doc.notices == ()


@pytest.mark.parametrize("profile", ["astro", "fuwari"])
def test_an_astro_cover_in_src_has_no_knowable_url(
    tmp_path: Path, bundle: Path, profile: str
) -> None:
    """Astro publishes images under src/ as /_astro/x.<hash>.webp: the URL computed from the
    source would not be found (tests/generators/test_astro.py shows it on a real build)."""
    astro = Config(root=tmp_path, site=SiteConfig(url=SITE, profile=profile))
    doc = cover_post(bundle, "./cover.png", astro)
    assert doc.cover is not None and doc.cover.path == (bundle / "cover.png").resolve()
    assert [(n.code, n.line) for n in doc.notices] == [("cover-url-unknown", 3)]
    assert "set [site] build" in doc.notices[0].message
    built = Config(root=tmp_path, site=SiteConfig(url=SITE, profile=profile, build="dist"))
    assert [n.code for n in cover_post(bundle, "./cover.png", built).notices] == ["build"]
    (tmp_path / "public" / "img").mkdir(parents=True)
    (tmp_path / "public" / "img" / "x.png").write_bytes(PNG)
    assert cover_post(bundle, "/img/x.png", astro).notices == (), "public/ is served as is"


def test_root_relative_cover_from_public(tmp_path: Path, bundle: Path, config: Config) -> None:
    (tmp_path / "public" / "img").mkdir(parents=True)
    (tmp_path / "public" / "img" / "x.png").write_bytes(PNG)
    doc = cover_post(bundle, "/img/x.png", config)
    assert doc.cover is not None and doc.cover.url == SITE + "/img/x.png"
    assert doc.cover.path == (tmp_path / "public" / "img" / "x.png").resolve()


@pytest.mark.parametrize(
    ("name", "content"),
    [(".env", b"SECRET_KEY=abc\n"), ("id_rsa.png", b"-----BEGIN OPENSSH PRIVATE KEY-----")],
)
def test_a_cover_that_is_not_an_image_is_never_uploaded(
    bundle: Path, config: Config, name: str, content: bytes
) -> None:
    (bundle / name).write_bytes(content)
    doc = cover_post(bundle, f"./{name}", config)
    assert doc.cover is not None and doc.cover.path is None
    assert [n.code for n in doc.notices] == ["cover-not-image"]


def test_missing_cover_keeps_the_url(bundle: Path, config: Config) -> None:
    doc = cover_post(bundle, "./nope.png", config)
    assert doc.cover is not None and doc.cover.path is None
    assert doc.cover.url == SITE + "/posts/bundle/nope.png"
    assert [(n.code, n.line) for n in doc.notices] == [("cover-missing", 3)]


def test_cover_escaping_the_root_is_not_read(tmp_path: Path, config: Config) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(b"secret")
    root = tmp_path / "blog"
    folder = root / "posts" / "p"
    folder.mkdir(parents=True)
    blog = Config(root=root, site=SiteConfig(url=SITE))
    doc = cover_post(folder, f"../../../../{outside.name}", blog)
    assert doc.cover is not None and doc.cover.path is None
    assert [n.code for n in doc.notices] == ["cover-outside"]


def test_cover_symlink_out_of_the_root_is_not_read(tmp_path: Path, bundle: Path) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("token")
    os.symlink(secret, bundle / "link.png")
    doc = cover_post(bundle, "./link.png", Config(root=tmp_path, site=SiteConfig(url=SITE)))
    assert doc.cover is not None and doc.cover.path is None
    assert [n.code for n in doc.notices] == ["cover-outside"]
    with pytest.raises(FileNotFoundError):
        doc.cover.read_bytes()


def test_cover_that_is_a_folder(bundle: Path, config: Config) -> None:
    (bundle / "dir.png").mkdir()
    doc = cover_post(bundle, "./dir.png", config)
    assert doc.cover is not None and doc.cover.path is None
    assert [n.code for n in doc.notices] == ["cover-not-file"]


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "'JaVaScRiPt:alert(1)'",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
    ],
)
def test_cover_with_a_dangerous_scheme(bundle: Path, config: Config, value: str) -> None:
    with pytest.raises(SourceError) as caught:
        cover_post(bundle, value, config)
    assert caught.value.field == "cover" and caught.value.line == 3
    assert "index.md" in str(caught.value)


def test_protocol_relative_cover(bundle: Path, config: Config) -> None:
    doc = cover_post(bundle, "//cdn.example.com/x.png", config)
    assert doc.cover is not None and doc.cover.url == "https://cdn.example.com/x.png"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("Just text, no front matter.\n", 1, None, "no front matter"),
        ("---\ntitle: T\ndate: 2024-01-01\n\nBody\n", 1, None, "never closed"),
        ("+++\ntitle = 'T'\n", 1, None, "never closed"),
        ("---\ntitle: T\ntags: [a, b\n---\nB\n", 4, None, "YAML syntax error"),
        ('+++\ntitle = "T"\ndate = {{ .Date }}\n+++\nB\n', 3, None, "TOML syntax error"),
        ('{\n  "title": "T",\n  "tags": [1,]\n}\nB\n', 3, None, "JSON syntax error"),
        ("---\ntitle: T\ntags:\n\t- broken\n---\nB\n", 4, None, "tab"),
        ("---\ndate: 2024-01-01\n---\nB\n", 1, "title", "no title"),
        ("---\ntitle: ''\n---\nB\n", 2, "title", "no title"),
        ("---\ntitle: [a, list]\n---\nB\n", 2, "title", "must be text"),
        ("---\ntitle: 42\n---\nB\n", 2, "title", "must be text"),
        (
            "---\ntitle: T\ndate: Janaury 11\n---\nB\n",
            3,
            "date",
            "cannot read 'Janaury 11' as a date",
        ),
        ("---\ntitle: T\npubDate: 2024-02-30\n---\nB\n", 3, "pubDate", "as a date"),
        ("---\ntitle: T\ndraft: maybe\n---\nB\n", 3, "draft", "true or false"),
        ("---\n- a\n- b\n---\nB\n", 2, None, "key: value"),
        ("---js\nconst title = 'x'\n---\nB\n", 1, None, "'js'"),
        ("---\ntitle: T\ncanonical_url: not a url\n---\nB\n", 3, "canonical_url", "absolute"),
        ("---\ntitle: \u202e\n---\nB\n", 2, "title", "empty"),
    ],
)
def test_bad_front_matter(
    write: Write, config: Config, text: str, line: int, field: str | None, words: str
) -> None:
    exc = source_error(write, config, text)
    assert words in str(exc)
    assert exc.line == line
    assert exc.field == field
    if field:
        assert f"field '{field}'" in str(exc)
    assert exc.hint or "never closed" in str(exc)


def test_date_error_message_reads_well(write: Write, config: Config) -> None:
    path = write("p.md", "---\ntitle: T\ndate: Janaury 11\n---\nB\n")
    with pytest.raises(SourceError) as caught:
        load_post(path, config)
    assert str(caught.value).startswith(
        f"{path}:3: field 'date': cannot read 'Janaury 11' as a date (use YYYY-MM-DD"
    )


def test_alias_bomb(write: Write, config: Config) -> None:
    lines = ["---", "title: Bomb", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    exc = source_error(write, config, "\n".join([*lines, "---", "B"]))
    assert "aliases" in str(exc) and exc.line == 2


def test_recursive_alias(write: Write, config: Config) -> None:
    exc = source_error(write, config, "---\ntitle: T\nloop: &l [*l]\n---\nB\n")
    assert "aliases" in str(exc)


def test_deep_nesting(write: Write, config: Config) -> None:
    exc = source_error(write, config, "---\ntitle: T\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nB\n")
    assert exc.path is not None


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (b"---\ntitle: Latin-1 \xe9t\xe9\n---\n", 2, "not UTF-8"),
        (b"---\ntitle: T\n---\n\x00\x01binary", 4, "NUL"),
        (b"\xff\xfe-\x00-\x00-\x00", 1, "UTF-16"),
        (b"", None, "empty"),
    ],
)
def test_bad_bytes(write: Write, config: Config, raw: bytes, line: int | None, words: str) -> None:
    path = write("p.md", "", raw=raw)
    with pytest.raises(SourceError) as caught:
        load_post(path, config)
    assert words in str(caught.value) and caught.value.line == line
    assert str(path) in str(caught.value)


def test_folder_is_not_a_post(tmp_path: Path, config: Config) -> None:
    with pytest.raises(SourceError, match="folder") as caught:
        load_post(tmp_path, config)
    assert caught.value.path == tmp_path and caught.value.hint


def test_missing_file(tmp_path: Path, config: Config) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load_post(tmp_path / "nope.md", config)


def test_huge_file_is_refused_unread(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(SourceError, match="5 MB"):
        load_post(path, config)


def test_fifo_is_refused_as_what_it_is(tmp_path: Path, config: Config) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match=r"a named pipe \(FIFO\), not a post file") as caught:
        load_post(fifo, config)
    assert caught.value.path == fifo


def test_symlink_loop_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "https://x.example"\n')
    os.symlink("b.md", tmp_path / "a.md")
    os.symlink("a.md", tmp_path / "b.md")
    with pytest.raises(SourceError, match="symbolic link loops") as caught:
        crosspost.load_post(tmp_path / "a.md")  # the config search must not trip either
    assert caught.value.path == tmp_path / "a.md"


def test_dangling_symlink_names_its_target(tmp_path: Path, config: Config) -> None:
    os.symlink("gone.md", tmp_path / "post.md")
    with pytest.raises(SourceError, match=r"points to gone\.md, which does not exist"):
        load_post(tmp_path / "post.md", config)


def test_parse_text_rejects_nul_and_huge_text(config: Config) -> None:
    with pytest.raises(SourceError, match="NUL"):
        parse_text("---\ntitle: T\n---\n\x00", config=config)
    with pytest.raises(SourceError, match="5 MB"):
        parse_text("x" * (MAX_BYTES + 1), config=config)


def test_load_text_without_a_path_names_the_text(config: Config) -> None:
    with pytest.raises(SourceError) as caught:
        crosspost.load_text("no front matter\n", config=config)
    assert str(caught.value).startswith("<text>:1: ")
    doc = crosspost.load_text("---\ntitle: T\n---\n#tag\n", config=config)
    assert str(doc.notices[0]).startswith("<text>:4: ")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("title: 3", "the title must be text, not a number"),
        ("title: 1.5", "the title must be text, not a number"),
        ("title: {a: 1}", "the title must be text, not a table of keys"),
        ("title: T\ndraft: 3", "must be true or false, not a number"),
    ],
)
def test_wrong_types_are_named_in_words(
    write: Write, config: Config, line: str, message: str
) -> None:
    error = source_error(write, config, f"---\n{line}\n---\n")
    assert error.message == message


def test_load_text_reads_text_as_a_file_at_path(config: Config) -> None:
    doc = crosspost.load_text("---\ntitle: T\n---\nB\n", path="posts/t.md", config=config)
    assert doc.slug == "t" and doc.canonical_url == SITE + "/posts/t/"


# --------------------------------------------------------------------------- finding posts


def test_find_posts(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text(
        '[site]\nurl = "https://x.example"\nprofile = "hugo"\n'
    )
    content = tmp_path / "content" / "posts"
    for name in (
        "b.md",
        "a.mdx",
        "c.markdown",
        "_index.md",
        "_index.fr.md",
        "README.md",
        "notes.txt",
        "bundle/index.md",
        ".hidden/x.md",
        "node_modules/pkg/y.md",
        ".draft.md",
    ):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("---\ntitle: T\n---\n")
    config = load_config(tmp_path / "crosspost.toml")
    expected = [content / n for n in ("a.mdx", "b.md", "bundle/index.md", "c.markdown")]
    assert find_posts([content], config) == expected
    # the blog root stands for its content folder, and keeps the path as the user wrote it
    assert find_posts([tmp_path], config) == expected
    # a file named explicitly is always taken
    assert find_posts([content / "README.md", content / "b.md"], config) == [
        content / "README.md",
        content / "b.md",
    ]
    with pytest.raises(SourceError, match="no such file or folder"):
        find_posts([tmp_path / "missing"], config)


def test_the_walk_finds_what_os_walk_finds(tmp_path: Path) -> None:
    """`postwalk.post_files` walks with `os.scandir` by `os.walk`'s rules: a linked folder is
    listed but not entered, a linked file and a dangling link are files, hidden folders and
    node_modules are skipped, a path given with a trailing separator or dots is kept as given."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "o.md").write_text("x")
    top = tmp_path / "posts"
    for name in ("a.md", "sub/b.md", "sub/deeper/c.MD", ".hidden/x.md", "node_modules/y.md"):
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text("x")
    (top / "sub" / "linked").symlink_to(outside, target_is_directory=True)
    (top / "file-link.md").symlink_to(outside / "deep" / "o.md")
    (top / "dangling.md").symlink_to(tmp_path / "gone.md")

    def reference(folder: str) -> set[str]:
        found: set[str] = set()
        for where, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
            found.update(os.path.join(where, f) for f in files if is_post_name(f))
        return found

    for folder in (str(top), str(top) + os.sep, os.path.join(str(top), ".", "sub", "..")):
        assert set(post_files(folder)) == reference(folder)
    assert {os.path.relpath(p, top) for p in post_files(str(top))} == {
        "a.md",
        os.path.join("sub", "b.md"),
        os.path.join("sub", "deeper", "c.MD"),
        "file-link.md",
        "dangling.md",
    }
    assert list(post_files(str(tmp_path / "missing"))) == []


# --------------------------------------------------------------------------- fuzzing

_any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
_prefix = st.sampled_from(["", "---\n", "---\ntitle: T\n", "+++\n", "{", "---\ntitle: T\n---\n"])
_fragment = st.sampled_from(
    ["---", "+++", "title: ", "T", "date: ", "2024-01-01", "tags: ", "[", "]", "{", "}", ":",
     "&a ", "*a ", "- ", "\n", "  ", "\t", "'", '"', "=", "published: false", "image: ./x.png",
     "cover: javascript:x", "slug: ", "lang: ", "\x00", "\u202e", "#", "```", ":::note"]
)  # fmt: skip


FUZZ_CONFIG = Config(root=Path("/nonexistent-blog"), site=SiteConfig(url=SITE))


def parsed(text: str) -> Document | SourceError:
    """The Document, or the SourceError: anything else escapes and fails the test."""
    try:
        return parse_text(text, path=Path("fuzz.md"), config=FUZZ_CONFIG)
    except SourceError as exc:
        return exc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_prefix, text=_any_text)
def test_parse_text_fuzz(prefix: str, text: str) -> None:
    result = parsed(prefix + text)
    if isinstance(result, SourceError):
        assert result.message and result.path == Path("fuzz.md")
    else:
        assert result.title and result.canonical_url.startswith(SITE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_fragment, max_size=40).map("".join))
def test_parse_text_fuzz_with_front_matter_syntax(text: str) -> None:
    result = parsed(text)
    assert isinstance(result, Document) or result.path == Path("fuzz.md")


@given(st.lists(st.text(alphabet=[os.sep, ".", "a", "b"], min_size=1, max_size=12), max_size=8))
def test_the_walks_paths_are_the_paths_of_its_names(names: list[str]) -> None:
    """`find_posts` makes each Path from its folder's, parsed once, and the file's name: the
    same Path, spelled the same, as parsing the whole name (roots `/` and `//`, `.` and `..`
    parts, doubled separators)."""
    assert [str(path) for path in _paths(names)] == [str(Path(name)) for name in names]
