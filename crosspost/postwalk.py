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
    are skipped, a folder reached through a symbolic link is not entered, a folder that cannot
    be listed is passed over (`os.walk`'s rules, on `os.scandir` itself: each file's name is
    joined in C, half the cost of a walk over 10,000 posts)."""
    folders = [top]
    while folders:
        try:
            listing = os.scandir(folders.pop())
        except OSError:
            continue
        with listing:
            for entry in listing:
                if not _is_folder(entry):
                    if is_post_name(entry.name):
                        yield entry.path
                elif _enters(entry):
                    folders.append(entry.path)


def _enters(folder: "os.DirEntry[str]") -> bool:
    """Whether the walk goes into `folder`: not hidden, not `node_modules`, not a link."""
    name = folder.name
    return not name.startswith(".") and name != "node_modules" and not _is_link(folder)


def _is_folder(entry: "os.DirEntry[str]") -> bool:
    """A folder, or a link to one; an entry that cannot be asked counts as a file (`os.walk`)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_link(entry: "os.DirEntry[str]") -> bool:
    """A symbolic link; one that cannot be asked is entered (`os.walk`)."""
    try:
        return entry.is_symlink()
    except OSError:
        return False


def stands_for_content(folder: str, root: str, content: str) -> bool:
    """Whether the folder named `folder` is the blog's root folder, which stands for its content
    folder `content` when there is one."""
    return os.path.realpath(folder) == os.path.realpath(root) and os.path.isdir(content)
