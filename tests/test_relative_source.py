"""How the records name a post file (`plan.relative_source`), and its shortcut for the paths a
folder walk finds: taken only where normalising would change nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crosspost.plan import RelativeNames, _plainly_absolute, _plainly_relative, relative_source

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


names = st.lists(
    st.sampled_from(["posts", "link", "..", ".", "", ".hidden", "a.md", "é"]), max_size=5
)


@given(
    parts=names, name=st.sampled_from(["a.md", "b.md", ".a.md", "", "é.md"]), absolute=st.booleans()
)
def test_the_walks_names_are_named_as_relative_source_names_each(
    parts: list[str], name: str, absolute: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`RelativeNames` works each folder out once: whatever the folder (dots, doubled
    separators, a symbolic link on the way, outside the root), each file is named as
    `relative_source` names it."""
    root = _blog(tmp_path_factory)
    folder = os.path.join(str(root) if absolute else "", *parts) if parts or absolute else ""
    cwd = os.getcwd()
    os.chdir(root)  # not monkeypatch: a fixture shared by every example
    try:
        relative = RelativeNames(root)
        for text in (os.path.join(folder, name), os.path.join(folder, "other.md")):
            assert relative(text) == relative_source(text, root)
            assert relative(Path(text)) == relative_source(Path(text), root)
    finally:
        os.chdir(cwd)


def _blog(factory: pytest.TempPathFactory) -> Path:
    """A blog root with a posts folder and `link`, a symbolic link to it (made once)."""
    root = factory.getbasetemp() / "relative-names"
    if not root.exists():
        (root / "posts").mkdir(parents=True)
        (root / "posts" / "a.md").write_text("x", "utf-8")
        (root / "link").symlink_to(root / "posts", target_is_directory=True)
    return root
