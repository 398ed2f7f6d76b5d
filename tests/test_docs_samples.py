"""Every fenced sample in README.md and docs/ is run or compared by a test, or says why not.

`tests/docs_samples.py` describes the markers. This module checks the markers themselves (every
block has one, each `sample:` name is read by a test, each `from:` excerpt is verbatim, each
`crosspost` command line parses) and holds the tests of the samples that have no better home:
the `check` messages, the config and records examples, the error tree, the Action's outputs and
the development commands.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

import crosspost
from crosspost.config import load_config
from crosspost.records import Records
from crosspost.records_format import dump as dump_records
from crosspost.records_format import parse as parse_records

from .blogs import CROSSPOST
from .conftest import EXAMPLE_BLOG, REPO
from .docs_samples import PAGES, Sample, all_samples, commands, sample

SAMPLES = all_samples()
TESTS = REPO / "tests"


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    return {**clean, "NO_COLOR": "1", "COLUMNS": "200", "GITHUB_ACTIONS": "false"}


def crosspost_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSPOST), *args], cwd=cwd, env=env(), capture_output=True, text=True, timeout=120
    )


# --------------------------------------------------------------------------- the markers


def test_every_sample_says_how_it_is_checked() -> None:
    unmarked = [str(s) for s in SAMPLES if s.kind is None]
    assert not unmarked, f"fenced blocks without a marker (see tests/docs_samples.py): {unmarked}"


def test_illustrative_samples_give_a_reason() -> None:
    for s in SAMPLES:
        if s.kind == "illustrative":
            assert len(s.arg.split()) >= 3, f"{s}: say why no test can check it"


def test_every_named_sample_is_read_by_a_test() -> None:
    """A test module that calls `sample(...)` names each sample it reads as a string."""
    readers = [p.read_text("utf-8") for p in TESTS.rglob("test_*.py")]
    sources = "\n".join(text for text in readers if "sample(" in text)
    names = [s.arg for s in SAMPLES if s.kind == "sample"]
    assert len(names) == len(set(names)), "sample names must be unique"
    unread = [name for name in names if f'"{name}"' not in sources]
    assert not unread, f"no test reads these samples: {unread}"


@pytest.mark.parametrize("block", [s for s in SAMPLES if s.kind == "checked-by"], ids=str)
def test_checking_tests_exist_and_read_the_page(block: Sample) -> None:
    path, _, name = block.arg.partition("::")
    source = (REPO / path).read_text("utf-8")
    assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{block}: no test {block.arg}"
    assert Path(block.page).name in source, f"{block}: {path} does not read {block.page}"


@pytest.mark.parametrize("block", [s for s in SAMPLES if s.kind == "from"], ids=str)
def test_excerpts_are_verbatim(block: Sample) -> None:
    source = REPO / block.arg
    assert source.is_file(), f"{block}: no file {block.arg}"
    assert block.code in source.read_text("utf-8"), f"{block} differs from {block.arg}"


def test_repository_paths_named_in_the_docs_exist() -> None:
    """A file or folder the manual names in backticks (`tests/…`, `crosspost/…`) is there."""
    pattern = re.compile(r"`((?:tests|crosspost|adapters|examples|benchmarks)/[\w./*-]+)`")
    elsewhere = re.compile(r"[\w.-]+/[\w.-]+ $")  # `owner/repo tests/x.py`: another project's
    for page in PAGES:
        text = page.read_text("utf-8")
        for m in pattern.finditer(text):
            if elsewhere.search(text[max(0, m.start() - 80) : m.start()]):
                continue
            named = m[1]
            assert list(REPO.glob(named.rstrip("/"))), f"{page.relative_to(REPO)} names {named}"


def test_run_blocks_are_python_on_the_pages_that_run() -> None:
    """tests/test_examples.py runs the `run` blocks of these two pages, and no others."""
    for s in SAMPLES:
        if s.kind == "run":
            assert s.lang == "python", f"{s}: only Python blocks run"
            assert s.page in ("docs/library.md", "docs/adapters.md"), f"{s}: not run there"


def crosspost_lines() -> list[tuple[str, list[str]]]:
    """(where, argv after `crosspost`) of every crosspost command in a `cli` block."""
    found = []
    for block in (s for s in SAMPLES if s.kind == "cli"):
        lines = commands(block)
        assert lines, f"{block}: a cli block shows `$ crosspost …` lines"
        for line in lines:
            segments = re.split(r"\s*(?:\|\||&&|\||;)\s*", line.split(" #", 1)[0])
            argvs = [shlex.split(seg) for seg in segments if seg.startswith("crosspost")]
            assert argvs, f"{block}: {line!r} runs no crosspost command"
            found += [(f"{block} {' '.join(argv)}", argv[1:]) for argv in argvs]
    return found


@pytest.mark.parametrize(("where", "argv"), crosspost_lines(), ids=lambda v: str(v)[:60])
def test_cli_lines_name_real_commands_and_options(
    where: str, argv: list[str], tmp_path: Path
) -> None:
    """click parses every argument before it acts on `--help`: an unknown command or option
    fails here, a real one prints the command's help."""
    done = crosspost_cli(*argv, "--help", cwd=tmp_path)
    assert done.returncode == 0, f"{where}: {done.stderr}"
    assert "Usage: crosspost" in done.stdout, where


# --------------------------------------------------------------------------- check's messages


def lines_of(block: Sample) -> list[str]:
    return [line for line in block.code.splitlines() if line.strip()]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


FUWARI = '[site]\nurl = "https://blog.example.com"\nprofile = "fuwari"\n'


def test_check_date_error_is_what_check_prints(tmp_path: Path) -> None:
    blog = write(
        tmp_path,
        {
            "crosspost.toml": FUWARI,
            "src/content/posts/hello.md": "---\ntitle: Hello\ndate: Janaury 11\n---\n\nHi.\n",
        },
    )
    done = crosspost_cli("check", cwd=blog)
    assert done.returncode == 2
    assert lines_of(sample("check-date-error")) == done.stdout.splitlines()[:1]


def test_check_shared_url_error_is_what_check_prints(tmp_path: Path) -> None:
    post = "---\ntitle: {}\ndate: 2024-05-01\n---\n\nHi.\n"
    blog = write(
        tmp_path,
        {
            "crosspost.toml": '[site]\nurl = "https://blog.example.com"\nprofile = "hugo"\n',
            "content/posts/hello/index.md": post.format("Hello"),
            "content/posts/hello/index.ja.md": post.format("Konnichiwa"),
        },
    )
    done = crosspost_cli("check", cwd=blog)
    assert done.returncode == 2
    [line] = lines_of(sample("check-shared-url"))
    assert line in done.stdout.splitlines()


PLATFORMS = (
    '\n[platforms.devto]\n\n[platforms.hashnode]\npublication = "blog.example.com"\n\n'
    '[platforms.mastodon]\ninstance = "https://mastodon.social"\n'
)


def test_check_platform_errors_and_trims_are_what_check_prints(tmp_path: Path) -> None:
    tags = "[python, web, testing, devops, career, opensource]"
    blog = write(
        tmp_path,
        {
            "crosspost.toml": FUWARI + PLATFORMS,
            # 487 characters of title + the link and separators: 512; 22,000 words: 111 KB
            "src/content/posts/long.md": (
                f"---\ntitle: {'T' * 487}\ndate: 2024-05-01\n---\n\n{'word ' * 22000}\n"
            ),
            "src/content/posts/tips.md": (
                f"---\ntitle: Tips\ndate: 2024-05-01\ntags: {tags}\n"
                f"description: {'long description ' * 40}\n---\n\nHi.\n"
            ),
        },
    )
    done = crosspost_cli("check", cwd=blog)
    assert done.returncode == 2
    printed = done.stdout.splitlines()
    for name in ("check-platform-errors", "check-trimmed"):
        for line in lines_of(sample(name)):
            assert line in printed, (name, line, printed)


def test_check_warnings_are_what_check_prints_for_the_example_blog() -> None:
    done = crosspost_cli("check", cwd=EXAMPLE_BLOG)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    for line in lines_of(sample("check-warnings")):
        assert line in printed, (line, printed)


def test_check_dead_link_has_the_format_check_prints() -> None:
    """The live-site run is tests/test_check_platforms.py's: same message, other paths."""
    [dead, summary] = lines_of(sample("check-dead-link"))
    assert re.fullmatch(r"\S+\.md: https://\S+ answers HTTP 404, not 200 \[dead-link\]", dead)
    source = (TESTS / "test_check_platforms.py").read_text("utf-8")
    assert "answers HTTP 404, not 200 [dead-link]" in source
    counts = r"\d+ posts checked, \d+ errors, \d+ warnings, 1 dead link, 1 draft"
    assert re.fullmatch(counts, summary)


# --------------------------------------------------------------------------- config and records


@pytest.mark.parametrize("name", ["config-example", "tags-example", "built-site-config"])
def test_config_samples_load(name: str, tmp_path: Path) -> None:
    text = sample(name).code
    if "[site]" not in text:
        text = '[site]\nurl = "https://blog.example.com"\n\n' + text
    (tmp_path / "crosspost.toml").write_text(text, "utf-8")
    config = load_config(tmp_path / "crosspost.toml")
    assert config.path == tmp_path / "crosspost.toml"


def test_records_sample_is_a_records_file_crosspost_reads(tmp_path: Path) -> None:
    block = sample("records-json")
    data = json.loads(block.code)
    path = tmp_path / ".crosspost" / "records.json"
    path.parent.mkdir()
    path.write_text(block.code, "utf-8")
    records = Records.read(path)
    [url] = data["posts"]
    entry = records.get(url, "devto")
    assert entry is not None
    assert (entry.state, entry.id, entry.url) == (
        "published",
        "1834",
        "https://dev.to/me/hello-3k2",
    )
    assert records.source_of(url) == "src/content/posts/hello.md"
    assert records.account("hashnode") == data["accounts"]["hashnode"]
    assert (entry.blob, entry.source, entry.config) == ("3b18e5…", None, "sha256:…")
    assert entry.hash == "sha256:9f86d081884c7d659a2feaa0c55ad015"
    raw = block.code.encode("utf-8")
    assert dump_records(parse_records(raw)) == raw  # exactly the bytes crosspost writes


def test_error_tree_is_the_exception_hierarchy() -> None:
    """Each name's parent in the drawing is its nearest public base class, and every public
    error is drawn."""
    public = {
        name
        for name in crosspost.__all__
        if inspect.isclass(getattr(crosspost, name))
        and issubclass(getattr(crosspost, name), crosspost.CrosspostError)
    }
    parents: dict[int, str] = {}
    drawn = set()
    for line in sample("error-tree").code.splitlines():
        m = re.match(r"^(?P<lead>[│├└─ ]*)(?P<name>\w+Error)\b", line)
        assert m, line
        depth = len(m["lead"]) // 4
        name = m["name"]
        cls = getattr(crosspost, name)
        if depth:
            nearest = next(base.__name__ for base in cls.__mro__[1:] if base.__name__ in public)
            assert nearest == parents[depth - 1], name
        parents[depth] = name
        drawn.add(name)
    assert drawn == public


def test_action_sample_uses_real_inputs_and_outputs() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    steps = yaml.safe_load(sample("action-outputs").code)
    uses = next(step for step in steps if "uses" in step)
    assert set(uses["with"]) <= set(action["inputs"])
    named = re.findall(r"steps\.crosspost\.outputs\.([\w-]+)", sample("action-outputs").code)
    assert named
    assert set(named) <= set(action["outputs"])


# --------------------------------------------------------------------------- developing


def ci_commands() -> list[str]:
    script = (REPO / ".ci" / "run").read_text("utf-8")
    lines = [line.strip() for line in script.splitlines() if line and not line.startswith("#")]
    return [" ".join(line.replace(" --quiet", "").split()) for line in lines]


def test_readme_test_command_is_the_ci_script() -> None:
    assert commands(sample("ci")) == ["bash .ci/run"]
    assert (REPO / ".ci" / "run").is_file()


def test_develop_commands_are_the_ones_ci_runs() -> None:
    """The install line and the test command of docs/development.md are .ci/run's own."""
    venv, install, test = commands(sample("develop"))
    assert venv.startswith("python -m venv .venv")
    ci = ci_commands()
    assert install in ci
    assert test in ci


def test_benchmark_lines_name_the_scripts_there_are() -> None:
    named = [shlex.split(line.split("#", 1)[0])[1] for line in commands(sample("benchmarks"))]
    assert sorted(named) == sorted(
        f"benchmarks/{p.name}" for p in (REPO / "benchmarks").glob("*.py") if p.name[0] != "_"
    )


def test_config_example_uses_only_documented_site_keys() -> None:
    site = tomllib.loads(sample("config-example").code)["site"]
    reference = (REPO / "docs" / "configuration.md").read_text("utf-8")
    for key in site:
        assert f"| `{key}` |" in reference, key
