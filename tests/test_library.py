"""The public Python API (`import crosspost`): its surface, its cost, and how it behaves inside
other programs: from threads and event loops, without printing, exiting or prompting."""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import importlib
import inspect
import logging
import os
import re
import subprocess
import sys
import threading
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest

import crosspost
import crosspost.adapter
from crosspost.adapters.devto import DevTo
from crosspost.sandbox import Sandbox
from crosspost.testing import TIME_SCALE

PUBLIC = [
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

POST = """---
title: From the library
description: Published by a Python program.
date: 2024-05-01
tags: [Python]
---

Hello from `crosspost.publish`.
"""


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter, so that what `import crosspost` loads is measured alone."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )


def make_post(sandbox: Sandbox, slug: str = "library") -> crosspost.Document:
    return crosspost.load_text(POST, path=f"{slug}.md", config=sandbox.config)


# --------------------------------------------------------------------------- surface


def test_all_is_pinned_and_dir_shows_nothing_else() -> None:
    assert crosspost.__all__ == PUBLIC
    assert dir(crosspost) == sorted(PUBLIC)


def test_every_public_name_is_importable_and_documented() -> None:
    undocumented = []
    for name in PUBLIC:
        value = getattr(crosspost, name)
        if name == "__version__":
            assert isinstance(value, str) and value
            continue
        own = value.__dict__.get("__doc__") if inspect.isclass(value) else value.__doc__
        generated = dataclasses.is_dataclass(value) and str(own).startswith(f"{name}(")
        if not own or generated:
            undocumented.append(name)
        if inspect.isclass(value) and not issubclass(value, BaseException):
            for attr, member in vars(value).items():
                function = member.fget if isinstance(member, property) else member
                if attr.startswith("_") or not callable(function):
                    continue
                if not inspect.getdoc(function):
                    undocumented.append(f"{name}.{attr}")
    assert undocumented == []


def test_every_error_is_a_crosspost_error() -> None:
    errors = [getattr(crosspost, name) for name in PUBLIC if name.endswith("Error")]
    assert all(issubclass(error, crosspost.CrosspostError) for error in errors)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'publsh'"):
        _ = crosspost.publsh


def test_plan_stays_the_function_when_its_module_of_the_same_name_is_imported(
    tmp_path: Path,
) -> None:
    # crosspost/plan.py is a module too; importing it must not replace crosspost.plan.
    module = importlib.import_module("crosspost.plan")
    assert crosspost.plan is crosspost.api.plan
    assert crosspost.Plan is module.Plan
    code = (
        "import crosspost.plan, crosspost, sys\n"
        "assert callable(crosspost.plan), crosspost.plan\n"
        "assert sys.modules['crosspost.plan'].Plan is crosspost.Plan\n"
        "from crosspost.plan import Kind\n"
    )
    run_python(code, tmp_path)


def test_import_loads_no_adapter_http_client_renderer_or_cli(tmp_path: Path) -> None:
    code = (
        "import sys, crosspost\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('crosspost', 'httpx', 'httpcore', 'markdown', 'markdown_it', 'yaml', 'frontmatter', "
        "'rich', 'click', 'keyring', 'tenacity', 'asyncio', 'typing'))))\n"
    )
    loaded = run_python(code, tmp_path).stdout.split()
    assert loaded == ["crosspost", "crosspost._version"]


def test_loading_the_adapters_loads_no_regex_engine(tmp_path: Path) -> None:
    """Every run loads every installed adapter, a no-op run too; the `regex` module (Bluesky's
    and Mastodon's Unicode classes) is imported only when a post is composed for one of them."""
    code = (
        "import sys\n"
        "from crosspost.adapter import load_adapters\n"
        "assert {'bluesky', 'mastodon'} <= set(load_adapters())\n"
        "print('regex' in sys.modules)\n"
    )
    assert run_python(code, tmp_path).stdout.split() == ["False"]


def test_help_shows_the_docstring_first_and_the_public_functions(tmp_path: Path) -> None:
    text = run_python("import crosspost; help(crosspost)", tmp_path).stdout
    name_section = text.split("NAME\n", 1)[1].split("\n\n", 1)[0]
    assert name_section.strip() == f"crosspost - {crosspost.__doc__.splitlines()[0]}"
    functions = text.split("\nFUNCTIONS\n", 1)[1].split("\nVERSION\n", 1)[0]
    assert re.findall(r"^    (?:async )?(\w+)\(", functions, flags=re.M) == [
        "apublish",
        "load_config",
        "load_post",
        "load_text",
        "plan",
        "publish",
    ]
    classes = text.split("\nCLASSES\n", 1)[1].split("\nFUNCTIONS\n", 1)[0]
    shown = set(re.findall(r"^    class (\w+)", classes, flags=re.M))
    assert shown == {n for n in PUBLIC if n[0].isupper()}
    assert "Publisher" not in shown and "_Package" not in text


# --------------------------------------------------------------------------- entry points


def test_load_config_takes_a_file_a_folder_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "crosspost.toml"
    toml.write_text('[site]\nurl = "https://blog.example.com"\n', "utf-8")
    (tmp_path / "posts").mkdir()
    monkeypatch.chdir(tmp_path / "posts")
    for config in (crosspost.load_config(toml), crosspost.load_config(tmp_path)):
        assert config.path == toml.resolve()
        assert config.site.url == "https://blog.example.com"
    assert crosspost.load_config().path == toml.resolve()  # found above the current folder
    with pytest.raises(crosspost.ConfigError, match="config file not found"):
        crosspost.load_config(tmp_path / "missing.toml")


def test_load_text_without_a_site_url_says_what_to_set(tmp_path: Path) -> None:
    no_site = crosspost.Config(root=tmp_path)
    with pytest.raises(crosspost.SourceError, match=r"canonical_url.*set url in the \[site\]"):
        crosspost.load_text(POST, path="hello.md", config=no_site)


def test_publish_reports_progress_for_every_result(sandbox: Sandbox) -> None:
    seen: list[crosspost.Result] = []
    report = crosspost.publish(make_post(sandbox), config=sandbox.config, progress=seen.append)
    assert {r.status for r in report.results} == {crosspost.Status.CREATED}
    assert sorted(seen, key=str) == sorted(report.results, key=str)


def test_publish_from_a_running_loops_thread_pool(sandbox: Sandbox) -> None:
    async def main() -> crosspost.Report:
        loop = asyncio.get_running_loop()
        post = make_post(sandbox)
        return await loop.run_in_executor(
            None, lambda: crosspost.publish(post, config=sandbox.config)
        )

    report = asyncio.run(main())
    assert [r.status for r in report.results] == [crosspost.Status.CREATED] * 2


def test_publish_from_inside_a_running_loop(sandbox: Sandbox) -> None:
    """Sync code called from async code: `asyncio.run` would refuse; publish must not."""
    threads: set[str] = set()

    async def main() -> crosspost.Report:
        return crosspost.publish(
            make_post(sandbox),
            config=sandbox.config,
            progress=lambda _: threads.add(threading.current_thread().name),
        )

    report = asyncio.run(main())
    assert [r.status for r in report.results] == [crosspost.Status.CREATED] * 2
    assert threads and all(name.startswith("crosspost-publish") for name in threads)


def test_an_error_in_the_helper_thread_reaches_the_caller(sandbox: Sandbox) -> None:
    async def main() -> None:
        crosspost.publish(make_post(sandbox), to=["nowhere"], config=sandbox.config)

    with pytest.raises(crosspost.ConfigError, match="unknown platform 'nowhere'"):
        asyncio.run(main())


def test_to_takes_one_name_as_a_string(sandbox: Sandbox) -> None:
    post = make_post(sandbox)
    assert {
        a.platform for a in crosspost.plan(post, to="devto", config=sandbox.config).actions
    } == {"devto"}
    report = crosspost.publish(post, to="mastodon", config=sandbox.config)
    assert [r.platform for r in report.results] == ["mastodon"]


def test_an_unknown_platform_names_the_parameter_not_the_cli_flag(sandbox: Sandbox) -> None:
    with pytest.raises(crosspost.ConfigError) as caught:
        crosspost.plan(make_post(sandbox), to="nosuch", config=sandbox.config)
    assert caught.value.field == "to" and "--to" not in str(caught.value)
    assert str(caught.value).startswith("field 'to': unknown platform 'nosuch' (installed: ")
    assert "devto" in str(caught.value.hint)


def test_sandbox_takes_one_name_and_refuses_unknown_ones() -> None:
    with crosspost.Sandbox("devto", time_scale=TIME_SCALE) as box:
        assert list(box.fakes) == ["devto"]
    with pytest.raises(crosspost.ConfigError, match="unknown platform 'nosuch'") as caught:
        crosspost.Sandbox(["nosuch"])
    assert caught.value.field == "platforms" and "devto" in str(caught.value.hint)


def test_publishing_a_fifo_says_what_it_is(tmp_path: Path, sandbox: Sandbox) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(crosspost.SourceError, match=r"named pipe \(FIFO\)"):
        crosspost.publish(fifo, config=sandbox.config)


def test_apublish_runs_in_the_callers_loop(sandbox: Sandbox) -> None:
    async def main() -> tuple[crosspost.Report, set[str]]:
        threads: set[str] = set()
        report = await crosspost.apublish(
            make_post(sandbox),
            config=sandbox.config,
            progress=lambda _: threads.add(threading.current_thread().name),
        )
        return report, threads

    report, threads = asyncio.run(main())
    assert report.exit_code == 0
    assert threads == {threading.current_thread().name}


# --------------------------------------------------------------------------- good citizenship


def test_library_calls_never_print_exit_or_prompt(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_prompt(*_: object) -> str:
        raise AssertionError("crosspost asked for input")

    monkeypatch.setattr(builtins, "input", no_prompt)
    monkeypatch.setattr(sys, "stdin", None)
    post = make_post(sandbox)
    crosspost.plan(post, config=sandbox.config)
    assert crosspost.publish(post, config=sandbox.config, dry_run=True).dry_run
    assert crosspost.publish(post, config=sandbox.config).exit_code == 0
    sandbox.fakes["devto"].inject("status", status=401, times=None)
    edited = crosspost.load_text(POST + "\nMore.\n", path="library.md", config=sandbox.config)
    bad = crosspost.publish(edited, config=sandbox.config)  # a refusal: reported, not raised
    assert bad.exit_code == 1 and isinstance(bad.failed[0].error, crosspost.AuthError)
    assert capsys.readouterr() == ("", "")


def test_warnings_and_progress_notes_go_to_the_crosspost_logger_only(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = EntryPoint("broken", "crosspost_no_such_module:Adapter", "crosspost.adapters")
    real = entry_points(group="crosspost.adapters")
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: [*real, broken])
    monkeypatch.setattr(crosspost.adapter, "_warned", set())  # warned once per process
    sandbox.fakes["devto"].inject("status", status=429, retry_after=0.01)  # one retry, logged
    caplog.set_level(logging.DEBUG)
    report = crosspost.publish(make_post(sandbox), config=sandbox.config)
    assert report.exit_code == 0
    crosspost.api.describe_platforms(sandbox.config)  # lists them all: 'broken' is imported
    ours = [r for r in caplog.records if _from_crosspost(r)]
    messages = [r.getMessage() for r in ours]
    assert any(
        "adapter plugin 'broken'" in m and r.levelno == logging.WARNING
        for m, r in zip(messages, ours, strict=True)
    )
    assert any("retrying" in m for m in messages), messages
    assert {r.name for r in ours} == {"crosspost"}
    assert capsys.readouterr() == ("", "")


def test_a_run_imports_the_adapters_of_its_platforms_and_no_other(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The registry imports an adapter when a run looks its platform up: a run to dev.to alone
    imports no other adapter, and a broken plugin it does not use costs it nothing and says
    nothing (listing the platforms reports it)."""
    imported: list[str] = []

    class Recorded:
        def __init__(self, ep: Any) -> None:
            self.name, self.value, self.group = ep.name, ep.value, ep.group
            self._ep = ep

        def load(self) -> Any:
            imported.append(self.name)
            return self._ep.load()

    broken = EntryPoint("broken", "crosspost_no_such_module:Adapter", "crosspost.adapters")
    registered = [Recorded(ep) for ep in [*entry_points(group="crosspost.adapters"), broken]]
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: registered)
    monkeypatch.setattr(crosspost.adapter, "_warned", set())
    caplog.set_level(logging.WARNING)
    with crosspost.Sandbox("devto", time_scale=TIME_SCALE) as box:
        report = crosspost.publish(make_post(box), config=box.config)
        assert report.exit_code == 0 and [r.platform for r in report.results] == ["devto"]
        assert set(imported) == {"devto"}
        assert not caplog.records
        names = [row["name"] for row in crosspost.api.describe_platforms(box.config)]
    assert "broken" not in names and {"devto", "mastodon"} <= set(names)
    assert set(imported) == {r.name for r in registered}
    assert [r.getMessage() for r in caplog.records] == [
        "adapter plugin 'broken' (crosspost_no_such_module:Adapter) failed to load: "
        "ModuleNotFoundError(\"No module named 'crosspost_no_such_module'\"); skipped"
    ]


def test_doctor_reports_a_broken_plugin_no_configured_platform_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`doctor` is where a user looks for what is wrong with the installation: a plugin that
    fails to import is said there, as `crosspost platforms` says it, though a run to the
    configured platforms would not import it."""
    broken = EntryPoint("broken", "crosspost_no_such_module:Adapter", "crosspost.adapters")
    registered = [*entry_points(group="crosspost.adapters"), broken]
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: registered)
    monkeypatch.setattr(crosspost.adapter, "_warned", set())
    monkeypatch.delenv("CROSSPOST_DEVTO_TOKEN", raising=False)
    (tmp_path / "crosspost.toml").write_text(
        '[site]\nurl = "https://b.example"\n[platforms.devto]\n'
    )
    caplog.set_level(logging.WARNING)
    found = crosspost.api.doctor(crosspost.load_config(tmp_path / "crosspost.toml"))
    assert [d.platform for d in found] == ["devto"]
    assert any("adapter plugin 'broken'" in r.getMessage() for r in caplog.records)


def test_a_registry_two_threads_share_never_shows_one_the_names_half_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The registry reads the entry points when first asked: a thread asking while another is
    still filing them must not see the names filed so far, or it calls an installed platform
    unknown (and the registry remembers it so)."""
    filing, asked = threading.Event(), threading.Event()

    class Last:
        """Mastodon's entry point, whose name is slow to read once the sort has read it."""

        value, group, reads = "crosspost.adapters.mastodon:Mastodon", "crosspost.adapters", 0

        @property
        def name(self) -> str:
            self.reads += 1
            if self.reads == 2:  # the registry files it: the other thread asks meanwhile
                filing.set()
                asked.wait(5)
            return "mastodon"

        def load(self) -> Any:
            return EntryPoint(self.name, self.value, self.group).load()

    others = [e for e in entry_points(group="crosspost.adapters") if e.name != "mastodon"]
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: [*others, Last()])
    registry = crosspost.adapter.load_adapters()
    answers: list[bool] = []

    def ask() -> None:
        filing.wait(5)
        answers.append("mastodon" in registry)
        asked.set()

    other = threading.Thread(target=ask)
    other.start()
    assert "devto" in registry
    other.join()
    assert answers == [True] and "mastodon" in registry


def test_a_plugin_fake_that_fails_to_load_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Missing(DevTo):
        name: ClassVar[str] = "missing"
        fake: ClassVar[str | None] = "crosspost_no_such_module:Fake"

    class NotAFake(DevTo):
        name: ClassVar[str] = "wrong"
        fake: ClassVar[str | None] = "crosspost.sandbox:Sandbox"

    adapters = {"devto": DevTo, "missing": Missing, "wrong": NotAFake}
    with crosspost.Sandbox(adapters=adapters, time_scale=TIME_SCALE) as box:
        assert set(box.fakes) == {"devto"}
        assert set(box.config.platforms) == {"devto"}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'missing' (crosspost_no_such_module:Fake) failed to load" in m for m in warnings)
    assert any("'wrong' (crosspost.sandbox:Sandbox) is not a FakePlatform" in m for m in warnings)


def test_an_adapter_bug_in_render_fails_that_platform_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Buggy(DevTo):
        name: ClassVar[str] = "buggy"

        def render(self, doc: crosspost.Document, *, draft: bool = False) -> Any:
            return dict[str, Any]()["body"]

    adapters = {"devto": DevTo, "buggy": Buggy}
    with crosspost.Sandbox(adapters=adapters, time_scale=TIME_SCALE) as box:
        post = make_post(box)
        report = crosspost.publish(post, config=box.config, adapters=adapters)
    outcome = {r.platform: (r.status, r.message) for r in report.results}
    assert outcome["devto"][0] == crosspost.Status.CREATED
    assert outcome["buggy"] == (
        crosspost.Status.INVALID,
        "the adapter failed to render the post: KeyError: 'body'",
    )
    assert "Traceback" in caplog.text  # for the adapter's author, in the crosspost log


@dataclasses.dataclass
class _Plugin:
    """An entry point as `load_adapters` sees one: a name, a target and what loading gives."""

    name: str
    target: object
    value: str = "plugin_module:Adapter"

    def load(self) -> object:
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


def test_broken_plugins_are_skipped_with_a_warning_naming_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class PlainSettings(DevTo):
        Settings: ClassVar[type[Any]] = dict

    class NoCapabilities(DevTo):
        capabilities: ClassVar[Any] = {"update": True}

    class Impostor(DevTo):
        """Installed later under the built-in's name: the built-in wins, whatever the order."""

    class Misnamed(DevTo):
        name: ClassVar[str] = "other"

    plugins = [
        _Plugin("devto", Impostor, "impostor_plugin:DevTo"),
        _Plugin("devto", DevTo, "crosspost.adapters.devto:DevTo"),
        _Plugin("misnamed", Misnamed),
        _Plugin("gone", ModuleNotFoundError("No module named 'plugin_module'")),
        _Plugin("half", type("Half", (), {"name": "half", "render": None})),
        _Plugin("plain", PlainSettings),
        _Plugin("nocaps", NoCapabilities),
    ]
    monkeypatch.setattr(crosspost.adapter, "entry_points", lambda group: plugins)
    warnings: list[str] = []
    assert crosspost.adapter.load_adapters(warn=warnings.append) == {"devto": DevTo}
    assert warnings == [
        f"adapter plugin 'devto' is registered twice; keeping {DevTo!r}",
        "adapter plugin 'gone' (plugin_module:Adapter) failed to load: "
        "ModuleNotFoundError(\"No module named 'plugin_module'\"); skipped",
        "adapter plugin 'half' (plugin_module:Adapter) does not implement the Adapter protocol "
        "(missing capabilities, Settings, create, update, find); skipped",
        "adapter plugin 'misnamed' (plugin_module:Adapter) calls itself 'other', not "
        "'misnamed'; skipped",
        "adapter plugin 'nocaps' (plugin_module:Adapter) has no Capabilities instance in "
        "`capabilities`; skipped",
        "adapter plugin 'plain' (plugin_module:Adapter) has a `Settings` that is not a "
        "dataclass; skipped",
    ]


def _from_crosspost(record: logging.LogRecord) -> bool:
    root = Path(crosspost.__file__).resolve().parent
    return Path(record.pathname).resolve().is_relative_to(root)
