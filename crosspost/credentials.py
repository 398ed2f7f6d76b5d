"""Tokens: where they come from, in one order, and how to tell a user to set one.

A token is the config's own (`Config.credentials`, which only the sandbox fills), else the
environment's `CROSSPOST_<PLATFORM>_TOKEN` (CI), else the system keyring. `resolve_token` reads
it in that order and `token_source` names where it would come from without reading it; the hint
that tells a user how to give one is `token_hint`, used by every message that asks for a token.
A `Secret` never prints itself.

Every token that is resolved is also registered with `crosspost.redact`, so that a log line or an
error message that somehow contains it is scrubbed before anyone sees it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Final

from . import redact
from .errors import CredentialError

__all__ = [
    "KEYRING_SERVICE",
    "Secret",
    "clean_token",
    "delete_token",
    "env_var",
    "is_token_variable",
    "keyring_backend_problem",
    "mask_environment_tokens",
    "resolve_token",
    "store_token",
    "token_hint",
    "token_source",
]

KEYRING_SERVICE: Final = "crosspost"


class Secret:
    """A token. `str`, `repr` and formatting give `***`; only `reveal()` gives the value.

    The value is registered for redaction as soon as the Secret exists.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        redact.register(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def env_var(platform: str) -> str:
    """`CROSSPOST_<PLATFORM>_TOKEN`, the variable CI sets for `platform`."""
    return f"CROSSPOST_{re.sub(r'[^A-Za-z0-9]', '_', platform).upper()}_TOKEN"


def is_token_variable(name: str) -> bool:
    """Whether an environment variable looks like one holding a token (`env_var`'s form, or
    near it): such values are masked and kept from child processes even before crosspost
    reads them."""
    return name.startswith("CROSSPOST_") and name.endswith("_TOKEN")


def token_hint(platform: str, *, verb: str = "set") -> str:
    """How to give `platform` a token: "set CROSSPOST_X_TOKEN or run `crosspost login x`"
    (`verb` "check" when a token was given but refused)."""
    return f"{verb} {env_var(platform)} or run `crosspost login {platform}`"


def mask_environment_tokens(environ: Mapping[str, str] | None = None) -> None:
    """Register every token-holding environment variable's value with `redact`, before any is
    resolved: an internal error or a debug log line may quote one that was never read."""
    for name, value in (os.environ if environ is None else environ).items():
        if is_token_variable(name):
            redact.register(value.strip())


def clean_token(raw: str, *, platform: str) -> str:
    """Strip surrounding whitespace (a pasted newline); refuse whitespace inside or an empty token.

    A token with an inner newline would split an HTTP header, and one with inner spaces is almost
    certainly two things pasted together.
    """
    token = raw.strip()
    if not token:
        raise CredentialError("the token is empty", platform=platform)
    if re.search(r"\s", token) or any(ord(c) < 32 or ord(c) == 127 for c in token):
        raise CredentialError(
            "the token contains whitespace or control characters",
            platform=platform,
            hint="paste the token alone, on one line",
        )
    return token


def resolve_token(platform: str, given: Mapping[str, Secret] | None = None) -> Secret:
    """The token for `platform`: `given` (the config's credentials), else
    `CROSSPOST_<PLATFORM>_TOKEN`, else the keyring (the order of `_token_sources`).

    Raises `CredentialError` naming the variable and the `login` command when none has one,
    including on headless machines with no keyring backend.
    """
    name = env_var(platform)
    try:
        _, token = _first_token(platform, given)
    except _NoKeyring as exc:
        raise CredentialError(
            f"no token: {name} is not set and the keyring is unavailable ({exc})",
            platform=platform,
            hint=f"set {name} (on servers and CI the environment is the way)",
        ) from None
    if token is None:
        raise CredentialError(
            f"no token: {name} is not set", platform=platform, hint=token_hint(platform)
        )
    return token if isinstance(token, Secret) else Secret(clean_token(token, platform=platform))


def token_source(platform: str, given: Mapping[str, Secret] | None = None) -> str:
    """Where `resolve_token` would take the token from, without reading it into any output:
    "config", "env CROSSPOST_X_TOKEN", "keyring", "none" or "none (no keyring)"."""
    try:
        return _first_token(platform, given)[0]
    except _NoKeyring:
        return "none (no keyring)"


def _token_sources(
    platform: str, given: Mapping[str, Secret] | None
) -> tuple[tuple[str, Callable[[], Secret | str | None]], ...]:
    """Where a token is looked for, in this order, each as (its name for `token_source`, a
    reader giving the token or None): the config's credentials, the environment, the keyring.
    The one order both `resolve_token` and `token_source` follow."""
    name = env_var(platform)
    return (
        ("config", lambda: given.get(platform) if given is not None else None),
        (f"env {name}", lambda: _set_variable(name)),
        ("keyring", lambda: _keyring_token(platform) or None),
    )


def _set_variable(name: str) -> str | None:
    """The environment variable `name`, unless unset or blank (a blank one is not a token)."""
    value = os.environ.get(name)
    return value if value is not None and value.strip() else None


def _first_token(
    platform: str, given: Mapping[str, Secret] | None
) -> tuple[str, Secret | str | None]:
    """The first source that has a token, and the token (unchecked), or ("none", None); raises
    `_NoKeyring` when the lookup reaches a failing keyring."""
    for where, read in _token_sources(platform, given):
        token = read()
        if token is not None:
            return where, token
    return "none", None


class _NoKeyring(Exception):
    """The keyring backend failed; the message is the keyring error's class name."""


def _keyring_token(platform: str) -> str | None:
    """The keyring's token for `platform`, or None; `_NoKeyring` when the backend fails."""
    # keyring is imported here, not at the top: it loads its backends (D-Bus, files) on import,
    # which a run whose tokens all come from the environment never needs.
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, platform)
    except KeyringError as exc:
        raise _NoKeyring(type(exc).__name__) from None


def keyring_backend_problem() -> str | None:
    """Why the active keyring backend must not store tokens, or None when it is a real vault.

    Backends that write plain files (keyrings.alt's PlaintextKeyring and friends) or that fail on
    every call are refused: a token must never land in a plain file without the user asking.
    """
    import keyring  # see `_keyring_token`
    from keyring.backends import fail

    backend = keyring.get_keyring()
    names = [type(backend).__name__, type(backend).__module__]
    chained = getattr(backend, "backends", None)
    if chained is not None:
        if not chained:
            return "no keyring backend is available"
        names += [f"{type(b).__module__}.{type(b).__name__}" for b in chained]
    if isinstance(backend, fail.Keyring):
        return "no keyring backend is available"
    if any("plaintext" in n.lower() or "keyrings.alt.file" in n.lower() for n in names):
        return f"the keyring backend {type(backend).__name__} stores tokens in a plain file"
    return None


def store_token(platform: str, token: str, *, allow_plaintext: bool = False) -> None:
    """Save a token in the system keyring (service `crosspost`, user = platform)."""
    import keyring  # see `_keyring_token`
    from keyring.errors import KeyringError

    value = clean_token(token, platform=platform)
    redact.register(value)
    problem = keyring_backend_problem()
    if problem and not (allow_plaintext and "plain file" in problem):
        raise CredentialError(
            f"cannot store the token: {problem}",
            platform=platform,
            hint=f"set {env_var(platform)} instead, or install a keyring backend",
        )
    try:
        keyring.set_password(KEYRING_SERVICE, platform, value)
    except KeyringError as exc:
        raise CredentialError(
            f"the keyring refused the token ({type(exc).__name__})",
            platform=platform,
            hint=f"set {env_var(platform)} instead",
        ) from None


def delete_token(platform: str) -> bool:
    """Remove a stored token; False when there was none."""
    import keyring  # see `_keyring_token`
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, platform)
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise CredentialError(
            f"the keyring is unavailable ({type(exc).__name__})", platform=platform
        ) from None
    return True
