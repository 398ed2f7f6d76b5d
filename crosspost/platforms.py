"""The platforms of one run: each adapter built once, with its HTTP client, cache and token.

Shared by publishing and by `status --refresh`, so that both reach the platforms the same way:
settings validated against the adapter's dataclass, base URL checked (https only), pacing from
the adapter's limits overridden by the config, tokens resolved only for platforms that have work.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .adapter import Adapter, AdapterClass, AdapterContext, Capabilities, load_adapters
from .config import PLATFORM_KEYS, Config, PlatformConfig, RateLimit, check_tag_platforms
from .credentials import Secret, env_var, resolve_token, token_source
from .errors import ConfigError, CrosspostError, RecordsError
from .http import Pacer, PlatformClient, RetryPolicy, api_origin, validate_base_url
from .notice import Notice
from .progress import Waiting, Watch
from .records import Records
from .suggest import allowed_hint
from .tables import build_settings

__all__ = ["Platforms", "describe_platforms", "select_platforms"]


class _Lazy(Mapping[str, Adapter]):
    def __init__(self, platforms: Platforms, records: Records) -> None:
        self._platforms = platforms
        self._records = records

    def __getitem__(self, name: str) -> Adapter:
        if name not in self._platforms.names:
            raise KeyError(name)
        return self._platforms._build(name, self._records)

    def __iter__(self) -> Iterator[str]:
        return iter(self._platforms.names)

    def __len__(self) -> int:
        return len(self._platforms.names)


class Platforms:
    """Adapter instances by platform name, built on first use and closed together."""

    def __init__(
        self,
        config: Config,
        adapters: Mapping[str, AdapterClass],
        to: Sequence[str] | None = None,
        *,
        policy: RetryPolicy | None = None,
        transports: Mapping[str, Any] | None = None,
        watch: Watch | None = None,
    ) -> None:
        self.config = config
        self._watch = watch
        check_tag_platforms(config, adapters)
        self.names = select_platforms(config, adapters, to)
        self._classes = {name: adapters[name] for name in self.names}
        self._policy = policy or RetryPolicy()
        self._transports = transports or {}
        self._built: dict[str, Adapter] = {}
        self._clients: dict[str, PlatformClient] = {}
        self._caches: dict[str, dict[str, Any]] = {}
        # Settings are checked now, even when nothing will be sent: a typo in crosspost.toml
        # must not wait for the day a post changes to be reported.
        self._settings = {name: self._checked_settings(name) for name in self.names}

    def _checked_settings(self, name: str) -> Any:
        pc = self.config.platforms.get(name) or PlatformConfig(name)
        settings = build_settings(
            self._classes[name].Settings,
            pc.options,
            key=f"platforms.{name}",
            path=self.config.path,
            also=PLATFORM_KEYS,  # a near miss of `timeout` is offered `timeout`
        )
        validate_base_url(
            name, settings.base_url, field=_url_key(settings, name), path=self.config.path
        )
        return settings

    def adapters(self, records: Records) -> Mapping[str, Adapter]:
        """Every selected adapter, each built (client, cache from `records`) on first access:
        a run whose posts are all unchanged never builds one, nor imports the HTTP client."""
        return _Lazy(self, records)

    def built(self) -> dict[str, Adapter]:
        return dict(self._built)

    def __getitem__(self, name: str) -> Adapter:
        return self._built[name]

    def _build(self, name: str, records: Records) -> Adapter:
        if name in self._built:
            return self._built[name]
        cls = self._classes[name]
        pc = self.config.platforms.get(name) or PlatformConfig(name)
        settings = self._settings[name]
        limits = {**cls.capabilities.limits, **pc.limits}
        client = PlatformClient(
            name,
            settings.base_url,
            auth_header=cls.auth_header,
            auth_scheme=cls.auth_scheme,
            headers=cls.default_headers,
            timeout=pc.timeout,
            pacer=Pacer(RateLimit.parse(op, text) for op, text in limits.items()),
            policy=self._policy,
            transport=self._transports.get(name),
            trusted_hosts=self._trusted_hosts(name),
            config_path=self.config.path,
        )
        if self._watch is not None:
            watch = self._watch
            client.pacer.on_wait = lambda seconds, why: watch(Waiting(name, seconds, why))
        cache = _checked_cache(name, records.account(name), cls, records.path)
        tags = {
            tag: per_platform[name]
            for tag, per_platform in self.config.tags.items()
            if name in per_platform
        }
        lag = _read_lag(pc, cls.capabilities)
        context = AdapterContext(http=client, cache=cache, tags=tags, read_lag=lag)
        adapter = cls(settings, context)
        self._clients[name], self._caches[name], self._built[name] = client, cache, adapter
        return adapter

    def settings(self, name: str) -> Any:
        """`name`'s validated settings (its [platforms.NAME] table as the adapter reads it)."""
        return self._settings[name]

    def origin(self, name: str) -> str:
        """The API origin `name`'s configured address sends to (where its copies live)."""
        return api_origin(self._settings[name].base_url)

    def authenticate(self, name: str) -> None:
        """Give the built adapter of `name` its token (raises `CredentialError` without one)."""
        self._clients[name].set_token(self.token(name))

    def token(self, name: str) -> Secret:
        """Config-given (sandbox) first, then CROSSPOST_<NAME>_TOKEN, then the keyring."""
        return resolve_token(name, self.config.credentials)

    async def ready_one(self, name: str) -> CrosspostError | None:
        """Check where the token would go, resolve it and let the adapter fetch account facts;
        the error, if any."""
        try:
            host = self._token_host(name)
            self._clients[name].set_token(self.token(name))
            await self._built[name].prepare()
            self._caches[name][TOKEN_HOST] = host  # after `prepare`, which may reset the cache
        except CrosspostError as exc:
            return exc
        return None

    async def ready(self, names: Iterable[str]) -> dict[str, CrosspostError]:
        """`ready_one` for several platforms at once; what failed, by platform."""
        ordered = sorted(set(names))
        outcomes = await asyncio.gather(*(self.ready_one(n) for n in ordered))
        return {n: e for n, e in zip(ordered, outcomes, strict=True) if e is not None}

    def _token_host(self, name: str) -> str:
        """The API address this run sends `name`'s token to, once it is allowed: under the
        Action (`config.confirmed_hosts` set) only the adapter's default address or one a
        maintainer confirmed outside the pull request (the action's `api-hosts` input).
        crosspost.toml and the records are part of the pull request, so neither can vouch for
        an address, a first one included: a pull request that sets `api_url` (or adds a
        platform with its `instance`) would otherwise send the token to anyone's server."""
        host = api_origin(self._settings[name].base_url)
        self._clients[name].entrust(host, field=_url_key(self._settings[name], name))
        return host

    def _trusted_hosts(self, name: str) -> frozenset[str] | None:
        """Where `name`'s credential may go: anywhere (None) when a person runs crosspost;
        under the Action the adapter's default API address and the ones confirmed for `name`
        (a host confirmed for another platform gets nothing: `config.confirmed_hosts`)."""
        confirmed = self.config.confirmed_hosts
        if confirmed is None:
            return None
        default = _default_origin(self._classes[name])
        mine = confirmed.get(name, frozenset())
        return frozenset({api_origin(h) for h in mine} | ({default} if default else set()))

    async def close(self, records: Records | None) -> None:
        """Save what adapters learned (ids, limits) into the records; close the clients."""
        if records is not None and records.writable:
            for name, cache in self._caches.items():
                if cache != records.account(name):
                    records.save_account(name, cache)
        await asyncio.gather(*(c.aclose() for c in self._clients.values()))


TOKEN_HOST = "token_host"  # noqa: S105 - a key of the records, not a secret
"""The account cache's key for the API address the platform's token was last sent to: for the
people reading the records' diff; it vouches for nothing (the records are in the pull request)."""


def _default_origin(cls: AdapterClass) -> str | None:
    """The origin of the adapter's default API address (its Settings with no keys set), or
    None when it has none (Mastodon: every server is someone's)."""
    try:
        origin = api_origin(cls.Settings().base_url)
    except (ConfigError, TypeError):
        return None
    return origin or None


def announce_only(config: Config, adapters: Mapping[str, AdapterClass]) -> Notice | None:
    """A warning when every enabled platform only announces (Mastodon, Bluesky) and waits for
    an article platform (`after = "article"`, the default): none is configured, so the run
    holds every post, "waiting for an article platform", and announces nothing. Only an
    article already in the records (posted before, from another config) would lift it."""
    enabled = sorted(n for n, pc in config.platforms.items() if pc.enabled and n in adapters)
    if not enabled or any(not adapters[n].capabilities.announces for n in enabled):
        return None
    waiting = [n for n in enabled if config.platforms[n].after == "article"]
    if not waiting:
        return None
    return Notice(
        f"{', '.join(waiting)} announce{'s' if len(waiting) == 1 else ''} a post once an article "
        "platform has published it, and no article platform is configured: nothing will be "
        'announced; add one (`crosspost platforms` lists them), or set after = "live" (once '
        f'the post\'s page answers) or "none" in [platforms.{waiting[0]}]',
        "announce-only",
    )


def _checked_cache(name: str, cache: dict[str, Any], cls: Any, path: Path) -> dict[str, Any]:
    """The platform's account cache, each value of the type its adapter declares
    (`cache_fields`, plus the core's own `token_host`): a wrong type in the records is one
    error naming the field, never an adapter's internal error."""
    declared: dict[str, Any] = {**getattr(cls, "cache_fields", {}), TOKEN_HOST: str}
    for key, expected in declared.items():
        value = cache.get(key)
        if value is None:
            continue
        wrong_bool = isinstance(value, bool) and bool not in (
            expected if isinstance(expected, tuple) else (expected,)
        )
        if wrong_bool or not isinstance(value, expected):
            raise RecordsError(
                f"accounts.{name}.{key}: expected {_type_names(expected)}, "
                f"got {type(value).__name__}",
                path=path,
                hint="restore the records file from git, or delete that key (it is a cache)",
            )
    return cache


def _type_names(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = {str: "text", int: "a whole number", float: "a number", dict: "an object"}
    return " or ".join(names.get(kind, kind.__name__) for kind in kinds)


def _url_key(settings: Any, name: str) -> str:
    """The dotted key of the settings field that holds the platform's URL, for errors."""
    fields = dataclasses.fields(settings) if dataclasses.is_dataclass(settings) else ()
    key = next((f.name for f in fields if getattr(settings, f.name) == settings.base_url), None)
    return f"platforms.{name}.{key}" if key else f"platforms.{name}"


def select_platforms(
    config: Config, adapters: Mapping[str, AdapterClass], to: Sequence[str] | None
) -> list[str]:
    """The platforms of this run: `--to`, else every enabled [platforms.*] table."""
    if to:
        unknown = [name for name in to if name not in adapters]
        if unknown:
            raise ConfigError(
                f"unknown platform {', '.join(map(repr, unknown))}",
                path=config.path,
                field="--to",
                hint=allowed_hint(unknown[0], adapters, label="installed"),
            )
        return list(dict.fromkeys(to))
    configured = [name for name, pc in config.platforms.items() if pc.enabled]
    missing = [name for name in configured if name not in adapters]
    if missing:
        raise ConfigError(
            f"no adapter installed for [platforms.{missing[0]}]",
            path=config.path,
            line=_table_line(config, missing[0]),
            field=f"platforms.{missing[0]}",
            hint=allowed_hint(missing[0], adapters, label="installed"),
        )
    if not configured and config.path is None:
        raise ConfigError(
            "no crosspost.toml was found here or above, so no platform is configured",
            hint="run `crosspost init` to write one for this blog, then uncomment a platform's "
            "table in it; `crosspost platforms` lists them",
        )
    if not configured:
        raise ConfigError(
            "no platform is configured",
            path=config.path,
            field="platforms",
            hint=_add_a_table_hint(adapters),
        )
    return configured


def _table_line(config: Config, name: str) -> int | None:
    """The line of the [platforms.NAME] header in the config file, for errors about it."""
    if config.path is None:
        return None
    try:
        text = config.path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(text.splitlines(), 1):
        squashed = line.replace(" ", "").replace('"', "")
        if squashed.startswith(f"[platforms.{name}]") or squashed.startswith(
            f"[tool.crosspost.platforms.{name}]"
        ):
            return number
    return None


def _add_a_table_hint(adapters: Mapping[str, AdapterClass]) -> str:
    """How to configure a platform, naming the installed adapters (plugins included)."""
    if not adapters:
        return "install an adapter for a platform, then add its [platforms.NAME] table"
    first, *others = adapters
    also = f" (or {', '.join(others)})" if others else ""
    return f"add a [platforms.{first}]{also} table, or pass --to"


def settle_seconds(config: Config, platform: str, adapter: Adapter, *, in_flight: bool) -> float:
    """How old a create must be before a lookup that does not find it can be believed: the
    platform's read lag, plus, when the create got no answer (`in_flight`), as long again as
    the client waited for one (the request timeout), since the platform may still be on it."""
    pc = config.platforms.get(platform) or PlatformConfig(platform)
    return _read_lag(pc, adapter.capabilities) + (pc.timeout if in_flight else 0.0)


def _read_lag(pc: PlatformConfig, capabilities: Capabilities) -> float:
    """How long the platform's lists may trail its writes: the config's word, else the adapter's."""
    return pc.read_lag if pc.read_lag is not None else capabilities.read_lag


def describe_platforms(
    config: Config, *, warn: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """Every installed platform, sorted by name: whether `config` configures it, where its
    token would come from (never the token), the variable CI sets, and what it can do."""
    rows = []
    for name, cls in sorted(load_adapters(warn=warn).items()):
        caps = cls.capabilities
        rows.append(
            {
                "name": name,
                "display_name": getattr(cls, "display_name", "") or name,
                "configured": name in config.platforms,
                "token": token_source(name, config.credentials),
                "env": env_var(name),
                "update": caps.update,
                "drafts": caps.drafts,
                "find": caps.find,
                "announces": caps.announces,
                "max_tags": caps.max_tags,
                "sandbox": bool(getattr(cls, "fake", None)),
            }
        )
    return rows
