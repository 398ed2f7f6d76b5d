"""Body transforms (docs/architecture.md §5): each rule, code left alone, line numbers of the
original file."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.errors import ContentError
from crosspost.transform import Transformed, absolute_url, plain_text, render_html, transform
from tests.hostile.test_body_properties import code_of

PAGE = "https://blog.example.com/posts/my-post/"
SITE = "https://blog.example.com"
SEED = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "examples" / "000_338e842b2dd29ad0.txt"
)


def run(body: str, **options: object) -> Transformed:
    """transform() of a triple-quoted body, dedented."""
    return raw(dedent(body).lstrip("\n"), **options)


def raw(body: str, **options: object) -> Transformed:
    options.setdefault("page_url", PAGE)
    options.setdefault("site_url", SITE)
    return transform(body, **options)  # type: ignore[arg-type]


def on(generator: str | None, **options: object) -> Callable[..., Transformed]:
    """run() for a post of a site built by `generator` (the syntax only it renders)."""

    def call(body: str, **more: object) -> Transformed:
        return run(body, generator=generator, **options, **more)

    return call


def codes(result: Transformed) -> list[tuple[str, int | None]]:
    return [(n.code, n.line) for n in result.notices]


# --------------------------------------------------------------------------- links


def test_relative_links_and_images_become_absolute() -> None:
    out = run(
        """
        See [the other post](../other-post/) and ![a chart](./chart.png "Chart").
        ![logo](/images/logo.png) ![spaced](<./my file.png>) [deep](sub/page.md#part)

        [ref]: ./reference.pdf "Title"
        [^1]: A footnote, not a link definition.

        <img src="images/raw.png" alt="raw"> <a href='/about/'>about</a>
        <video poster="./poster.jpg" src="./clip.mp4"></video>
        """
    ).body
    assert "[the other post](https://blog.example.com/posts/other-post/)" in out
    assert '![a chart](https://blog.example.com/posts/my-post/chart.png "Chart")' in out
    assert "![logo](https://blog.example.com/images/logo.png)" in out
    assert "![spaced](<https://blog.example.com/posts/my-post/my%20file.png>)" in out
    assert "[deep](https://blog.example.com/posts/my-post/sub/page.md#part)" in out
    assert '[ref]: https://blog.example.com/posts/my-post/reference.pdf "Title"' in out
    assert "[^1]: A footnote, not a link definition." in out
    assert '<img src="https://blog.example.com/posts/my-post/images/raw.png" alt="raw">' in out
    assert "<a href='https://blog.example.com/about/'>" in out
    assert 'poster="https://blog.example.com/posts/my-post/poster.jpg"' in out
    assert 'src="https://blog.example.com/posts/my-post/clip.mp4"' in out


def test_relative_links_to_post_files_go_through_post_link() -> None:
    asked: list[str] = []

    def post_link(target: str) -> str | None:
        asked.append(target)
        return SITE + "/blog/other#part" if target.startswith("other.mdx") else None

    out = run(
        """
        [a](other.mdx#part) [b](./notes.md) [c](/root.md) [d](https://x.example/y.md) [e](./x.png)
        `[f](other.mdx)`
        """,
        post_link=post_link,
    ).body
    assert "[a](https://blog.example.com/blog/other#part)" in out
    assert "[b](https://blog.example.com/posts/my-post/notes.md)" in out
    assert "[c](https://blog.example.com/root.md)" in out
    assert "`[f](other.mdx)`" in out
    assert asked == ["other.mdx#part", "./notes.md"]


def test_every_url_of_a_srcset_becomes_absolute() -> None:
    out = run(
        """
        <img src="a.png" srcset="a.png 1x, ./b@2x.png 2x" alt="a">
        <picture>
        <source srcset='/w/s.webp 480w,m.webp 800w' type="image/webp">
        <img srcset="https://cdn.example/w_400,h_300/c.jpg 400w, d.jpg" src="d.jpg">
        </picture>

        `<img srcset="code.png 1x">`
        """
    ).body
    base = PAGE
    assert f'srcset="{base}a.png 1x, {base}b@2x.png 2x"' in out
    assert f"srcset='{SITE}/w/s.webp 480w,{base}m.webp 800w'" in out
    assert f'srcset="https://cdn.example/w_400,h_300/c.jpg 400w, {base}d.jpg"' in out
    assert '`<img srcset="code.png 1x">`' in out


def test_absolute_anchor_and_mail_links_are_untouched() -> None:
    body = (
        "[a](https://x.example/p) [b](#section) [c](mailto:a@b.c) [d](tel:+1) <https://x.example>\n"
    )
    assert run(body).body == body


def test_links_with_nested_brackets_and_parentheses() -> None:
    out = run("[![badge](./b.svg)](./target/) [a (b)](./x_(1).png)\n").body
    assert out == (
        "[![badge](https://blog.example.com/posts/my-post/b.svg)]"
        "(https://blog.example.com/posts/my-post/target/) "
        "[a (b)](https://blog.example.com/posts/my-post/x_(1).png)\n"
    )


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](vbscript:msgbox)",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click]( javascript:alert(1) 'title')",
    ],
)
def test_script_links_are_made_inert(link: str) -> None:
    result = run(f"Before {link} after.\n")
    assert result.body == "Before click after.\n"
    assert codes(result) == [("unsafe-link", 1)]


def test_script_image_keeps_its_alt_text() -> None:
    result = run("x\n\n![alt text](javascript:alert(1))\n", first_line=5)
    assert result.body == "x\n\nalt text\n"
    assert codes(result) == [("unsafe-link", 7)]


def test_script_link_around_an_image() -> None:
    assert run("[![i](./i.png)](javascript:x)\n").body == (
        "![i](https://blog.example.com/posts/my-post/i.png)\n"
    )


def test_html_script_attributes_are_removed() -> None:
    result = run('<a href="javascript:alert(1)">x</a> <img src=" data:image/png;base64,AA">\n')
    assert result.body == "<a >x</a> <img >\n"
    assert [c for c, _ in codes(result)] == ["unsafe-link", "unsafe-link"]


def test_absolute_url() -> None:
    assert absolute_url("./a b.png", page_url=PAGE, site_url=SITE) == PAGE + "a%20b.png"
    assert absolute_url("/x", page_url=PAGE, site_url=SITE + "/blog/") == SITE + "/blog/x"
    assert absolute_url("/x", page_url=PAGE, site_url=None) == SITE + "/x"
    assert absolute_url("//cdn.example/x", page_url=PAGE, site_url=SITE) == "https://cdn.example/x"
    assert absolute_url("", page_url=PAGE, site_url=SITE) == ""


# --------------------------------------------------------------------------- headings


def test_seed_post_line_14_stays_a_paragraph() -> None:
    if not SEED.exists():
        pytest.skip(f"{SEED} is not available (the shared folder sits beside the repo)")
    text = SEED.read_text("utf-8")
    body = text.split("---\n", 2)[2]
    result = transform(body, page_url=PAGE, site_url=SITE, title="Reaching", first_line=13)
    assert result.body.startswith('\\#image: "./heroImage.jpg"\n')
    assert codes(result) == [("ambiguous-heading", 14)]
    assert "seed" not in result.notices[0].message
    html = render_html(result.body)
    assert html.startswith('<p>#image: "./heroImage.jpg"</p>')
    assert "<h1>" not in html


def test_heading_lookalikes_anywhere_in_a_paragraph() -> None:
    result = run(
        """
        Some text
        #hashtag continues the paragraph
        ####### seven hashes are text

        > #quoted
        - #listed

        # A real heading
        """,
        first_line=20,
    )
    assert result.body == dedent(
        """\
        Some text
        \\#hashtag continues the paragraph
        \\####### seven hashes are text

        > \\#quoted
        - \\#listed

        # A real heading
        """
    )
    assert codes(result) == [
        ("ambiguous-heading", 21),
        ("ambiguous-heading", 22),
        ("ambiguous-heading", 24),
        ("ambiguous-heading", 25),
    ]
    assert "<h1>A real heading</h1>" in render_html(result.body)
    assert render_html(result.body).count("<h1>") == 1


def test_title_heading_is_dropped() -> None:
    assert run("# My  *Post*\n\nText.\n", title="my post").body == "Text.\n"
    assert run("My Post\n=======\n\nText.\n", title="My Post").body == "Text.\n"
    assert run("# Another\n\nText.\n", title="My Post").body == "# Another\n\nText.\n"
    assert run("Intro.\n\n# My Post\n", title="My Post").body == "Intro.\n\n# My Post\n"


# --------------------------------------------------------------------------- code


def test_code_is_never_touched() -> None:
    body = dedent(
        """\
        ~~~markdown
        ```python
        print("#not-a-heading")
        ```
        ![not an image](./inside-code.png)
        :::note
        {{< figure src="x.png" >}} {% include x.html %} <Tabs /> <!-- more -->
        ~~~

            # indented code
            [still not a link](./nope.md)

        - item

          ````
          #in a list
          [x](./y)
          ````

        Inline `![x](./inline.png)` and ``#x `{{ site.url }}` `` stay.
        """
    )
    out = run(body).body
    assert out == body
    assert run(body).notices == ()


def test_unclosed_fence_protects_the_rest() -> None:
    body = "```\n#x\n[a](./b)\n"
    assert run(body).body == body


# --------------------------------------------------------------------------- admonitions


def test_admonitions_become_blockquotes() -> None:
    out = on("fuwari")(
        """
        :::note[Before you start]
        Back up *first*.

        ```sh
        # still code
        ```
        :::

        ::::tip
        Outer.
        :::caution
        Inner.
        :::
        ::::

        :::info{title="Custom"}
        Body.
        :::

        > [!WARNING]
        > Careful.
        """
    ).body
    assert out == dedent(
        """\
        > **Before you start**
        >
        > Back up *first*.
        >
        > ```sh
        > # still code
        > ```

        > **Tip**
        >
        > Outer.
        >
        > > **Caution**
        > >
        > > Inner.

        > **Custom**
        >
        > Body.

        > **Warning**
        >
        > Careful.
        """
    )
    html = render_html(out)
    assert "<blockquote>" in html and "<strong>Before you start</strong>" in html


def test_unclosed_admonition_is_reported() -> None:
    result = on("docusaurus")("Text\n\n:::note\nNever closed\n", first_line=3)
    assert result.body == "Text\n\n:::note\nNever closed\n"
    assert codes(result) == [("admonition", 5)]


# --------------------------------------------------------------------------- Hugo


def test_hugo_shortcodes() -> None:
    result = on("hugo")(
        """
        {{< figure src="/img/a.png" alt="A" caption="The caption" >}}

        {{< youtube w7Ft2ymGmfc >}} {{< vimeo id="146022717" title="Talk" >}}

        See [that post]({{< ref "other-post.md#part" >}}) and {{< relref "/posts/x/index.md" >}}.

        {{< highlight go "linenos=table" >}}
        # not a heading
        fmt.Println("[x](./y)")
        {{< /highlight >}}

        {{< tweet user="x" id="1" >}}

        {{% notice info %}}
        Kept text.
        {{% /notice %}}

        Literal {{</* figure src="x" */>}} stays literal.
        """,
        ref_url=lambda target: (
            f"{SITE}/posts/{Path(target.split('#')[0]).stem}/"
            + ("#" + target.split("#")[1] if "#" in target else "")
        ),
    )
    out = result.body
    assert "![A](https://blog.example.com/img/a.png)\n*The caption*" in out
    assert "[YouTube video](https://www.youtube.com/watch?v=w7Ft2ymGmfc)" in out
    assert "[Talk](https://vimeo.com/146022717)" in out
    assert "[that post](https://blog.example.com/posts/other-post/#part)" in out
    assert "https://blog.example.com/posts/index/" in out
    assert '```go\n# not a heading\nfmt.Println("[x](./y)")\n```' in out
    assert "tweet" not in out
    assert "Kept text." in out and "notice" not in out
    assert 'Literal {{< figure src="x" >}} stays literal.' in out
    assert [c for c, _ in codes(result)] == ["hugo-shortcode", "hugo-shortcode"]


def test_unresolvable_ref_points_home_with_a_notice() -> None:
    result = on("hugo")('[x]({{< ref "other.md" >}})\n', ref_url=lambda target: None)
    assert result.body == f"[x]({SITE})\n"
    assert codes(result) == [("ref", 1)]


def test_hugo_mermaid_is_kept_as_code() -> None:
    result = on("hugo")("{{<mermaid>}}\ngraph TD;\n  A-->B;\n{{</mermaid>}}\n")
    assert result.body == "```mermaid\ngraph TD;\n  A-->B;\n```\n"
    assert codes(result) == [("diagram", 1)]


# --------------------------------------------------------------------------- Liquid


@pytest.mark.parametrize("generator", ["jekyll", "eleventy"])
def test_liquid_raw_tags_in_code_are_shown_as_the_site_shows_them(generator: str) -> None:
    """Liquid reads the whole file before Markdown does, code included: `{% raw %}` in a code
    block is how a Liquid tutorial shows `{{ page.title }}`, and the site prints what it holds
    without the tags (each tag's line stays, empty). A raw block around a fence on lines of its
    own is literal: what it holds is shown as written, raw tags included."""
    result = on(generator)(
        """
        ```liquid
        {% raw %}{{ page.title }}{% endraw %} and {% raw %}{% if x %}{% endraw %}
        {% raw %}
        {{ content }}
        {% endraw %}
        ```

            {% raw %}{{ site.url }}{% endraw %}

        {% raw %}
        ```
        {% raw %}{{ kept }}
        ```
        {% endraw %}
        """
    )
    assert result.body == dedent(
        """        ```liquid
        {{ page.title }} and {% if x %}

        {{ content }}

        ```

            {{ site.url }}

        ```
        {% raw %}{{ kept }}
        ```
        """
    )


@pytest.mark.parametrize("generator", ["hugo", None])
def test_liquid_raw_tags_in_code_are_code_where_no_liquid_runs(generator: str | None) -> None:
    body = "```\n{% raw %}{{ x }}{% endraw %}\n```\n"
    assert on(generator)(body).body == body


def test_liquid() -> None:
    result = on("jekyll")(
        """
        {% highlight ruby linenos %}
        # a comment
        puts "{{ not.a.variable }}"
        {% endhighlight %}

        {% raw %}
        {{ site.url }} is kept; [x](./y) is still a link
        {% endraw %}

        Inline {% raw %}{{ page.title }}{% endraw %} too.

        {% comment %}
        gone
        {% endcomment %}

        {% include figure.html src="x" %}

        ![x]({{ site.url }}{{ site.baseurl }}/img/x.png) [docs]({{ "/docs/" | relative_url }})

        {{ page.date | date_to_string }} and {% gist abc %}
        """,
        first_line=10,
    )
    assert result.body == dedent(
        """\
        ```ruby
        # a comment
        puts "{{ not.a.variable }}"
        ```

        {{ site.url }} is kept; [x](https://blog.example.com/posts/my-post/y) is still a link

        Inline {{ page.title }} too.

        ![x](https://blog.example.com/img/x.png) [docs](https://blog.example.com/docs/)

        {{ page.date | date_to_string }} and {% gist abc %}
        """
    )
    assert codes(result) == [("liquid", 25), ("liquid", 29), ("liquid", 29)]


def test_unclosed_liquid_block() -> None:
    result = on("jekyll")("{% highlight js %}\nx\n")
    assert result.body == "{% highlight js %}\nx\n"
    assert ("liquid", 1) in codes(result)


# --------------------------------------------------------------------------- Zola


def test_zola_shortcodes() -> None:
    result = on("zola")(
        """
        {{ admonition(type="tip", text="A tip") }}

        {% wide_container() %}
        Kept content.
        {% end %}

        {% mermaid() %}
        graph LR
        {% end %}

        See [the series](@/blog/series/index.md) and {{/* toc() */}}.
        """,
        ref_url=lambda target: f"{SITE}/blog/{Path(target).parent.name}/",
    )
    assert result.body == dedent(
        """\
        **Tip:** A tip

        Kept content.

        ```mermaid
        graph LR
        ```

        See [the series](https://blog.example.com/blog/series/) and {{ toc() }}.
        """
    )
    assert [c for c, _ in codes(result)] == ["zola-shortcode", "zola-shortcode", "diagram"]
    assert "its words are kept" in result.notices[0].message


# --------------------------------------------------------------------------- MDX


def test_mdx_imports_exports_and_components() -> None:
    result = on(None, path=Path("post.mdx"))(
        """
        import Image from 'next/image'
        import { Tabs,
          TabItem } from "@theme/Tabs";

        export const meta = {
          title: 'x',
        }

        <TOCInline toc={props.toc} exclude="Overview" />

        <Callout>
          Text inside **stays**.
        </Callout>

        <Image
          src="/me.png"
          width={500}
        />

        <Tabs>
          <TabItem value="a">
            Tab content
          </TabItem>
        </Tabs>

        Prose that says import this.

        ```js
        import x from "y"
        <Component />
        ```
        """,
        first_line=7,
    )
    assert result.body == dedent(
        """\
        Text inside **stays**.

        Tab content

        Prose that says import this.

        ```js
        import x from "y"
        <Component />
        ```
        """
    )
    # consecutive ESM lines are one statement block, as in MDX
    assert codes(result) == [
        ("mdx", 7),
        ("mdx", 11),
        ("mdx", 15),
        ("mdx", 17),
        ("mdx", 21),
        ("mdx", 26),
        ("mdx", 27),
    ]


# --------------------------------------------------------------------------- excerpts


def test_mdx_comments_are_removed_outside_code() -> None:
    body = """
        Intro {/* a note to self */} text.

        {/* a comment
        over several lines

        with a blank one */}
        Kept `{/* in code */}` here.

        ```jsx
        {/* in a fence */}
        ```

            {/* indented code */}

        {/* never closed
        """
    result = run(body, path=Path("post.mdx"))
    out = result.body
    assert "Intro  text." in out and "a note to self" not in out
    assert "a comment" not in out and "with a blank one" not in out
    assert "Kept `{/* in code */}` here." in out
    assert "{/* in a fence */}" in out
    assert "indented code" not in out  # MDX has no indented code: indentation is only layout
    assert "{/* never closed" in out
    assert run(body, path=Path("post.md")).body.count("{/*") == 6  # only MDX has these comments


def test_mdx_comments_keep_line_numbers_and_the_truncate_marker() -> None:
    result = run(
        """
        Summary here.

        {/* truncate */}

        {/* one
        two */}
        #tag
        """,
        path=Path("post.mdx"),
    )
    assert result.description_hint == "Summary here."
    assert codes(result) == [("ambiguous-heading", 7)]


@pytest.mark.parametrize(
    "marker", ["<!-- more -->", "<!--more-->", "<!-- truncate -->", "{/* truncate */}"]
)
def test_excerpt_markers(marker: str) -> None:
    result = run(f"The *summary*.\n\n{marker}\n\nThe rest.\n", path=Path("post.mdx"))
    assert marker not in result.body
    assert result.body == "The *summary*.\n\nThe rest.\n"
    assert result.description_hint == "The summary."


def test_description_hint_is_the_first_paragraph_with_text() -> None:
    result = run("# Title\n\n![only an image](./a.png)\n\n```\ncode\n```\n\nFirst `real` one.\n")
    assert result.description_hint == "First real one."


# --------------------------------------------------------------------------- plain text & HTML


def test_plain_text() -> None:
    text = plain_text(
        "# Head\n\nA [link](x) and **bold**\nline.\n\n```\ncode\n```\n\n> Quote ![i](x)\n"
    )
    assert text == "A link and bold line. Quote"
    assert plain_text("one two three four", 9) == "one two…"


def test_render_html() -> None:
    html = render_html(
        "Text[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nx = 1\n```\n\n"
        "1. one\n2. two\n\n* other list\n\n[^1]: Note.\n"
    )
    assert "<table>" in html
    assert '<code class="language-py">' in html
    assert 'class="footnote"' in html
    assert "</ol>\n<ul>\n<li>other list</li>" in html  # sane_lists: a new list, as in CommonMark


def test_render_html_refuses_absurd_nesting() -> None:
    with pytest.raises(ContentError):
        render_html("".join("  " * depth + "- item\n" for depth in range(100)))


# --------------------------------------------------------------------------- properties

_code_line = st.sampled_from(
    [
        "#not-a-heading",
        "# comment",
        "[link](./rel.md)",
        "![img](../up.png)",
        ":::note",
        "{{< figure src='x' >}}",
        "{% include x.html %}",
        "import x from 'y'",
        "<Component />",
        "<!-- more -->",
        "{/* an MDX comment */}",
        "{/* an open MDX comment",
        "> [!NOTE]",
        "plain code",
        "",
    ]
)
_prose = st.sampled_from(
    [
        "Some words.",
        "#hashtag",
        "[a link](./other/)",
        "![an image](/img/x.png)",
        "<img src='./raw.png'>",
        "text with `inline [x](./y) code` inside",
        "``double `tick` span``",
        "[ref]: ./ref.pdf",
        "[bad](javascript:alert(1))",
        "> quoted #tag",
        "- list #item",
        ":::tip",
        ":::",
        "{{< youtube abc >}}",
        "{/* comment",
        "still comment */} after `{/* a span */}`",
    ]
)


@st.composite
def _bodies(draw: st.DrawFn) -> str:
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["prose", "fence", "tilde", "indented"]))
        lines = draw(st.lists(_code_line if kind != "prose" else _prose, min_size=1, max_size=4))
        if kind == "fence":
            blocks.append("```\n" + "\n".join(lines) + "\n```")
        elif kind == "tilde":
            blocks.append("~~~md\n```\n" + "\n".join(lines) + "\n```\n~~~")
        elif kind == "indented":
            blocks.append("\n".join("    " + line for line in lines))
        else:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _code(markdown: str) -> tuple[list[str], list[str]]:
    """(code blocks, code spans) as CommonMark reads them."""
    return code_of(markdown)[:2]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bodies())
def test_transforms_never_change_code(body: str) -> None:
    assert _code(raw(body).body) == _code(body)
    # MDX has no HTML blocks: a code span CommonMark saw as raw HTML may become one once an MDX
    # comment is removed; every code block and code span of the original is still there. Nor
    # indented code: its code is what MDX reads.
    # (A code span inside an MDX comment is part of the comment: removed with it.)
    blocks, spans, _html = code_of(raw(body, path=Path("post.mdx")).body, mdx=True)
    assert blocks == code_of(body, mdx=True)[0]
    if "{/*" not in body:
        assert not Counter(code_of(body, mdx=True)[1]) - Counter(spans)


# `//host/x` is a network-path reference: another host's URL (made `https://host/x`), not one
# relative to the site.
_relative = st.text(
    alphabet=string.ascii_letters + string.digits + "./_-~ %", min_size=1, max_size=30
).filter(lambda target: not target.startswith("//"))


@settings(max_examples=150, deadline=None)
@given(target=_relative, image=st.booleans())
def test_absolutized_urls_are_absolute(target: str, image: bool) -> None:
    body = f"{'!' if image else ''}[x](<{target}>)\n\n[r]: <{target}>\n"
    out = raw(body).body
    urls = re.findall(r"\(<([^>]*)>\)|\]: <([^>]*)>", out)
    assert urls
    for groups in urls:
        url = next(g for g in groups if g)
        assert url.startswith(("https://blog.example.com/", "#")), url


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_transform_fuzz(text: str) -> None:
    try:
        result = raw(text, title="T")
        render_html(result.body)
    except ContentError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "`",
                "``",
                "[",
                "](",
                ")",
                "<",
                ">",
                "{{<",
                ">}}",
                "{%",
                "%}",
                "{{",
                "}}",
                ":::",
                "#",
                "\n",
                "\n\n",
                "    ",
                "> ",
                "- ",
                "```",
                "~~~",
                "<A",
                "/>",
                "</A>",
                "x",
                " ",
                "import x from 'y'",
                "<!-- more -->",
                "javascript:",
                "./",
                "@/",
                "\\",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_transform_fuzz_with_markdown_syntax(text: str) -> None:
    result = raw(text, title="x")
    assert isinstance(result.body, str)


GENERATOR_OF = {
    "liquid": "jekyll",
    "hugo-shortcode": "hugo",
    "zola-shortcode": "zola",
    "admonition": "docusaurus",
    "mdx": None,
}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("{% raw %}", "liquid"),
        ("{% highlight go %}", "liquid"),
        ("{{< highlight go >}}", "hugo-shortcode"),
        ("{% wide_container() %}", "zola-shortcode"),
        (":::::note", "admonition"),
        ("<Callout>", "mdx"),
    ],
)
def test_many_unclosed_openers_stay_linear(line: str, code: str) -> None:
    # Each opener used to search to the end of the post for its closer: 5,000 of them took
    # seconds to minutes. Closers are now indexed once per pass.
    count = 5000
    body = f"{line}\n:::\n" * count if code == "admonition" else f"{line}\n" * count
    result = raw(body, generator=GENERATOR_OF[code], path=Path("post.mdx"))
    assert sum(1 for n in result.notices if n.code == code) == count


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Steps:\n- one\n- two\n", "<p>Steps:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("Steps:\n1. one\n2. two\n", "<p>Steps:</p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
    ],
)
def test_a_list_right_under_a_paragraph_is_a_list_in_html_as_in_commonmark(
    markdown: str, expected: str
) -> None:
    assert render_html(markdown) == expected


def test_lines_that_only_look_like_a_list_stay_as_they_are_in_html() -> None:
    assert "- y" in render_html("```\nx\n- y\n```\n")  # code
    assert "<li>" not in render_html("Price:\n2024. A good year\n")  # CommonMark: not a list


def _nested_mdx(depth: int) -> str:
    return (
        "".join(f"<A{i}>\n" for i in range(depth))
        + "text\n"
        + "".join(f"</A{i}>\n" for i in reversed(range(depth)))
    )


def test_the_cycle_collector_is_on_again_after_a_transform_that_fails() -> None:
    import gc

    assert gc.isenabled()
    with pytest.raises(ContentError):
        raw(_nested_mdx(40), path=Path("post.mdx"))
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    import gc

    gc.disable()
    try:
        raw("[a](./b)\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_transform_inside_a_transform_leaves_the_collector_paused_for_the_outer_one() -> None:
    """A `post_link` that transforms another post (the library is public): the inner call
    must not resume the collector while the outer one still runs."""
    import gc

    inside: list[bool] = []

    def post_link(target: str) -> str:
        raw("[x](./y)\n")
        inside.append(gc.isenabled())
        return SITE + "/posts/other/"

    raw("[other](./other.md)\n", post_link=post_link)
    assert inside == [False]
    assert gc.isenabled()


def test_components_nested_past_the_limit_are_refused_when_the_innermost_holds_text() -> None:
    """Nested "more than 32 deep" is 33: the innermost component's text needs no pass of its own,
    but the depth is the post's all the same."""
    raw(_nested_mdx(32), path=Path("post.mdx"))
    with pytest.raises(ContentError, match="more than 32 deep"):
        raw(_nested_mdx(33), path=Path("post.mdx"))


def test_a_script_link_inside_an_inline_liquid_raw_tag_is_made_inert() -> None:
    """Liquid prints what `{% raw %}` holds as written, so the renderer reads its links: a
    script link there is one too (its Liquid stays as written)."""
    result = on("jekyll")(
        'x {% raw %}[a](javascript:alert(1)) {{ b }} <a href="javascript:1">c</a>{% endraw %} y\n'
    )
    assert result.body == "x a {{ b }} <a >c</a> y\n"
    assert [code for code, _ in codes(result)] == ["unsafe-link", "unsafe-link"]


@pytest.mark.parametrize(
    ("generator", "escaped", "shown"),
    [
        ("hugo", "{{</* x [a](javascript:alert(1)) */>}}", "{{< x a >}}"),
        ("zola", "{{/* x [a](javascript:alert(1)) */}}", "{{ x a }}"),
    ],
)
def test_a_script_link_inside_an_escaped_shortcode_is_made_inert(
    generator: str, escaped: str, shown: str
) -> None:
    """The site shows an escaped shortcode as text that the renderer reads: a link in it is one."""
    result = on(generator)(f"{escaped}\n")
    assert result.body == f"{shown}\n"
    assert [code for code, _ in codes(result)] == ["unsafe-link"]


def test_a_notice_quotes_the_post_not_the_transforms_placeholders() -> None:
    """A template tag left as is, holding a code span the rules had hidden, is quoted as the
    author wrote it (found by the sibling-runs property: the notice showed private-use
    placeholder characters, or half of one where the quote was cut)."""
    result = transform(
        "<div>` `{{`\n- \n- \n- `a`b` {{ x }}\n",
        page_url=PAGE,
        site_url=SITE,
        path=Path("post.md"),
        generator="jekyll",
    )
    [notice] = result.notices
    assert "\ue000" not in notice.message and "\ue001" not in notice.message
    assert notice.message.startswith("template tag {{` - - - `a`b` {{ x }}")


@pytest.mark.parametrize(
    ("generator", "tag"),
    [
        ("jekyll", "{% include x.html %}"),
        ("jekyll", "{% unknown %}"),
        ("hugo", "{{< unknown >}}"),
        ("zola", '{{ unknown(a="b") }}'),
    ],
)
def test_a_template_notice_names_its_line_after_templates_that_change_length(
    generator: str, tag: str
) -> None:
    """Placeholders and removed tags on the lines above a template tag in the same paragraph do
    not move its notice to another line (the offsets after each rule are read in the text
    that rule reads)."""
    above = "{% raw %}{{ a }}{% endraw %} `c` `d`" if generator == "jekyll" else "`a` `b` `c` `d`"
    result = on(generator)(f"{above} {{% include y.html %}}\nx\ny\n{tag}\nz\n")
    assert [notice.line for notice in result.notices][-1] == 4


def test_a_paragraph_that_only_looks_like_a_definition_stays_a_paragraph() -> None:
    """`[r]: ./ref[x](<./a b>)` is a paragraph (a definition's destination ends at the space)
    holding a link; written `%20`, the link's space would make the line a definition. Its `[`
    is escaped instead (found by the fixed-point property)."""
    body = "[r]: ./ref[x](<./a b>)\n"
    out = transform(body, page_url=PAGE, site_url=SITE, path=Path("post.md")).body
    assert out == "\\[r]: ./ref[x](<https://blog.example.com/posts/my-post/a%20b>)\n"
    again = transform(out, page_url=PAGE, site_url=SITE, path=Path("post.md")).body
    assert again == out
    untouched = "[Update]: nothing here is rewritten\n"
    assert (
        transform(untouched, page_url=PAGE, site_url=SITE, path=Path("post.md")).body == untouched
    )


def test_a_summary_reads_a_bounded_number_of_paragraphs() -> None:
    """A post of thousands of paragraphs without text (one image each) is not read whole for
    its first words: the summary comes from the first paragraphs, as many as
    `_SUMMARY_PARAGRAPHS`."""
    from crosspost.transform import _SUMMARY_PARAGRAPHS

    images = "![alt](./img.png)\n\n" * _SUMMARY_PARAGRAPHS
    early = transform(images[: -2 * 20] + "Early words.\n", page_url=PAGE, site_url=SITE)
    assert early.description_hint == "Early words."
    late = transform(images + "Late words.\n", page_url=PAGE, site_url=SITE)
    assert late.description_hint == "" and late.excerpt == ""
