"""How the records name a post file (`plan.relative_source`), and its shortcut for the paths a
folder walk finds: taken only where normalising would change nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crosspost.plan import _plainly_absolute, _plainly_relative, relative_source

parts = st.sampled_from(["a", "b.md", ".", "..", "", ".hidden", "c..d", "é"])
paths = st.lists(parts, max_size=6).map("/".join)


@given(text=st.one_of(paths, paths.map(lambda p: "/" + p), st.text(max_size=12)))
def test_the_shortcut_is_taken_only_where_normalising_changes_nothing(text: str) -> None:
    if _plainly_absolute(text):
        assert os.path.abspath(text) == text


@given(text=st.one_of(paths, st.text(max_size=12)))
def test_a_relative_path_is_joined_to_the_folder_only_where_normalising_changes_nothing(
    text: str,
) -> None:
    """A run in the blog's folder (`crosspost publish`) walks relative paths: joined to the
    current folder as they are, they are what `os.path.abspath` makes of them."""
    if _plainly_relative(text):
        assert os.path.abspath(text) == os.path.join(os.getcwd(), text)


def test_a_post_is_named_relative_to_the_blog_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "posts").mkdir()
    post = tmp_path / "posts" / "a.md"
    post.write_text("x", "utf-8")
    assert relative_source(post, tmp_path) == "posts/a.md"
    assert relative_source(tmp_path / "posts" / ".." / "posts" / "a.md", tmp_path) == "posts/a.md"
    assert relative_source(tmp_path / "posts" / "." / "a.md", tmp_path) == "posts/a.md"
    assert relative_source(None, tmp_path) is None
    monkeypatch.chdir(tmp_path)  # a run in the blog's folder walks relative paths
    assert relative_source(Path("posts/a.md"), tmp_path) == "posts/a.md"
    assert relative_source(Path("posts/../posts/a.md"), tmp_path) == "posts/a.md"
