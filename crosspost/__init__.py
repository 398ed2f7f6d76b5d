"""crosspost: publish Markdown blog posts to dev.to, Hashnode, Medium-style APIs and Mastodon."""

from ._version import __version__

__all__ = ["__version__"]
