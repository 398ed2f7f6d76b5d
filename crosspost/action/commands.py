"""Workflow commands (`::add-mask::`, `::error::`, …), written to stdout where the runner reads
them, escaped so that no text can end one early or start another, and scrubbed of secrets."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from crosspost.api import Command, is_token_variable, redacted, register_secret

__all__ = ["command", "escape_data", "mask_tokens"]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> Command:
    """One workflow command line, escaped so no text can end it early or start another; a
    `Command`, the one text a guarded stream (`crosspost.api.guard_output`) lets through."""
    props = ",".join(
        f"{key}={_escape_property(redacted(str(value)))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    head = f"::{name} {props}" if props else f"::{name}"
    return Command(f"{head}::{escape_data(redacted(message))}\n")


def mask_tokens(env: Mapping[str, str], out: TextIO | None = None) -> None:
    """`::add-mask::` every `CROSSPOST_*_TOKEN` value so the runner hides it in every log line.

    Secrets are masked by the runner already; a token that came from a variable or a file is not,
    so this runs before anything else prints. Values are registered with `crosspost.redact` too.
    """
    stream = out or sys.stdout
    for name in sorted(env):
        if not is_token_variable(name):
            continue
        for line in env[name].splitlines():
            value = line.strip()
            if value:
                stream.write(Command(f"::add-mask::{escape_data(value)}\n"))
                register_secret(value)
    stream.flush()
