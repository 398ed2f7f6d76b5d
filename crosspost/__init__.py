"""crosspost: publish Markdown blog posts to dev.to, Hashnode, Medium-style APIs and Mastodon.

The canonical URL always points home, and a post is never published twice: what was sent where
is kept in the blog's records (.crosspost/records.json) and checked before every request.

    import crosspost

    report = crosspost.publish("content/posts/hello.md")      # config: nearest crosspost.toml
    for result in report.results:                             # one Result per (post, platform)
        print(result.platform, result.status, result.url)

    with crosspost.Sandbox() as sandbox:                       # fake platforms on 127.0.0.1
        post = crosspost.load_text(text, config=sandbox.config)
        assert crosspost.publish(post, config=sandbox.config).exit_code == 0

Functions: load_post, load_text, load_config, plan, publish, apublish. Results: Plan, Report,
Result, Status. Every error raised on purpose is a CrosspostError (see crosspost.errors for which
to catch). Library calls never print, exit or prompt; they log to the "crosspost" logger.
Other platforms plug in through the "crosspost.adapters" entry-point group (crosspost.adapter).

`import crosspost` is cheap: no HTTP client, adapter or Markdown renderer is imported until a
function needs it.
"""

# No `from __future__ import annotations`: it imports the `__future__` module, a cost on every
# `crosspost --version`; the one annotation naming a type-checking-only name is quoted instead.
import sys

from ._version import __version__

# Not `from typing import TYPE_CHECKING`: importing typing is a third of `crosspost --version`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType as _ModuleType
    from typing import Any

    from .api import apublish, load_post, load_text, plan, publish
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
    "load_text",
    "plan",
    "publish",
]

_HOMES = {
    "crosspost.api": ("apublish", "load_post", "load_text", "plan", "publish"),
    "crosspost.config": ("Config", "load_config"),
    "crosspost.document": ("Asset", "Document", "Notice", "RemotePost"),
    "crosspost.plan": ("Plan",),
    "crosspost.publisher": ("Report", "Result", "Status"),
    "crosspost.sandbox": ("Sandbox",),
}
_LAZY = {name: module for module, names in _HOMES.items() for name in names}
_LAZY.update({name: "crosspost.errors" for name in __all__ if name.endswith("Error")})


def __getattr__(name: str) -> "Any":
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


if not TYPE_CHECKING:
    _ModuleType = type(sys)  # `import types` would cost start-up time; this is the same class


class _Package(_ModuleType):
    """The package object, guarding the public names against submodules of the same name.

    Importing a submodule sets it as an attribute of its package, so the first import of
    `crosspost.plan` (the module, which `publish` needs) would replace `crosspost.plan` the
    function with a module object. The module stays reachable as `sys.modules["crosspost.plan"]`
    and through `from crosspost.plan import ...`.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, _ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
