"""Paths that lead out of the blog: posts and images outside it are never read or uploaded.

A post that is a symbolic link to a file outside the blog folder is refused (in a pull request
it could point at a secret of the machine running the Action). A cover or image given as
`../../…`, as an absolute path, or as a link out of the blog is never opened: platforms get its
URL on the site, Mastodon's `upload_cover` uploads nothing, and a notice says so. A cover inside
the blog is uploaded, so the checks cannot pass by uploading nothing at all.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.adapters.mastodon.fake import FakeMastodon

from ..conftest import fake_of
from .conftest import GOOD_POST, HostileBlog, front_matter, refusal

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, bytes]:
    """An image outside the blog folder holding a unique marker, and that marker."""
    marker = f"outside-secret-{secrets.token_hex(8)}".encode()
    path = tmp_path / "outside" / "secret.png"
    path.parent.mkdir()
    path.write_bytes(PNG + marker)
    return path, marker


def _sent(blog: HostileBlog, marker: bytes) -> list[str]:
    """The fakes that received `marker` in any request."""
    return [
        name
        for name, fake in blog.sandbox.fakes.items()
        for request in fake.requests
        if marker in request.body
    ]


def test_a_post_linked_from_outside_the_blog_is_refused(
    published: HostileBlog, tmp_path: Path
) -> None:
    secret = tmp_path / "elsewhere" / "notes.md"
    secret.parent.mkdir()
    marker = f"private-{secrets.token_hex(6)}"
    secret.write_text(GOOD_POST.replace("Fine text.", marker), "utf-8")
    before, writes = published.records_bytes(), len(published.writes())
    link = published.posts / "linked.md"
    os.symlink(secret, link)
    message = refusal(published.publish(), link)
    assert "link to a file outside the blog folder" in message and "copy the post" in message
    assert len(published.writes()) == writes and published.records_bytes() == before
    result = published.cli("publish")
    published.assert_refused(result, link, "outside the blog folder")
    assert marker not in result.stdout + result.stderr


def test_a_post_linked_from_inside_the_blog_is_fine(blog: HostileBlog) -> None:
    shared = blog.root / "shared" / "post.md"
    shared.parent.mkdir()
    shared.write_text(GOOD_POST, "utf-8")
    blog.posts.mkdir()
    os.symlink(shared, blog.posts / "linked.md")
    assert blog.publish().exit_code == 0


COVERS: dict[str, Callable[[Path, HostileBlog], str]] = {
    "dot-dot": lambda outside, blog: os.path.relpath(outside, blog.posts),
    "absolute": lambda outside, blog: str(outside),
    "symlink-out": lambda outside, blog: _link(blog.posts / "cover.png", outside),
    "root-relative-dot-dot": lambda outside, blog: "/" + "../" * 12 + str(outside).lstrip("/"),
}


def _link(link: Path, target: Path) -> str:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    return "./cover.png"


@pytest.mark.parametrize("how", list(COVERS))
def test_a_cover_outside_the_blog_is_never_read_nor_uploaded(
    blog: HostileBlog, outside: tuple[Path, bytes], how: str
) -> None:
    path, marker = outside
    blog.configure("mastodon", upload_cover=True)
    cover = COVERS[how](path, blog)
    blog.write("post.md", front_matter("title: T", "date: 2024-03-01", f"cover: '{cover}'"))
    report = blog.publish()
    assert report.exit_code == 0, report.results
    assert _sent(blog, marker) == [], "the file outside the blog was sent"
    assert fake_of(blog.sandbox, "mastodon", FakeMastodon).media == {}, "nothing was uploaded"
    codes = {n.code for n in report.notices}
    assert codes & {"cover-outside", "cover-missing"}, report.notices
    (article,) = fake_of(blog.sandbox, "devto", FakeDevTo).articles
    assert str(article["cover_image"]).startswith("https://blog.example.com/")


def test_images_in_the_body_are_links_never_files(
    blog: HostileBlog, outside: tuple[Path, bytes]
) -> None:
    path, marker = outside
    relative = os.path.relpath(path, blog.posts)
    body = f'![a]({relative})\n\n<img src="{path}">\n\n![b](file://{path})\n'
    blog.configure("mastodon", upload_cover=True)
    blog.write("post.md", front_matter("title: T", "date: 2024-03-01", body=body))
    assert blog.publish().exit_code == 0
    assert _sent(blog, marker) == []
    assert fake_of(blog.sandbox, "mastodon", FakeMastodon).media == {}


def test_a_cover_inside_the_blog_is_uploaded(blog: HostileBlog) -> None:
    """The control: the same setup uploads a cover that is inside the blog."""
    blog.configure("mastodon", upload_cover=True)
    blog.write("bundle/cover.png", PNG + b"inside")
    blog.write(
        "bundle/index.md", front_matter("title: T", "date: 2024-03-01", "cover: ./cover.png")
    )
    assert blog.publish().exit_code == 0
    assert _sent(blog, b"inside") == ["bluesky", "mastodon"]  # Bluesky's card thumbnail
    assert len(fake_of(blog.sandbox, "mastodon", FakeMastodon).media) == 1


def _outside_post(tmp_path: Path) -> tuple[Path, str]:
    """A folder outside the blog holding one publishable post with a unique marker."""
    marker = f"private-{secrets.token_hex(6)}"
    folder = tmp_path / "elsewhere-posts"
    folder.mkdir()
    (folder / "notes.md").write_text(GOOD_POST.replace("Fine text.", marker), "utf-8")
    return folder, marker


def test_a_content_folder_linked_from_outside_the_blog_is_refused(
    published: HostileBlog, tmp_path: Path
) -> None:
    """Issue 13, attack 5: the content folder was resolved first, so the guard saw no link."""
    folder, marker = _outside_post(tmp_path)
    writes = len(published.writes())
    for name in os.listdir(published.posts):
        (published.posts / name).unlink()
    published.posts.rmdir()
    os.symlink(folder, published.posts)
    result = published.cli("publish")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the blog folder" in result.stderr
    assert marker not in result.stdout + result.stderr
    assert len(published.writes()) == writes


def test_a_content_setting_leading_out_of_the_blog_is_refused(
    published: HostileBlog, tmp_path: Path
) -> None:
    folder, marker = _outside_post(tmp_path)
    config = published.root / "crosspost.toml"
    rel = os.path.relpath(folder, published.root)
    config.write_text(
        config.read_text("utf-8").replace('content = "posts"', f'content = "{rel}"'), "utf-8"
    )
    assert rel in config.read_text("utf-8")
    writes = len(published.writes())
    result = published.cli("publish")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "site.content" in result.stderr and "outside the blog folder" in result.stderr
    assert marker not in result.stdout + result.stderr
    assert len(published.writes()) == writes
