"""Issue 15's listed cases: the portable body means what the post means on its own site.

Each case was a change of meaning on main, measured by rendering before and after with a
CommonMark renderer. The spec-wide check is tests/test_commonmark_spec.py; the properties for
any input are tests/hostile/test_body_properties.py.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from markdown_it import MarkdownIt

from crosspost.config import Config, SiteConfig
from crosspost.errors import ContentError, SourceError
from crosspost.sources import load_post
from crosspost.transform import Transformed, transform

PAGE = "https://blog.example.com/posts/my-post/"
SITE = "https://blog.example.com"


def run(body: str, *, generator: str | None = None, suffix: str = ".md") -> Transformed:
    return transform(
        dedent(body).lstrip("\n"),
        page_url=PAGE,
        site_url=SITE,
        path=Path("post" + suffix),
        generator=generator,
    )


def rendered(markdown: str) -> str:
    html: str = MarkdownIt("commonmark").render(markdown)
    return html


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    "text",
    [
        "\\[not a link](/foo)\n",  # an escaped bracket: text in CommonMark
        '[foo <bar attr="](baz)">\n',  # raw HTML wins over the link
        "[foo`](/uri)`\n",  # the code span wins
        "[link](<foo\\>)\n",  # `<foo\>` is not a destination
    ],
)
def test_what_commonmark_shows_as_text_keeps_its_text(text: str) -> None:
    assert run(text).body == text


def test_the_link_inside_a_link_label_is_the_one_made_absolute() -> None:
    assert (
        run("[foo [bar](/uri)](/uri)\n").body == "[foo [bar](https://blog.example.com/uri)](/uri)\n"
    )


def test_backslash_escapes_in_a_url_are_read_not_encoded() -> None:
    result = run("![d](./img/my\\_diagram.png) [x](foo\\)\\:)\n")
    assert result.body == (
        "![d](https://blog.example.com/posts/my-post/img/my_diagram.png) "
        "[x](https://blog.example.com/posts/my-post/foo%29:)\n"
    )


def test_an_entity_in_a_url_keeps_its_meaning() -> None:
    result = run("[x](./caf&eacute;) [y](./a&amp;b)\n")
    assert result.body == (
        "[x](https://blog.example.com/posts/my-post/caf%C3%A9) "
        "[y](https://blog.example.com/posts/my-post/a&b)\n"
    )
    assert 'href="https://blog.example.com/posts/my-post/a&amp;b"' in rendered(result.body)


def test_reference_definitions_over_several_lines_and_with_escaped_labels() -> None:
    result = run(
        """
        [multi]:
          ./multi/
          "The title"

        [\\[escaped\\]]: ./escaped/

        [multi] and [\\[escaped\\]]
        """
    )
    assert result.body == dedent(
        """\
        [multi]:
          https://blog.example.com/posts/my-post/multi/
          "The title"

        [\\[escaped\\]]: https://blog.example.com/posts/my-post/escaped/

        [multi] and [\\[escaped\\]]
        """
    )


def test_a_line_break_inside_a_relative_html_attribute_is_no_crash() -> None:
    result = run('<a href="foo\nbar">x</a>\n\nText <img src="./a\nb.png"> after.\n')
    assert result.body == (
        '<a href="https://blog.example.com/posts/my-post/foobar\n">x</a>\n\n'
        'Text <img src="https://blog.example.com/posts/my-post/ab.png\n"> after.\n'
    )


def test_that_post_does_not_stop_the_others(tmp_path: Path) -> None:
    """It used to raise ValueError out of load_post: an internal error that ended the run."""
    config = Config(root=tmp_path, site=SiteConfig(url=SITE))
    broken = tmp_path / "broken.md"
    broken.write_text('---\ntitle: Broken\n---\n<a href="foo\nbar">x</a>\n', encoding="utf-8")
    document = load_post(broken, config)
    assert "foobar" in document.body


# --------------------------------------------------------------------------- code and HTML


def test_excerpt_markers_inside_inline_code_are_the_authors_text() -> None:
    text = "Put `<!-- more -->` or `{/* truncate */}` where the summary ends.\n"
    assert run(text).body == text
    assert run(text, suffix=".mdx").body == text


def test_blank_lines_inside_pre_textarea_and_comments_are_kept() -> None:
    text = "<pre>\na\n\n\nb\n</pre>\n\n<textarea>\n\n\n</textarea>\n\n<!--\n\n\nc\n-->\n"
    assert run(text).body == text


def test_an_unclosed_fence_keeps_its_trailing_blank_lines() -> None:
    text = "Text\n\n```\ncode\n\n\n"
    assert run(text).body == text
    assert rendered(run(text).body) == rendered(text)


def test_no_escape_is_inserted_into_a_raw_html_attribute_spanning_lines() -> None:
    text = "Text <span title='x\n#y'>q</span> and\n#tag\n"
    assert run(text).body == "Text <span title='x\n#y'>q</span> and\n\\#tag\n"


@pytest.mark.parametrize(
    "text",
    [
        "a\n\n\u00a0\n\nb\n",  # a paragraph of a no-break space
        "\u2003\n\na\n",  # an em space before the first paragraph
        "a\n\n\x0b\n\n\x0c\n\nb\n",  # vertical tab, form feed
        "a\n\n\u00a0",  # at the very end
    ],
)
@pytest.mark.parametrize("generator", [None, "docusaurus"])
def test_a_line_of_unicode_spaces_is_no_blank_line(text: str, generator: str | None) -> None:
    """CommonMark's blank line holds only spaces and tabs: a line of U+00A0 or U+2003 is a
    paragraph (commonmark.js renders `<p>\u00a0</p>`), kept where the author wrote it."""
    assert run(text, generator=generator).body.rstrip("\n") == text.rstrip("\n")


def test_a_link_after_a_line_of_unicode_spaces_is_made_absolute() -> None:
    """markdown-it strips a paragraph's leading no-break-space line from its content; the
    link on the next line is still found at its own line."""
    assert run("\u00a0\n\u00a0\n[x](./a)\n").body == (
        "\u00a0\n\u00a0\n[x](https://blog.example.com/posts/my-post/a)\n"
    )


def test_a_line_of_unicode_spaces_inside_an_admonition_is_kept() -> None:
    assert run(":::tip\nx\n\u00a0\n:::\n", generator="docusaurus").body == (
        "> **Tip**\n>\n> x\n> \u00a0\n"
    )


def test_uppercase_html_in_a_markdown_post_is_html() -> None:
    text = '<DIV CLASS="foo">\n\n*Markdown*\n\n</DIV>\n\n<Warning>\n*bar*\n</Warning>\n'
    assert run(text).body == text


# --------------------------------------------------------------------------- generator syntax


def test_import_and_export_lines_are_text_outside_mdx() -> None:
    text = "import os\nexport PATH=$HOME/bin\n\nimport Foo from './foo'\n"
    assert run(text).body == text
    assert run(text, generator="docusaurus").body == text
    assert run(text, suffix=".mdx").body == "import os\nexport PATH=$HOME/bin\n"


# Not Zola: there `{{ name(…) }}` is a shortcode call, and an unknown one fails the build.
@pytest.mark.parametrize("generator", [None, "hugo", "astro", "docusaurus", "gatsby"])
def test_template_tags_are_text_where_no_liquid_runs(generator: str | None) -> None:
    text = "Use {{ url_for('static', filename='a.css') }} and\n{% include 'nav.html' %}\n"
    result = run(text, generator=generator)
    assert result.body == text
    assert result.notices == ()


@pytest.mark.parametrize("generator", ["jekyll", "eleventy"])
def test_liquid_runs_for_jekyll_and_eleventy(generator: str) -> None:
    result = run("{% include 'nav.html' %}\n\nText\n", generator=generator)
    assert result.body == "Text\n"


def test_shortcodes_only_for_their_generator() -> None:
    hugo = '{{< youtube w7Ft2ymGmfc >}}\n\n{{ admonition(text="Words") }}\n'
    assert run(hugo, generator="hugo").body == (
        "[YouTube video](https://www.youtube.com/watch?v=w7Ft2ymGmfc)\n\n"
        '{{ admonition(text="Words") }}\n'
    )
    assert run(hugo, generator="zola").body == "{{< youtube w7Ft2ymGmfc >}}\n\n**Note:** Words\n"
    assert run(hugo).body == hugo


@pytest.mark.parametrize("generator", ["hugo", "zola", None])
def test_braces_in_a_link_are_part_of_its_path_where_no_liquid_runs(generator: str | None) -> None:
    """Hugo and Zola read only their shortcodes in a post: `{{` in a link destination is part of
    the path the site links to, so the link is made absolute like any other."""
    result = run("[a](./x{{y}}/z) and [b](./ref{{)\n", generator=generator)
    assert result.body == (
        "[a](https://blog.example.com/posts/my-post/x%7B%7By%7D%7D/z) and "
        "[b](https://blog.example.com/posts/my-post/ref%7B%7B)\n"
    )


@pytest.mark.parametrize("generator", ["jekyll", "eleventy"])
def test_a_link_holding_liquid_is_left_to_the_generator(generator: str) -> None:
    result = run("[a](./x{{page.slug}}/z)\n", generator=generator)
    assert result.body == "[a](./x{{page.slug}}/z)\n"
    assert [notice.code for notice in result.notices] == ["liquid"]


def test_links_inside_liquid_raw_are_still_links() -> None:
    result = run(
        "{% raw %}\n[x](./y) {{ z }}\n{% endraw %}\n\nA {% raw %}[b](./c){% endraw %}\n",
        generator="jekyll",
    )
    assert result.body == (
        "[x](https://blog.example.com/posts/my-post/y) {{ z }}\n\n"
        "A [b](https://blog.example.com/posts/my-post/c)\n"
    )


def test_adjacent_mdx_components_stay_separate_blocks() -> None:
    result = run("<Note>one</Note>\n<Tip>two</Tip>\n", suffix=".mdx")
    assert result.body == "one\n\ntwo\n"
    assert rendered(result.body).count("<p>") == 2


def test_zola_shortcodes_keep_the_authors_words() -> None:
    result = run(
        """
        {{ admonition(type="warning", title="Careful", text="Do not do this.") }}

        {{ admonition(type="tip", text="A tip.") }}

        {{ figure(src="a.png", caption="The caption") }}
        """,
        generator="zola",
    )
    assert result.body == dedent(
        """\
        **Careful:** Do not do this.

        **Tip:** A tip.

        ![The caption](https://blog.example.com/posts/my-post/a.png)
        *The caption*
        """
    )


def test_escaped_shortcodes_inside_code_are_shown_as_the_site_shows_them() -> None:
    hugo = '```\n{{</* figure src="a.png" */>}}\n```\n\nInline `{{%/* note */%}}`.\n'
    assert run(hugo, generator="hugo").body == (
        '```\n{{< figure src="a.png" >}}\n```\n\nInline `{{% note %}}`.\n'
    )
    zola = '```\n{{/* youtube(id="x") */}}\n```\n\nInline `{%/* note() */%}`.\n'
    assert run(zola, generator="zola").body == (
        '```\n{{ youtube(id="x") }}\n```\n\nInline `{% note() %}`.\n'
    )
    assert run(hugo).body == hugo  # no generator: the author's text


def test_indentation_in_mdx_is_layout_not_code() -> None:
    """MDX has no indented code: an image indented inside a component is an image there."""
    result = run("<Gallery>\n    ![Maple](/img/maple.jpg)\n</Gallery>\n", suffix=".mdx")
    assert result.body == "![Maple](https://blog.example.com/img/maple.jpg)\n"


def test_a_zola_admonition_block_keeps_its_title() -> None:
    result = run(
        """
        {% admonition(type="note", title="About direction", icon="info") %}
        Right to left is *supported*.
        {% end %}
        """,
        generator="zola",
    )
    assert result.body == "> **About direction**\n>\n> Right to left is *supported*.\n"


# How remark-directive 3.0.1 (the version Docusaurus 3 pins; the oracle: its mdast for each
# case, read with the cached generator's node_modules) reads an admonition in a list item: the
# directive is the item's child, its content read relative to the directive's indentation.
@pytest.mark.parametrize(
    ("text", "html"),
    [
        # `    text` is 2 columns past the directive: a paragraph, not code
        (
            "- item\n\n  :::tip\n    text\n  :::\n",
            "<ul>\n<li>\n<p>item</p>\n<blockquote>\n<p><strong>Tip</strong></p>\n"
            "<p>text</p>\n</blockquote>\n</li>\n</ul>\n",
        ),
        # 4 columns past it: code `x` (not `  x`), still inside the item
        (
            "- a\n  :::tip\n      x\n  :::\n",
            "<ul>\n<li>\n<p>a</p>\n<blockquote>\n<p><strong>Tip</strong></p>\n"
            "<pre><code>x\n</code></pre>\n</blockquote>\n</li>\n</ul>\n",
        ),
        # an indented continuation line of the directive's paragraph
        (
            "1. a\n\n   :::tip\n   b\n       c\n   :::\n",
            "<ol>\n<li>\n<p>a</p>\n<blockquote>\n<p><strong>Tip</strong></p>\n"
            "<p>b\nc</p>\n</blockquote>\n</li>\n</ol>\n",
        ),
        # a tab counts from the line's start: 2 columns wide after `  `, 4 at the start
        (
            "- item\n\n  :::tip\n  \tx\n  :::\n",
            "<ul>\n<li>\n<p>item</p>\n<blockquote>\n<p><strong>Tip</strong></p>\n"
            "<p>x</p>\n</blockquote>\n</li>\n</ul>\n",
        ),
        (
            ":::tip\n\tx\n:::\n",
            "<blockquote>\n<p><strong>Tip</strong></p>\n<pre><code>x\n</code></pre>\n</blockquote>\n",
        ),
        # at column 0 after the item: outside the list
        (
            "- item\n\n:::tip\ntext\n:::\n",
            "<ul>\n<li>item</li>\n</ul>\n<blockquote>\n<p><strong>Tip</strong></p>\n"
            "<p>text</p>\n</blockquote>\n",
        ),
    ],
)
def test_an_admonition_in_a_list_item_stays_there_and_reads_as_written(
    text: str, html: str
) -> None:
    assert rendered(run(text, generator="docusaurus").body) == html


def test_a_closed_fence_at_the_very_end_still_gets_its_line_break() -> None:
    assert run("Text\n\n```go\nx\n```").body == "Text\n\n```go\nx\n```\n"
    assert run("Text\n\n```go\nx").body == "Text\n\n```go\nx"  # open: the break would be code


def test_markdown_inside_jsx_is_markdown_in_mdx() -> None:
    """MDX has no HTML blocks: what a `<div>` wraps is Markdown there (its links too)."""
    body = '<div className="grid">\n  <div>\n    ![Maple](/img/maple.jpg)\n  </div>\n</div>\n'
    assert "https://blog.example.com/img/maple.jpg" in run(body, suffix=".mdx").body
    assert run(body).body == body  # an HTML block in CommonMark: raw, as the site shows it


@pytest.mark.parametrize(
    ("body", "suffix", "generator", "what"),
    [
        (
            "".join(f"<C{i}>\n" for i in range(200))
            + "x\n"
            + "".join(f"</C{i}>\n" for i in reversed(range(200))),
            ".mdx",
            None,
            "MDX components",
        ),
        (
            "".join(":" * (203 - i) + "note\n" for i in range(200))
            + "".join(":" * (4 + i) + "\n" for i in range(200)),
            ".md",
            "docusaurus",
            "admonitions",
        ),
    ],
)
def test_absurd_nesting_is_the_posts_own_error(
    tmp_path: Path, body: str, suffix: str, generator: str | None, what: str
) -> None:
    """It used to be a RecursionError: an internal error that ended the run."""
    with pytest.raises(ContentError, match=what):
        run(body, generator=generator, suffix=suffix)
    post = tmp_path / f"deep{suffix}"
    post.write_text("---\ntitle: Deep\n---\n" + body, encoding="utf-8")
    config = Config(root=tmp_path, site=SiteConfig(url=SITE, profile=generator))
    with pytest.raises(SourceError, match=what) as raised:
        load_post(post, config)
    assert raised.value.path == post


CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"


def _corpus_posts() -> list[tuple[str, str, str]]:
    """(name, generator, body) of each corpus post whose front matter reads (the others are
    refused by test_corpus, for their front matter: the body is what is tested here)."""
    import frontmatter

    if not MANIFEST.is_file():
        return []
    posts = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines()[1:]:
        name, ssg, *_ = line.split("\t")
        try:
            content = frontmatter.loads((CORPUS / name).read_text(encoding="utf-8")).content
        except Exception:
            continue
        posts.append((name, "fuwari" if "fuwari" in name else ssg, content))
    return posts


@pytest.mark.skipif(not MANIFEST.is_file(), reason=f"the shared corpus is not at {CORPUS}")
@pytest.mark.parametrize(
    ("name", "generator", "content"), _corpus_posts(), ids=[p[0] for p in _corpus_posts()]
)
def test_real_posts_for_their_generator_give_a_portable_body(
    name: str, generator: str, content: str
) -> None:
    """Each real post, for the generator it was written for: a body that the transform, run
    again as plain CommonMark, leaves as it is, and code blocks that are all still there."""
    path = Path(name)
    result = transform(content, page_url=PAGE, site_url=SITE, path=path, generator=generator)
    again = transform(result.body, page_url=PAGE, site_url=SITE, path=path.with_suffix(".md"))
    assert again.body == result.body
    if generator not in ("hugo", "zola", "jekyll", "eleventy"):  # those convert code
        mdx = path.suffix == ".mdx"
        md = MarkdownIt("commonmark").disable(["code", "html_block"] if mdx else [])
        fences = [t.content for t in md.parse(content) if t.type == "fence"]
        assert fences == [t.content for t in md.parse(result.body) if t.type == "fence"]
