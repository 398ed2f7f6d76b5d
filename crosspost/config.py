"""crosspost.toml / [tool.crosspost] → a typed, validated Config (docs/architecture.md §4).

Validation is driven by dataclass fields (`crosspost.tables`), so the same code checks the core's
tables and every adapter's own settings: an unknown key or a wrong type is a `ConfigError` naming
the file, the line where we can find it, the dotted key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

from .configfile import CONFIG_FILE, find_config_file, folder_of
from .credentials import Secret
from .errors import ConfigError
from .notice import Notice
from .profiles import PROFILES, Profile, detect_generator, site_generators
from .suggest import allowed_hint
from .tables import TableText, build_settings, read_quietly, shown_value
from .urls import url_problem

__all__ = [
    "CONFIG_FILE",
    "PLATFORM_KEYS",
    "Config",
    "PlatformConfig",
    "RateLimit",
    "SiteConfig",
    "check_tag_platforms",
    "find_config",
    "load_config",
]

RECORDS_DIR = ".crosspost"
SANDBOX_RECORDS = f"{RECORDS_DIR}/sandbox-records.json"
"""The records file `crosspost sandbox` advises for a config pointing at its fakes."""
RECORDS_FILE = "records.json"


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` requests of kind `op` per `per` s: "create", "update", "read", "upload",
    "write" (creates, updates and uploads together) or "*" (every request)."""

    op: str
    count: int
    per: float

    @classmethod
    def parse(cls, op: str, text: str) -> RateLimit:
        """Read "10/30s", "300/5m" or "30/30min"; raises ValueError on anything else."""
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|sec|m|min|h)?\s*", text)
        if not m or int(m.group(1)) <= 0:
            raise ValueError(f"expected COUNT/PERIOD like '10/30s', got {text!r}")
        amount = float(m.group(2) or 1)
        unit = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[m.group(3) or "s"]
        if amount * unit <= 0:
            raise ValueError(f"the period in {text!r} must be positive")
        return cls(op, int(m.group(1)), amount * unit)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """[site]: where the canonical copies live and which posts are eligible at all."""

    url: str | None = None
    permalink: str | None = None
    content: str | None = None
    profile: str | None = None
    since: date | None = None
    timezone: str = "UTC"
    hosts: tuple[str, ...] = ()
    """Other hosts of the blog's own that a post's canonical_url may name besides site.url's."""
    build: str | None = None
    """The generator's output folder (`dist`, `public`, `_site`, `build`): when set, each post's
    built page gives its canonical URL and image URLs (crosspost.built)."""

    @property
    def tz(self) -> tzinfo:
        """The zone of dates written without one; raises `ValueError` or (`ZoneInfoNotFoundError`)
        `KeyError` for a name no zone has.
        The default, UTC, without `zoneinfo` (whose import and zone file cost a run's start
        about 3 ms)."""
        if self.timezone == "UTC":
            return UTC
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    """[platforms.NAME]: the keys every platform shares, plus the adapter's own (`options`).

    `options` is validated against the adapter's `Settings` dataclass by `build_settings` when the
    adapter is loaded, because only the adapter knows its keys.
    """

    name: str
    enabled: bool = True
    publish: Literal["published", "draft"] = "published"
    after: Literal["article", "live", "none"] = "article"
    timeout: float = 30.0
    read_lag: float | None = None
    limits: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def rate_limits(self) -> tuple[RateLimit, ...]:
        return tuple(RateLimit.parse(op, text) for op, text in sorted(self.limits.items()))


PLATFORM_KEYS = frozenset(f.name for f in dataclasses.fields(PlatformConfig)) - {"name", "options"}
"""The keys every [platforms.NAME] table takes besides the adapter's own."""


@dataclass(frozen=True)
class Config:
    """Everything crosspost.toml says, resolved against the profile's defaults.

    `credentials` never comes from a file: it lets the sandbox (and embedding applications) hand
    tokens over directly; they take precedence over the environment and the keyring.
    """

    root: Path
    path: Path | None = None
    site: SiteConfig = field(default_factory=SiteConfig)
    platforms: Mapping[str, PlatformConfig] = field(default_factory=lambda: MappingProxyType({}))
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    records_path: Path | None = None
    credentials: Mapping[str, Secret] = field(default_factory=lambda: MappingProxyType({}))
    confirmed_hosts: Mapping[str, frozenset[str]] | None = None
    """None: a person runs crosspost, and a token goes wherever the configuration says. A
    mapping (the GitHub Action): a platform's token goes only to its adapter's default API
    address or to the addresses confirmed for that platform, which a maintainer named outside
    the pull request (the action's `api-hosts` input, see `confirmed_hosts`); neither the
    configuration nor the records vouch for an address (docs/threat-model.md)."""

    @property
    def profile(self) -> Profile | None:
        """The static-site generator profile named by site.profile (its defaults), if any."""
        return PROFILES.get(self.site.profile) if self.site.profile else None

    @cached_property
    def generators(self) -> tuple[str, ...]:
        """The generators whose syntax the posts may hold: site.profile, else every one the files
        at the blog's root point at (the rule `init` uses, `profiles.site_generators`)."""
        if self.site.profile:
            return (self.site.profile,)
        try:
            return tuple(profile.name for profile in site_generators(self.root))
        except OSError:  # an unreadable root: no generator is known, nothing is converted
            return ()

    @property
    def generator(self) -> str | None:
        """The generator whose syntax the posts are read with; None when the blog's files show
        none, or several (then `generator_notice` says which)."""
        return self.generators[0] if len(self.generators) == 1 else None

    @property
    def generator_notice(self) -> Notice | None:
        """Why no generator syntax is converted although the blog's files name generators."""
        if len(self.generators) < 2:
            return None
        return Notice(
            "site.profile is not set and the files at the blog's root point at "
            f"{' and '.join(self.generators)}: no generator syntax is converted; set "
            "site.profile to the generator that builds the site",
            "generator",
            path=self.path,
            field="site.profile",
        )

    @property
    def permalink(self) -> str:
        """The URL pattern of a post on the site: site.permalink, else the profile's."""
        if self.site.permalink:
            return self.site.permalink
        return self.profile.permalink if self.profile else "/posts/{slug}/"

    @property
    def content_dir(self) -> Path:
        """Where the posts are: site.content (or the profile's folder) under the blog root."""
        return self.content_path.resolve()

    @property
    def content_path(self) -> Path:
        """`content_dir` with its symbolic links unresolved: a link on the way may point
        elsewhere by the next run, which the up-to-date check (`crosspost.uptodate`) sees by
        resolving this again."""
        return self.root / (self.site.content or (self.profile.content if self.profile else "."))

    @property
    def records(self) -> Path:
        """The records file: what was published where, read before every request."""
        return self.records_path or self.root / RECORDS_DIR / RECORDS_FILE

    def owns(self, url: str) -> bool:
        """Whether a canonical URL is the blog's own: on site.url's host or one of site.hosts.
        Crosspost adopts and updates copies by canonical URL, so a post claiming someone
        else's URL could take over their posts (docs/threat-model.md). Without site.url and
        hosts there is nothing to hold it against."""
        own = {h.lower() for h in self.site.hosts}
        if self.site.url:
            own.add((urlsplit(self.site.url).hostname or "").lower())
        return not own or (urlsplit(url).hostname or "").lower() in own

    def tag_for(self, tag: str, platform: str) -> str | None:
        """The per-platform name the [tags] table maps a site tag to, if any."""
        mapping = self.tags.get(tag.casefold())
        return mapping.get(platform) if mapping else None

    def fingerprint(self, platform: str) -> str:
        """A hash of everything in the config that can change what `platform` receives.

        The no-op fast path compares it with the one stored in the records: if neither the post
        file nor this changed, the post is skipped without being parsed or rendered.
        """
        pc = self.platforms.get(platform)
        relevant = {
            "site": {  # hosts only when set: adding the key must not re-render every post
                k: str(v) for k, v in dataclasses.asdict(self.site).items() if k != "hosts" or v
            },
            "platform": None
            if pc is None
            else {
                "publish": pc.publish,
                "options": {k: repr(v) for k, v in sorted(pc.options.items())},
            },
            "tags": {k: dict(v) for k, v in sorted(self.tags.items())},
        }
        blob = json.dumps(relevant, sort_keys=True, default=str).encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()[:32]


# --------------------------------------------------------------------------- discovery


def find_config(start: Path) -> Path | None:
    """The nearest crosspost.toml, or pyproject.toml with [tool.crosspost], at or above `start`
    (`crosspost.configfile`: the up-to-date check finds the config by the same rule)."""
    found = find_config_file(str(start))
    return Path(found) if found is not None else None


def _folder_of(start: Path) -> Path:
    """`start` resolved if a folder, else the folder holding it (`configfile.folder_of`)."""
    return Path(folder_of(str(start)))


def load_config(path: str | Path | None = None, *, start: str | Path | None = None) -> Config:
    """Load and validate a config file.

    `path` is the file itself (crosspost.toml or pyproject.toml) or a folder holding one; with
    neither `path` nor a file found above `start` (default: the current folder) the defaults are
    returned, rooted at `start`. Raises `ConfigError` naming the file, key and allowed values.
    """
    if path is not None:
        target = Path(path)
        if target.is_dir():
            found = find_config(target)
            if found is None or found.parent != target.resolve():
                raise ConfigError(
                    "no crosspost.toml here",
                    path=target,
                    hint="run `crosspost init` in the blog's folder or pass the file itself",
                )
            target = found
        if not target.is_file():
            raise ConfigError("config file not found", path=target)
    else:
        origin = Path(start) if start is not None else Path.cwd()
        found = find_config(origin)
        if found is None:  # the generator's defaults, as `crosspost init` would detect them
            root = _folder_of(origin)
            profile = detect_generator(root)
            return Config(root=root, site=SiteConfig(profile=profile.name if profile else None))
        target = found
    return _parse_file(target.resolve())


def run_config(paths: Sequence[str | Path] = (), config_file: str | Path | None = None) -> Config:
    """The config of a run over `paths`: `config_file` when given, else the crosspost.toml
    nearest the first path (or the current folder). The one rule the CLI's --config, the
    library's `publish`/`plan` and `check` all follow, so they read the same blog."""
    if config_file is not None:
        return load_config(config_file)
    return load_config(start=paths[0]) if paths else load_config()


def _parse_file(path: Path) -> Config:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError("not UTF-8 text", path=path, hint="save the file as UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"TOML syntax error: {exc}",
            path=path,
            line=int(m.group(1)) if m else None,
            hint="fix the TOML syntax",
        ) from exc
    except ValueError:  # a number of thousands of digits: Python refuses to convert it
        raise _too_long_number(text, path) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("crosspost", {})
        prefix = "tool.crosspost."
    else:
        prefix = ""
    return _from_mapping(data, path=path, text=text, prefix=prefix)


def _too_long_number(text: str, path: Path) -> ConfigError:
    """The error for a number of thousands of digits, naming its line and key."""
    found = re.search(r"\d{1000,}", text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    start = text.rfind("\n", 0, found.start()) + 1 if found else 0
    key = re.match(r"\s*([\w.\"-]+)\s*=", text[start:])
    return ConfigError(
        "a number far too long for any setting",
        path=path,
        line=line,
        field=key.group(1) if key else None,
        hint="fix the number",
    )


def _from_mapping(data: Mapping[str, Any], *, path: Path, text: str, prefix: str) -> Config:
    ctx = TableText(path, text, prefix)
    ctx.only_keys(data, {"records", "site", "platforms", "tags"}, "")
    records = data.get("records")
    if records is not None and not (isinstance(records, str) and _RECORDS.fullmatch(records)):
        ctx.fail(
            "records",
            f"{shown_value(records)} is not a records file of the blog",
            None,
            hint=f'name a .json file of the {RECORDS_DIR} folder, like "{SANDBOX_RECORDS}"',
        )
    site = build_settings(SiteConfig, data.get("site", {}), ctx=ctx, key="site")
    if site.profile is not None and site.profile not in PROFILES:
        ctx.fail(
            "site.profile",
            f"unknown profile {site.profile!r}",
            None,
            hint=allowed_hint(site.profile, PROFILES),
        )
    if site.url is not None and not _SITE_URL.fullmatch(site.url):
        ctx.fail("site.url", f"{shown_value(site.url)} is not an absolute http(s) URL", None)
    elif site.url is not None and (problem := url_problem(site.url)):
        ctx.fail("site.url", f"{shown_value(site.url)} is not a valid URL ({problem})", None)
    _check_folders_inside(site, path.parent, ctx)
    try:
        site.tz  # noqa: B018 - validates the zone name now rather than at first use
    except (KeyError, ValueError):  # zoneinfo's ZoneInfoNotFoundError is a KeyError
        ctx.fail(
            "site.timezone",
            f"unknown time zone {site.timezone!r}",
            None,
            hint="use an IANA time zone name such as Europe/Paris, or UTC",
        )
    platforms: dict[str, PlatformConfig] = {}
    raw_platforms = data.get("platforms", {})
    if not isinstance(raw_platforms, Mapping):
        ctx.fail("platforms", "must be a table of [platforms.NAME] tables", None)
    for name, table in raw_platforms.items():
        if not isinstance(table, Mapping):
            ctx.fail(f"platforms.{name}", "must be a table", None)
        common = {k: v for k, v in table.items() if k in PLATFORM_KEYS}
        options = {k: v for k, v in table.items() if k not in PLATFORM_KEYS}
        pc = build_settings(
            PlatformConfig, {"name": name, **common}, ctx=ctx, key=f"platforms.{name}"
        )
        if pc.timeout <= 0:
            ctx.fail(f"platforms.{name}.timeout", "must be more than 0 seconds", None)
        for op, limit in pc.limits.items():
            try:
                RateLimit.parse(op, str(limit))
            except ValueError as exc:
                ctx.fail(f"platforms.{name}.limits.{op}", str(exc), None)
        platforms[name] = dataclasses.replace(
            pc, limits=MappingProxyType(dict(pc.limits)), options=MappingProxyType(options)
        )
    tags: dict[str, Mapping[str, str]] = {}
    raw_tags = data.get("tags", {})
    if not isinstance(raw_tags, Mapping):
        ctx.fail("tags", 'must be a table like "Social Media" = { devto = "socialmedia" }', None)
    for tag, per_platform in raw_tags.items():
        if not isinstance(per_platform, Mapping) or not all(
            isinstance(v, str) for v in per_platform.values()
        ):
            ctx.fail(f"tags.{tag}", "must map platform names to strings", None)
        tags[tag.casefold()] = MappingProxyType(dict(per_platform))
    return Config(
        root=path.parent,
        path=path,
        site=site,
        platforms=MappingProxyType(platforms),
        tags=MappingProxyType(tags),
        records_path=path.parent / records if records else None,
    )


_RECORDS = re.compile(rf"{re.escape(RECORDS_DIR)}/[\w-][\w.-]*\.json")
"""The top-level `records` key: a file of the blog's records folder (never a path elsewhere,
which a pull request could point at a file the Action would overwrite and commit)."""


_SITE_URL = re.compile(r"https?://[^/\s\x00-\x1f\x7f-\x9f]+(?:/[^\s\x00-\x1f\x7f-\x9f]*)?")
"""An absolute http(s) URL on one line: it is written into every post and every message."""


def _check_folders_inside(site: SiteConfig, root: Path, ctx: TableText) -> None:
    """The content and build folders resolve inside the blog folder (links followed first): a
    pull request must not make the Action publish `site.content = "../.."` or a linked folder's
    files, nor read a built site (`site.build = "/tmp/x"`) it did not commit, whose canonical
    URLs and images crosspost would adopt."""
    profile = PROFILES.get(site.profile) if site.profile else None
    content = site.content or (profile.content if profile else None)
    for key, folder in (("site.content", content), ("site.build", site.build)):
        if folder is None:
            continue
        try:
            resolved = (root / folder).resolve()
        except (RuntimeError, OSError):
            ctx.fail(key, f"{shown_value(folder)} cannot be resolved (a link loop?)", None)
        if not resolved.is_relative_to(root.resolve()):
            ctx.fail(
                key,
                f"{shown_value(folder)} leads outside the blog folder (to {resolved})",
                None,
                hint="keep it inside the blog; crosspost never reads files from outside it",
            )


_CONFIRMATION = re.compile(r"([a-z][a-z0-9_-]*)=(\S+)")


def confirmed_hosts(entries: Iterable[str]) -> Mapping[str, frozenset[str]]:
    """The API addresses a maintainer confirmed, by platform, from entries `NAME=https://host`
    (the action's `api-hosts` input). Per platform, never for all: a pull request that points
    `[platforms.devto] api_url` at the Mastodon server confirmed for Mastodon must not send
    the dev.to token there."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        matched = _CONFIRMATION.fullmatch(entry.strip())
        if matched is None or "://" not in matched[2]:
            raise ConfigError(
                f"api-hosts entry {shown_value(entry)} does not name its platform and address",
                field="api-hosts",
                hint="write one NAME=https://host per line, like "
                "mastodon=https://mastodon.social: a host is confirmed for that platform only",
            )
        found.setdefault(matched[1], set()).add(matched[2])
    return MappingProxyType({name: frozenset(hosts) for name, hosts in found.items()})


def check_tag_platforms(config: Config, installed: Collection[str]) -> None:
    """Refuse a [tags] entry for a platform that is neither installed nor configured.

    Config loading does not know the adapters, so whoever does (`Platforms`) calls this: a typo
    like `dev-to = "python"` would otherwise fall back to the automatic rule without a word.
    `installed` is asked about each name (`in`), and listed only for the error's hint: the
    adapter registry imports an adapter to answer, and all of them to list.
    """
    for tag, per_platform in config.tags.items():
        for name in per_platform:
            if name in config.platforms or name in installed:
                continue
            key = f'"{tag}"' if re.search(r"[^A-Za-z0-9_-]", tag) else tag
            ctx = TableText(config.path, read_quietly(config.path), "")
            known = sorted({*installed, *config.platforms})
            raise ConfigError(
                f"[tags] maps {tag!r} for {name!r}, which is not an installed platform",
                path=config.path,
                line=ctx.line_in_table("tags", name),
                field=f"{_prefix(config.path)}tags.{key}.{name}",
                hint=f"use one of: {', '.join(known) or 'none installed'}",
            )


def _prefix(path: Path | None) -> str:
    return "tool.crosspost." if path is not None and path.name == "pyproject.toml" else ""
