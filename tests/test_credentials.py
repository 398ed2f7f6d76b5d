"""Credentials: environment, keyring, headless machines, and a Secret that never shows itself."""

from __future__ import annotations

import logging
import pickle

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from crosspost import redact
from crosspost.credentials import (
    Secret,
    clean_token,
    delete_token,
    env_var,
    resolve_token,
    store_token,
    token_hint,
    token_source,
)
from crosspost.errors import CredentialError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # unannotated in keyring; the exclude misses super()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise PasswordDeleteError("none")
        del self.values[(service, username)]


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend: crosspost must refuse it."""


@pytest.fixture
def vault(monkeypatch):
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("CROSSPOST_DEVTO_TOKEN", raising=False)
    yield backend
    keyring.set_keyring(previous)


def test_secret_never_prints_itself():
    secret = Secret("s3cr3t-value")
    assert str(secret) == "***"
    assert repr(secret) == "Secret('***')"
    assert f"{secret}" == "***" and "s3cr3t" not in repr([secret])
    assert secret.reveal() == "s3cr3t-value"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_environment_wins_over_keyring(vault, monkeypatch):
    vault.set_password("crosspost", "devto", "from-keyring")
    monkeypatch.setenv("CROSSPOST_DEVTO_TOKEN", "  from-env-123\n")
    assert resolve_token("devto").reveal() == "from-env-123"
    monkeypatch.delenv("CROSSPOST_DEVTO_TOKEN")
    assert resolve_token("devto").reveal() == "from-keyring"


def test_one_order_for_reading_and_for_naming_the_source(vault, monkeypatch):
    """The config's credentials (the sandbox's), then the environment, then the keyring: the
    token `resolve_token` reads is the one `token_source` names, at every step."""
    given = {"devto": Secret("from-config")}
    vault.set_password("crosspost", "devto", "from-keyring")
    monkeypatch.setenv("CROSSPOST_DEVTO_TOKEN", "from-env")
    steps = [(resolve_token("devto", given).reveal(), token_source("devto", given))]
    steps.append((resolve_token("devto", {}).reveal(), token_source("devto", {})))
    monkeypatch.delenv("CROSSPOST_DEVTO_TOKEN")
    steps.append((resolve_token("devto").reveal(), token_source("devto")))
    assert steps == [
        ("from-config", "config"),
        ("from-env", "env CROSSPOST_DEVTO_TOKEN"),
        ("from-keyring", "keyring"),
    ]
    vault.delete_password("crosspost", "devto")
    assert token_source("devto") == "none"


def test_no_keyring_is_a_source_of_none(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("CROSSPOST_DEVTO_TOKEN", raising=False)
    try:
        assert token_source("devto") == "none (no keyring)"
    finally:
        keyring.set_keyring(previous)


def test_the_hint_names_the_variable_as_env_var_spells_it():
    assert token_hint("devto") == "set CROSSPOST_DEVTO_TOKEN or run `crosspost login devto`"
    assert token_hint("my-blog.io", verb="check") == (
        "check CROSSPOST_MY_BLOG_IO_TOKEN or run `crosspost login my-blog.io`"
    )


def test_missing_token_names_the_variable_and_the_command(vault):
    with pytest.raises(CredentialError) as info:
        resolve_token("devto")
    assert "CROSSPOST_DEVTO_TOKEN" in str(info.value)
    assert "crosspost login devto" in str(info.value)


def test_headless_machine_points_to_the_environment(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("CROSSPOST_HASHNODE_TOKEN", raising=False)
    try:
        with pytest.raises(CredentialError, match="CROSSPOST_HASHNODE_TOKEN"):
            resolve_token("hashnode")
        with pytest.raises(CredentialError, match="no keyring backend"):
            store_token("hashnode", "abcdefgh")
    finally:
        keyring.set_keyring(previous)


def test_plaintext_backends_are_refused():
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(CredentialError, match="plain file"):
            store_token("devto", "abcdefgh")
        assert backend.values == {}
        store_token("devto", "abcdefgh", allow_plaintext=True)
        assert backend.values
    finally:
        keyring.set_keyring(previous)


def test_store_and_delete(vault):
    store_token("devto", " pasted-token\n")
    assert vault.values[("crosspost", "devto")] == "pasted-token"
    assert delete_token("devto") is True
    assert delete_token("devto") is False


@pytest.mark.parametrize("raw", ["", "  \n", "two words", "line\nbreak", "tab\tin", "nul\x00"])
def test_malformed_tokens_are_refused(raw):
    with pytest.raises(CredentialError):
        clean_token(raw, platform="devto")


def test_env_var_names():
    assert env_var("devto") == "CROSSPOST_DEVTO_TOKEN"
    assert env_var("my-hook") == "CROSSPOST_MY_HOOK_TOKEN"


def test_registered_secrets_are_scrubbed_from_every_log_record(caplog):
    Secret("canary-7f3a9b2c")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info("header api-key: %s", "canary-7f3a9b2c")
        logging.getLogger("some.library").debug("url https://x/?token=canary-7f3a9b2c")
    assert "canary-7f3a9b2c" not in caplog.text
    assert redact.scrub("x canary-7f3a9b2c y") == "x *** y"
