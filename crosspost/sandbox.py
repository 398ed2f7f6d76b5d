"""The sandbox: every registered adapter's fake platform on 127.0.0.1, and a config pointing there.

Used by `crosspost publish --sandbox` (try the tool with no account), `crosspost sandbox` (run
the fakes in the foreground) and by users' own tests (`with crosspost.Sandbox() as sb: ...`).
A sandbox run keeps its own records in a temporary folder, discarded at the end, so it never
reads or writes the blog's real records.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .adapter import AdapterClass, load_adapters
from .api import platform_names
from .config import SANDBOX_RECORDS, Config, PlatformConfig, RateLimit, SiteConfig
from .credentials import Secret, env_var
from .fake import FakePlatform

__all__ = ["Sandbox", "load_fake"]

SANDBOX_SITE = "https://blog.example.com"
_RECORDS_KEY = re.compile(r"\s*records\s*=")
SANDBOX_TIMEOUT = 5.0
"""Seconds per request to a fake (see `platform_options`)."""

log = logging.getLogger("crosspost")


def load_fake(adapter: AdapterClass) -> type[FakePlatform] | None:
    """The fake platform class an adapter ships (its `fake` attribute, "module:Class").

    A plugin's fake that cannot be imported or is not a `FakePlatform` is skipped with a
    warning naming it, like a broken adapter: the sandbox runs without that platform instead of
    failing for all of them.
    """
    spec = getattr(adapter, "fake", None)
    if not spec:
        return None
    module_name, _, attr = spec.partition(":")
    try:
        fake = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:
        log.warning(
            "the sandbox fake of %r (%s) failed to load: %r; skipped", adapter.name, spec, exc
        )
        return None
    if not (isinstance(fake, type) and issubclass(fake, FakePlatform)):
        log.warning(
            "the sandbox fake of %r (%s) is not a FakePlatform; skipped", adapter.name, spec
        )
        return None
    return fake


def _scale(text: str, op: str, factor: float) -> str:
    limit = RateLimit.parse(op, text)
    return f"{limit.count}/{limit.per * factor:g}s"


class Sandbox:
    """Fake platforms on ephemeral ports, with fresh tokens and throwaway records.

    For trying crosspost without accounts and for testing programs that call it::

        with crosspost.Sandbox() as sandbox:
            report = crosspost.publish(post, config=sandbox.config)
            sandbox.fakes["devto"].copies(post.canonical_url)  # what the fake holds

    `platforms` limits it to that name or those names (default: every installed adapter that
    ships a fake); a name that is not installed is a `ConfigError` listing the installed ones.
    `config` is a ready config; `configure(config)` points a blog's own config at the fakes;
    `fakes` maps each name to its running `FakePlatform` (`copies`, `requests`, `inject`).
    `time_scale` shrinks every rate-limit window and read lag (0.01: a 30 s window lasts 0.3 s)
    in the fakes and in the client's pacing alike, so tests and benchmarks run at full speed
    against faithful limits. `fake_options` passes keyword arguments to individual fakes;
    `tokens` fixes the tokens the fakes accept (default: fresh random ones).
    """

    def __init__(
        self,
        platforms: str | Iterable[str] | None = None,
        *,
        adapters: Mapping[str, AdapterClass] | None = None,
        time_scale: float = 1.0,
        latency: float = 0.0,
        fake_options: Mapping[str, Mapping[str, Any]] | None = None,
        site_url: str = SANDBOX_SITE,
        tokens: Mapping[str, str] | None = None,
    ) -> None:
        available = load_adapters(adapters)
        wanted = platform_names(platforms, available, parameter="platforms")
        self.adapters = {n: available[n] for n in (sorted(available) if wanted is None else wanted)}
        self.time_scale = time_scale
        self.latency = latency
        self.fake_options = fake_options or {}
        self.site_url = site_url
        self.fakes: dict[str, FakePlatform] = {}
        self.tokens: dict[str, str] = dict(tokens or {})
        self._folder: Path | None = None

    def __enter__(self) -> Sandbox:
        self._folder = Path(tempfile.mkdtemp(prefix="crosspost-sandbox-"))
        try:
            for name, adapter in self.adapters.items():
                fake_class = load_fake(adapter)
                if fake_class is None:
                    continue
                token = self.tokens.get(name) or f"sandbox-{name}-{secrets.token_hex(8)}"
                options = {
                    "latency": self.latency,
                    "time_scale": self.time_scale,
                    **self.fake_options.get(name, {}),
                }
                self.fakes[name] = fake_class(tokens=(token,), **options).start()
                self.tokens[name] = token
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for fake in self.fakes.values():
            fake.stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    @property
    def folder(self) -> Path:
        """The sandbox's private folder (its records); removed when the sandbox closes."""
        if self._folder is None:
            raise RuntimeError("the sandbox is not running; use it as a context manager")
        return self._folder

    @property
    def env(self) -> dict[str, str]:
        """The environment a separate `crosspost` process needs to use these fakes."""
        return {env_var(name): token for name, token in self.tokens.items()}

    def platform_options(self, name: str) -> dict[str, Any]:
        """The [platforms.NAME] keys that point `name` at its fake, limits scaled alike."""
        fake = self.fakes[name]
        adapter = self.adapters[name]
        options: dict[str, Any] = dict(fake.settings())
        limits = {
            op: _scale(t, op, self.time_scale) for op, t in adapter.capabilities.limits.items()
        }
        if limits:
            options["limits"] = limits
        lag = adapter.capabilities.read_lag
        if lag:
            options["read_lag"] = lag * self.time_scale
        # The fakes answer on loopback at once, so a request that takes this long is lost; a
        # short timeout also keeps the wait for an unanswered create (timeout + lag) short.
        options["timeout"] = SANDBOX_TIMEOUT
        return options

    def configure(self, config: Config) -> Config:
        """`config` pointed at the fakes: same site and options, fake URLs, sandbox tokens,
        records in the sandbox's own folder."""
        platforms: dict[str, PlatformConfig] = {}
        names = [n for n in config.platforms if n in self.fakes] or list(self.fakes)
        for name in names:
            base = config.platforms.get(name) or PlatformConfig(name)
            options = self.platform_options(name)
            common = {k: options.pop(k) for k in ("limits", "read_lag", "timeout") if k in options}
            merged = {**base.options, **options}
            platforms[name] = dataclasses.replace(
                base,
                options=MappingProxyType(merged),
                limits=MappingProxyType({**base.limits, **common.get("limits", {})}),
                read_lag=common.get("read_lag", base.read_lag),
                timeout=common.get("timeout", base.timeout),
            )
        return dataclasses.replace(
            config,
            platforms=MappingProxyType(platforms),
            credentials=MappingProxyType({n: Secret(self.tokens[n]) for n in platforms}),
            records_path=self.folder / "records.json",
        )

    @property
    def config(self) -> Config:
        """A ready config for posts that are not in a blog folder (library users' tests)."""
        base = Config(root=self.folder, site=SiteConfig(url=self.site_url))
        return self.configure(base)

    def config_file(self, blog: str | None = None) -> str:
        """A complete crosspost.toml for trying a blog against these fakes: its own records
        file (`SANDBOX_RECORDS`: a publish refuses to record sandbox copies in the blog's), the
        blog's other tables (`blog`: the text of its crosspost.toml, if any) and `toml()`."""
        kept: list[str] = []
        table: str | None = None  # the table the line is in; None: the top level
        for line in (blog or "").splitlines():
            if line.lstrip().startswith("["):
                table = line.strip()
            if table is None and _RECORDS_KEY.match(line):
                continue  # the config's own records: replaced by the sandbox's
            if not (table or "").startswith("[platforms."):
                kept.append(line)
        if not blog:
            kept = ["[site]", f'url = "{self.site_url}"']
        body = "\n".join(kept).strip("\n")
        return f'records = "{SANDBOX_RECORDS}"\n\n{body}\n\n{self.toml()}'

    def toml(self) -> str:
        """[platforms.*] tables for a crosspost.toml that points at these fakes."""
        lines: list[str] = []
        for name in self.fakes:
            lines.append(f"[platforms.{name}]")
            for key, value in self.platform_options(name).items():
                if isinstance(value, dict):
                    inner = ", ".join(f'"{k}" = "{v}"' for k, v in value.items())  # "*" is a key
                    lines.append(f"{key} = {{ {inner} }}")
                elif isinstance(value, str):
                    lines.append(f'{key} = "{value}"')
                else:
                    lines.append(f"{key} = {value}")
            lines.append("")
        return "\n".join(lines)
