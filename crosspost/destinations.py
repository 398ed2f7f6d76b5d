"""Destinations: a copy belongs to a platform account at an address (docs/architecture.md §7).

A records file never receives copies made on this machine (the sandbox's fakes, any loopback
address) unless its config names its records file (the top-level `records` key): under the
GitHub Action, only an address a maintainer confirmed (`api-hosts`) receives a token at all.
`refuse_sandbox_records` says so before a run sends anything.

The records name each platform's entries by the platform (`devto`), and its account cache
remembers the API origin its token was last sent to (`token_host`). When the configured address
of a platform is another origin than that one (a Mastodon server move, another Forem instance,
the sandbox's fake replaced by the real platform), the copies recorded are not at the new
address: they are kept aside under `NAME@OLD_ORIGIN` (`devto@http://127.0.0.1:34121`), another
destination that `records list` shows and no run publishes to, and the platform starts empty
there, so its posts are published at the new address. Going back to an address brings its kept
records back. Records with no remembered origin (written before crosspost remembered it) are
taken as made at the address configured now: nothing is published again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import SANDBOX_RECORDS, Config
from .errors import ConfigError, shown
from .http import is_loopback
from .platforms import TOKEN_HOST
from .records import Records

__all__ = [
    "AddressChange",
    "follow_addresses",
    "is_kept",
    "kept_key",
    "refuse_sandbox_records",
]


def kept_key(platform: str, origin: str) -> str:
    """The records' name for `platform`'s copies at the earlier address `origin`."""
    return f"{platform}@{origin}"


def is_kept(name: str) -> bool:
    """Whether a records name is a kept destination (an earlier address), not a platform."""
    return "@" in name


@dataclass(frozen=True, slots=True)
class AddressChange:
    """`platform` was recorded at `old` and is configured at `new`; `kept` posts' records were
    set aside under `key`."""

    platform: str
    old: str
    new: str
    kept: int

    @property
    def key(self) -> str:
        return kept_key(self.platform, self.old)


def follow_addresses(records: Records, origins: Mapping[str, str]) -> list[AddressChange]:
    """Set aside the records of every platform whose configured API origin (`origins`, by
    platform) is not the one they were made with, and bring back those kept for the configured
    one. On a read-only view (a dry run) the change is made in memory only."""
    changes = []
    for name, origin in sorted(origins.items()):
        recorded = records.account(name).get(TOKEN_HOST)
        if not isinstance(recorded, str) or not recorded or not origin or recorded == origin:
            continue
        kept = records.rekey(name, kept_key(name, recorded), {TOKEN_HOST: origin})
        back = kept_key(name, origin)
        if records.account(back) or records.has_destination(back):
            records.rekey(back, name, {})
        changes.append(AddressChange(name, recorded, origin, kept))
    return changes


def _on_this_machine(origin: str) -> bool:
    """`http.is_loopback`, the one rule, plus `*.localhost` names (RFC 6761: this machine)."""
    host = urlsplit(origin).hostname or ""
    return is_loopback(host) or host.endswith(".localhost")


def refuse_sandbox_records(config: Config, origins: Mapping[str, str]) -> None:
    """Raise `ConfigError` before a run would record copies made at a loopback address (the
    sandbox) in the blog's default records file: once committed, they would stand for the
    blog's posts on the real platform. A config that names its own `records`, or an address a
    maintainer confirmed for the Action (`confirmed_hosts`), is a deliberate choice; under the
    Action no other address receives a token (`Platforms`), so none can make a copy."""
    if config.records_path is not None or config.confirmed_hosts is not None:
        return
    for name, origin in sorted(origins.items()):
        if _on_this_machine(origin):
            raise ConfigError(
                f"{name} points at {origin}, a sandbox on this machine, and its records "
                f"would go into the blog's records file {shown(config.records)}",
                path=config.path,
                field=f"platforms.{name}",
                hint=f'give that config its own records: add records = "{SANDBOX_RECORDS}" at '
                "its top (`crosspost sandbox` prints such a config), or use `crosspost publish "
                "--sandbox`",
            )
