"""docs/getting-started.md, run: every `console` block's commands, in order, on the Hugo blog the
guide describes, with their output compared to the guide's (`...` stands for text left out).

The guide's own edits to crosspost.toml (its `toml` blocks) are applied where it makes them.
The last block publishes "for real": the test stands a fake dev.to in for the real one (the
config's api_url pointed at it and its records file named, as a config pointing at this
machine must, its key typed on stdin), the only change from what a reader runs.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from crosspost import __version__
from crosspost.adapters.devto.fake import FakeDevTo
from crosspost.sandbox import Sandbox

from .blogs import CROSSPOST
from .conftest import fake_of
from .docs_samples import page_samples

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "getting-started.md"
GUIDE_TEST = "tests/test_getting_started.py"
RUN = f"{GUIDE_TEST}::test_the_guide_runs_as_written"

POSTS = {
    "first-light.md": "+++\ntitle = 'First light'\ndate = 2024-05-01T09:00:00Z\n"
    "tags = ['photography']\n+++\n\nThe first post.\n",
    "second-wind.md": "+++\ntitle = 'Second wind'\ndate = 2024-06-02T09:00:00Z\n"
    "tags = ['running', 'Python']\n+++\n\nThe second post.\n",
}


def blocks(kind: str, checked_by: str = RUN) -> list[str]:
    """The guide's `kind` blocks that `checked_by` reads (its marker names it)."""
    return [
        s.code
        for s in page_samples(GUIDE)
        if s.lang == kind and s.kind == "checked-by" and s.arg == checked_by
    ]


def hugo_blog(root: Path) -> Path:
    """The blog of the guide's tree: `hugo new site`'s config and two posts."""
    (root / "content" / "posts").mkdir(parents=True)
    (root / "hugo.toml").write_text(
        "baseURL = 'https://jane.example.org/'\nlanguageCode = 'en-us'\ntitle = 'Jane writes'\n"
    )
    for name, text in POSTS.items():
        (root / "content" / "posts" / name).write_text(text)
    return root


def run_block(block: str, cwd: Path, env: dict[str, str], stdin: str = "") -> list[str]:
    """The block's commands as one bash script (a variable exported stays for the next
    command, as in the reader's shell); stdout and stderr together, as a terminal shows them."""
    script = "\n".join(line[2:] for line in block.splitlines() if line.startswith("$ "))
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    return done.stdout.splitlines()


def expected(block: str) -> list[str]:
    return [line for line in block.splitlines() if not line.startswith("$ ")]


def assert_output(block: str, lines: list[str]) -> None:
    """Each expected line matches the next output line; `...` alone skips any lines, `...`
    inside a line any text."""
    want = expected(block)
    at, gap = 0, False
    for line in want:
        if line == "...":
            gap = True
            continue
        pattern = re.compile(".*".join(map(re.escape, line.split("..."))))
        while at < len(lines) and not pattern.fullmatch(lines[at]):
            assert gap, f"expected {line!r}, got {lines[at]!r}\n" + "\n".join(lines)
            at += 1
        assert at < len(lines), f"expected {line!r} in\n" + "\n".join(lines)
        at, gap = at + 1, False
    assert gap or at == len(lines), "unexpected output:\n" + "\n".join(lines[at:])


def test_the_guide_runs_as_written(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> None:
    tree = blocks("text")[0]
    assert all(name in tree for name in (*POSTS, "hugo.toml", "content/"))
    blog = hugo_blog(tmp_path / "myblog")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(
        PATH=f"{CROSSPOST.parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        NO_COLOR="1",
        COLUMNS="200",
        GITHUB_ACTIONS="false",
    )
    console = blocks("console")
    assert len(console) == 7
    before, init, doctor, check, dry_run, rehearsal, real = console

    assert_output(before, run_block(before, blog, env))
    today = datetime.date.today().isoformat()
    assert_output(init.replace("(today)", "(today)"), run_block(init, blog, env))
    config = blog / "crosspost.toml"
    since, devto = blocks("toml")[:2]
    text = config.read_text()
    assert f"since = {today}\n" in text
    text = text.replace(f"since = {today}\n", since)
    commented = "".join(f"# {line}\n" for line in devto.splitlines())
    assert commented in text, "the guide uncomments the table init wrote"
    config.write_text(text.replace(commented, devto))

    for block in (doctor, check, dry_run, rehearsal):
        assert_output(block, run_block(block, blog, env))
    assert not (blog / ".crosspost" / "records.json").exists(), "nothing real yet"

    sandbox = sandbox_factory(["devto"])
    fake = fake_of(sandbox, "devto", FakeDevTo)
    pointed = config.read_text().replace("https://dev.to/api", fake.settings()["api_url"])
    # a config pointing at 127.0.0.1 must name its records file (crosspost.destinations)
    config.write_text('records = ".crosspost/records.json"\n' + pointed)
    (token,) = sandbox.env.values()
    assert_output(real, run_block(real, blog, env, stdin=token + "\n"))
    assert len(fake.articles) == 2
    assert {a["canonical_url"] for a in fake.articles} == {
        "https://jane.example.org/posts/first-light/",
        "https://jane.example.org/posts/second-wind/",
    }


def test_the_install_lines_name_the_current_release() -> None:
    """The install lines need the network, so they are not run; their tag is the release's."""
    (install,) = blocks("sh", f"{GUIDE_TEST}::test_the_install_lines_name_the_current_release")
    tags = re.findall(r"crosspost@(v[\w.]+)", install)
    assert tags and set(tags) == {f"v{__version__}"}
