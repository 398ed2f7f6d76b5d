"""One post never stops the others (issue 13, attack 4): whatever goes wrong while one post is
read, rendered or link-checked becomes that post's error naming its file; every other post is
published, and the exit code says one failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.errors import SourceError

from .conftest import HostileBlog, front_matter

CRASHERS = {
    "newline-in-relative-href": '<a href="./foo\nbar">x</a>\n',
    "newline-in-relative-src": '<img src="./foo\nbar.png" alt="x">\n',
}


def _good_posts(blog: HostileBlog) -> None:
    blog.write("first.md", front_matter("title: First", "date: 2024-03-01"))
    blog.write("second.md", front_matter("title: Second", "date: 2024-03-02"))


def _assert_others_published(blog: HostileBlog, bad: Path, result_text: str) -> None:
    for name in ("first", "second"):
        url = f"https://blog.example.com/posts/{name}/"
        copies = {platform: len(fake.copies(url)) for platform, fake in blog.sandbox.fakes.items()}
        assert set(copies.values()) == {1}, (name, copies)
    assert bad.name in result_text


@pytest.mark.parametrize("body", CRASHERS.values(), ids=list(CRASHERS))
def test_a_post_that_crashes_the_transform_stops_only_itself(blog: HostileBlog, body: str) -> None:
    _good_posts(blog)
    bad = blog.write("bad.md", front_matter("title: Bad", "date: 2024-03-03", body=body))
    result = blog.cli("publish")
    assert "internal error" not in result.stderr, result.stderr
    _assert_others_published(blog, bad, result.stdout + result.stderr)
    assert result.returncode in (0, 2), result.stderr  # 2 when the post is refused


def test_whatever_reading_a_post_raises_is_that_posts_error(
    blog: HostileBlog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the transform raises (a bug of tomorrow), only the post that triggers it fails."""
    import crosspost.sources as sources

    real = sources._build

    def exploding(text: str, **kwargs: object) -> object:
        if "EXPLODE" in text:
            raise IndexError("list index out of range")
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "_build", exploding)
    _good_posts(blog)
    bad = blog.write("bad.md", front_matter("title: Bad", "date: 2024-03-03", body="EXPLODE\n"))
    report = blog.publish()
    (error,) = report.errors
    assert isinstance(error, SourceError) and error.path == bad
    assert "IndexError" in str(error)
    assert report.exit_code == 2
    _assert_others_published(blog, bad, str(error))
