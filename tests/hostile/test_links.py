"""Script and data URLs: refused where they would be a field, made inert where they are text.

A cover or canonical URL with `javascript:`, `vbscript:` or `data:` is an error naming the file,
line and field. In the body, every way Markdown and HTML have of making a link (inline, reference
definitions, autolinks, raw HTML with the tricks browsers accept) reaches no platform as a live
link: what each fake received, read as HTML and rendered as Markdown, holds no such URL. Each
snippet is checked to be dangerous as written, so the test cannot pass by being blind.
"""

from __future__ import annotations

import pytest

from crosspost.adapters.devto.fake import FakeDevTo

from ..conftest import fake_of
from .conftest import HostileBlog, front_matter, refusal, script_urls, strings

FIELDS = {
    "cover-javascript": ("cover: javascript:alert(1)", "cover"),
    "cover-mixed-case": ("image: 'JaVaScRiPt:alert(1)'", "image"),
    "cover-entity": ("cover: '&#106;avascript:alert(1)'", "cover"),
    "cover-data": ("cover: 'data:image/svg+xml;base64,PHN2Zy8+'", "cover"),
    "cover-vbscript": ("heroImage: 'vbscript:msgbox(1)'", "heroImage"),
    "cover-in-a-map": ("cover: {src: 'javascript:alert(1)', alt: x}", "cover"),
    "canonical-javascript": ("canonical_url: javascript:alert(1)", "canonical_url"),
    "canonical-data": (
        "canonical_url: 'data:text/html,<script>alert(1)</script>'",
        "canonical_url",
    ),
}


@pytest.mark.parametrize(("line", "field"), FIELDS.values(), ids=list(FIELDS))
def test_a_script_url_in_a_url_field_is_refused(
    published: HostileBlog, line: str, field: str
) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write("evil.md", front_matter("title: T", "date: 2024-03-01", line))
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:4: field '{field}': "), message
    assert len(published.writes()) == writes
    assert published.records_bytes() == before


BODY = {
    "inline": "[click](javascript:alert(1))",
    "inline-entity": "[click](&#106;avascript:alert(1))",
    "inline-tab": "[click](java&#x09;script:alert(1))",
    "image-data": "![i](data:image/svg+xml;base64,PHN2Zy8+)",
    "reference": "[click][x]\n\n[x]: javascript:alert(1)",
    "reference-angle": "[click][y]\n\n[y]: <vbscript:msgbox(1)> 'title'",
    # CommonMark reads `\:` as `:`, and lets a destination start on the next line (after the
    # blockquote's `>`) or after any run of spaces.
    "inline-escaped-colon": "[click](javascript\\:alert(1))",
    "inline-far": "[click](            javascript:alert(1))",
    "inline-next-line": "[click](\n          javascript:alert(1))",
    "inline-quoted": "> [click](\n> javascript:alert(1))",
    "inline-quoted-title": "> [click](javascript:alert(1)\n> 't')",
    "reference-escaped-colon": "[click][x]\n\n[x]: javascript\\:alert(1)",
    "reference-next-line": "[click][x]\n\n[x]:\njavascript:alert(1)",
    "reference-quoted": "> [click][x]\n>\n> [x]:\n> javascript:alert(1)",
    "autolink": "<javascript:alert(1)>",
    "html-href": '<a href="javascript:alert(1)">x</a>',
    "html-quoted-gt": '<a title=">" href="javascript:alert(1)">x</a>',
    "html-slash": '<div>\n<img/src="javascript:alert(1)">\n</div>',
    "html-adjacent": '<div>\n<a href="/ok"href="javascript:alert(1)">x</a>\n</div>',
    "html-newline": '<a\nhref="javascript:alert(1)">x</a>',
    "html-iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "html-form": '<form action="javascript:alert(1)"><button>x</button></form>',
    "html-object": '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "html-svg": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "html-animate": '<svg><a><animate attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "html-in-block": '<div>\n<a href="javascript:alert(1)">x</a>\n</div>',
}


@pytest.mark.parametrize("snippet", BODY.values(), ids=list(BODY))
def test_script_links_in_the_body_reach_no_platform_alive(blog: HostileBlog, snippet: str) -> None:
    assert script_urls(snippet), "the snippet must be dangerous as written"
    blog.write(
        "links.md", front_matter("title: T", "date: 2024-03-01", body=f"Intro.\n\n{snippet}\n")
    )
    report = blog.publish()
    assert report.exit_code == 0, report.results
    assert any(n.code == "unsafe-link" for n in report.notices), report.notices
    for name, fake in blog.sandbox.fakes.items():
        for request in blog.writes():
            if request not in fake.requests or not request.body.startswith(b"{"):
                continue
            for text in strings(request.json()):
                assert not script_urls(text), (name, text)


def test_a_safe_link_is_left_alone(blog: HostileBlog) -> None:
    """The control: a plain https link and a relative one arrive, absolute."""
    body = '[site](https://example.org/a) <a href="./b/">b</a>\n'
    blog.write("ok.md", front_matter("title: T", "date: 2024-03-01", body=body))
    report = blog.publish()
    assert report.exit_code == 0 and not report.notices
    (article,) = fake_of(blog.sandbox, "devto", FakeDevTo).articles
    assert "https://example.org/a" in article["body_markdown"]
    assert 'href="https://blog.example.com/posts/ok/b/"' in article["body_markdown"]
