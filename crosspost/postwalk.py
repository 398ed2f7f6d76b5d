"""Which files are posts, and where a folder walk looks for them: the rules `discover` (the
walk of `check`, `publish`, `status` and the Action) and the up-to-date check
(`crosspost.uptodate`) share, on plain strings with nothing but `os`, because the up-to-date
check runs before anything heavier is imported and must see the very files a full run would.
"""

import os

TYPE_CHECKING = False  # `typing` and `collections.abc` cost more than the walk's own start
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["POST_SUFFIXES", "is_post_name", "post_files", "stands_for_content"]

POST_SUFFIXES = (".md", ".mdx", ".markdown")


def is_post_name(name: str) -> bool:
    """A post's file name: Markdown, not hidden, not a README, not a Hugo `_index` list page."""
    lower = name.lower()
    return lower.endswith(POST_SUFFIXES) and not lower.startswith((".", "readme.", "_index."))


def post_files(top: str) -> "Iterator[str]":
    """The post files under the folder `top`, in no order: hidden folders and `node_modules`
    are skipped, a folder reached through a symbolic link is not entered (`os.walk`'s rule)."""
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        yield from (os.path.join(folder, name) for name in files if is_post_name(name))


def stands_for_content(folder: str, root: str, content: str) -> bool:
    """Whether the folder named `folder` is the blog's root folder, which stands for its content
    folder `content` when there is one."""
    return os.path.realpath(folder) == os.path.realpath(root) and os.path.isdir(content)
