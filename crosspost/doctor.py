"""`crosspost doctor`: for each configured platform, where its token comes from, which account it
is (one authenticated read, the adapter's `whoami`), and what to fix, with the page where a
token is made.

A token is checked before the first publish needs it: a refused token, a token of another
account, a server that is not the API, are found here instead of halfway through a run. Where
the token comes from and the hint that asks for one are `crosspost.credentials`' (the one place
for both); which platforms run, with which settings, is `crosspost.platforms`'.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .adapter import Account, AdapterClass, load_adapters
from .config import Config
from .credentials import missing_tokens, token_hint, token_source
from .errors import CrosspostError
from .http import is_loopback
from .platforms import Platforms
from .records import Records

__all__ = ["Diagnosis", "diagnose", "exit_code"]


@dataclass(frozen=True)
class Diagnosis:
    """One platform's checkup: `token` names where the token comes from (never the token),
    `account` is who it belongs to (None when missing, refused or not supported), `problem`
    what is wrong and `fix` what to do, `page` where a token is made."""

    platform: str
    display_name: str
    token: str
    account: Account | None = None
    supported: bool = True
    problem: str | None = None
    fix: str | None = None
    page: str | None = None
    exit_code: int = 0
    """What the problem means as the CLI's exit status (the error's own `exit_code`): 2 for a
    token that is missing or cannot be sent, or settings no run could use; 1 for a platform
    that refused the token or failed; 0 when nothing is wrong."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def exit_code(found: Sequence[Diagnosis]) -> int:
    """The status of a whole checkup, as every command combines them: 2 (something to fix in
    the tokens or config) before 1 (a platform failing), 0 when every platform is ready."""
    codes = {d.exit_code for d in found if not d.ok}
    return 2 if 2 in codes else 1 if codes else 0


def diagnose(
    config: Config,
    *,
    to: Sequence[str] | None = None,
    adapters: Mapping[str, AdapterClass] | None = None,
) -> list[Diagnosis]:
    """Check every configured (or `to`) platform's token, in name order, with one authenticated
    read each, all at once. Raises `ConfigError` for a config no run could use (no platform, an
    unknown one, bad settings), exactly as `publish` would."""
    # Every installed adapter imported and checked, not only the configured ones a run would
    # look up: a plugin that is broken is reported here, where a user looks for what is wrong.
    installed = dict(load_adapters(adapters))
    platforms = Platforms(config, installed, to)
    return asyncio.run(_diagnose_all(platforms))


async def _diagnose_all(platforms: Platforms) -> list[Diagnosis]:
    records = Records.read(platforms.config.records)
    try:
        names = sorted(platforms.names)
        return list(await asyncio.gather(*(_diagnose(platforms, n, records) for n in names)))
    finally:
        await platforms.close(None)


async def _diagnose(platforms: Platforms, name: str, records: Records) -> Diagnosis:
    config = platforms.config
    adapter = platforms.adapters(records)[name]
    base_url = platforms.settings(name).base_url
    page = _page(getattr(adapter, "credentials_page", ""), base_url)
    found = Diagnosis(
        name,
        getattr(adapter, "display_name", "") or name,
        token_source(name, config.credentials),
        page=page,
    )
    missing = missing_tokens([name], config.credentials)
    if missing:
        return _with(found, missing[0], missing[0].hint, base_url)
    whoami = getattr(adapter, "whoami", None)
    try:
        platforms.authenticate(name)
        account = await whoami() if whoami is not None else None
    except CrosspostError as exc:
        fix = exc.hint or token_hint(name, verb="check")
        return _with(found, exc, fix, base_url)
    if account is None:
        return Diagnosis(found.platform, found.display_name, found.token, None, False, page=page)
    return Diagnosis(found.platform, found.display_name, found.token, account, page=page)


def _with(found: Diagnosis, problem: CrosspostError, fix: str | None, base_url: str) -> Diagnosis:
    where = None
    if found.page:
        where = f"a token is made at {found.page}"
    elif _sandbox(base_url):
        where = (
            f"{_origin(base_url)} is a sandbox on this machine (`crosspost sandbox`), not the "
            "platform: its tokens are the ones the sandbox prints"
        )
    if where:
        fix = f"{fix}; {where}" if fix else where
    return Diagnosis(
        found.platform,
        found.display_name,
        found.token,
        problem=problem.message,
        fix=fix,
        page=found.page,
        exit_code=problem.exit_code,
    )


def _page(template: str, base_url: str) -> str | None:
    """The adapter's `credentials_page` with `{origin}` filled in from the API's address; None
    for a sandbox's address, which has no page where a token is made."""
    if not template or _sandbox(base_url):
        return None
    return template.replace("{origin}", _origin(base_url))


def _sandbox(base_url: str) -> bool:
    """The API is on this machine: the sandbox's fake platforms (`crosspost sandbox` tables
    pasted into the config), whose tokens no platform page makes."""
    host = urlsplit(base_url).hostname
    return host is not None and is_loopback(host)


def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"
