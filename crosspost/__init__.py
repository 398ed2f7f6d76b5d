"""crosspost: publish Markdown blog posts to dev.to, Hashnode, Medium-style APIs and Mastodon.

The canonical URL always points home, and a post is never published twice.

    import crosspost

    report = crosspost.publish("content/posts/hello.md")       # config found above the file
    for result in report.results:
        print(result.platform, result.status, result.url)

    with crosspost.Sandbox() as sandbox:                        # fake platforms, for tests
        crosspost.publish(crosspost.Document.from_markdown(text), config=sandbox.config)

`import crosspost` is cheap: no HTTP client, no adapter and no Markdown renderer is imported
until a function needs it. Adapters for other platforms plug in through the `crosspost.adapters`
entry-point group (see `crosspost.adapter`).
"""

from __future__ import annotations

from ._version import __version__

# Not `from typing import TYPE_CHECKING`: importing typing is a third of `crosspost --version`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .api import apublish, load_post, plan, publish
    from .config import Config, load_config
    from .document import Asset, Document, Notice, RemotePost
    from .errors import (
        AlreadyExistsError,
        AmbiguousError,
        AuthError,
        ConfigError,
        ContentError,
        CredentialError,
        CrosspostError,
        EndpointError,
        LockError,
        NotSentError,
        PlatformError,
        RateLimitedError,
        RecordsError,
        RejectedError,
        RetryableError,
        ServerError,
        SourceError,
    )
    from .plan import Plan
    from .publisher import Report, Result, Status
    from .sandbox import Sandbox

__all__ = [
    "AlreadyExistsError",
    "AmbiguousError",
    "Asset",
    "AuthError",
    "Config",
    "ConfigError",
    "ContentError",
    "CredentialError",
    "CrosspostError",
    "Document",
    "EndpointError",
    "LockError",
    "NotSentError",
    "Notice",
    "Plan",
    "PlatformError",
    "RateLimitedError",
    "RecordsError",
    "RejectedError",
    "RemotePost",
    "Report",
    "Result",
    "RetryableError",
    "Sandbox",
    "ServerError",
    "SourceError",
    "Status",
    "__version__",
    "apublish",
    "load_config",
    "load_post",
    "plan",
    "publish",
]

_HOMES = {
    "crosspost.api": ("apublish", "load_post", "plan", "publish"),
    "crosspost.config": ("Config", "load_config"),
    "crosspost.document": ("Asset", "Document", "Notice", "RemotePost"),
    "crosspost.plan": ("Plan",),
    "crosspost.publisher": ("Report", "Result", "Status"),
    "crosspost.sandbox": ("Sandbox",),
}
_LAZY = {name: module for module, names in _HOMES.items() for name in names}
_LAZY.update({name: "crosspost.errors" for name in __all__ if name.endswith("Error")})


def __getattr__(name: str) -> Any:
    """Import each part on first use: `crosspost --version` and `import crosspost` stay instant,
    and the HTTP client, adapters and Markdown renderer load only when a call needs them."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crosspost' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
