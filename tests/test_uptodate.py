"""The run-level up-to-date check (crosspost.uptodate): a publish run whose inputs are those of
the last no-op run prints what that run printed without loading click, the adapters or the
records; any change to an input that decided that plan is the full run.

Each scenario publishes a small blog in a git checkout (against the sandbox's fakes), lets a
no-op run stamp it, applies one change and runs `crosspost publish` again through a wrapper
that says which way the run went ("quiet": the stamp's; "full": click was imported). A change
that gives the post work must be the full run and do the work; a change after which the full
run still has nothing to do may take either way, and must print, exit and leave the records
byte for byte as the full run does (compared with a run whose stamp was removed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.sandbox import Sandbox
from crosspost.uptodate import MARGIN_NS

from .blogs import crosspost_env, sandbox_blog, write_posts

PLATFORMS = ["devto", "hashnode"]

WRAPPER = """\
import os, sys
import uptodate_probe  # a module of the run's code, edited by one scenario
from crosspost.cli import main
try:
    main()
finally:
    with open(os.environ["UPTODATE_WAY"], "w") as way:
        way.write("full" if "click" in sys.modules else "quiet")
"""


@dataclass(frozen=True)
class Outcome:
    out: str
    err: str
    code: int
    way: str
    records: bytes

    @property
    def printed(self) -> tuple[str, str, int]:
        """What a user sees of the run: stdout, stderr, exit code."""
        return self.out, self.err, self.code


@dataclass
class Blog:
    root: Path
    env: dict[str, str]
    tools: Path  # the wrapper's folder: sys.path[0] of every run

    @property
    def stamps(self) -> list[Path]:
        folder = self.root / ".git" / "crosspost"
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def run(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        way = self.tools.parent / "way"  # not on sys.path: its folder is part of the code
        way.unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, str(self.tools / "run.py"), "publish", *(args or [str(self.root)])],
            env={**(env or self.env), "UPTODATE_WAY": str(way)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        records = self.root / ".crosspost" / "records.json"
        return Outcome(
            done.stdout,
            done.stderr,
            done.returncode,
            way.read_text(),
            records.read_bytes() if records.exists() else b"",
        )

    def full_run(self, env: dict[str, str] | None = None) -> Outcome:
        """The run without a stamp: what the quiet one must be identical to."""
        for stamp in self.stamps:
            stamp.unlink()
        outcome = self.run(env=env)
        assert outcome.way == "full"
        return outcome

    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
        env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        return subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        ).stdout

    def stamp(self) -> Outcome:
        """A no-op run once every file is old enough to be vouched for: it leaves a stamp."""
        time.sleep(MARGIN_NS / 1e9 + 0.2)
        outcome = self.run()
        assert outcome.code == 0, outcome.err
        assert self.stamps, f"no stamp: {outcome}"
        return outcome


def old_enough() -> None:
    time.sleep(MARGIN_NS / 1e9 + 0.2)


@pytest.fixture
def blog(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> Blog:
    sandbox = sandbox_factory(PLATFORMS)
    root = sandbox_blog(tmp_path / "blog", sandbox)
    write_posts(root / "posts", 3)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "run.py").write_text(WRAPPER, "utf-8")
    (tools / "uptodate_probe.py").write_text("VERSION = 1\n", "utf-8")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    env = crosspost_env(sandbox, PYTHONPATH=f"{tools}{os.pathsep}{plugins}")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    made = Blog(root, env, tools)
    made.git("init", "-q")
    made.git("config", "core.autocrlf", "false")
    first = made.run()
    assert first.code == 0 and "created" in first.out, first
    made.git("add", "-A")
    made.git("commit", "-qm", "published")
    return made


@pytest.fixture
def stamped(blog: Blog) -> Blog:
    blog.stamp()
    return blog


# --------------------------------------------------------------------------- taken at all


def test_a_no_op_run_after_a_stamped_one_is_quiet_and_prints_the_same(blog: Blog) -> None:
    stamping = blog.stamp()
    assert stamping.way == "full"
    quiet = blog.run()
    assert quiet.way == "quiet"
    assert (quiet.out, quiet.err, quiet.code, quiet.records) == (
        stamping.out,
        stamping.err,
        stamping.code,
        stamping.records,
    )
    assert quiet.out == "6 unchanged\n"


def test_the_quiet_run_imports_neither_click_nor_adapters_nor_plugin_machinery(
    blog: Blog,
) -> None:
    probe = blog.tools / "modules.py"  # written before the stamp: its folder is on sys.path
    probe.write_text(
        "import sys\nfrom crosspost.uptodate import try_quiet_run\n"
        f"code = try_quiet_run(['publish', {str(blog.root)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'click' or m.startswith(("
        "'crosspost.adapter', 'crosspost.records', 'importlib.metadata', 'importlib_metadata')))\n"
        "sys.stderr.write(f'{code} {heavy}')\n",
        "utf-8",
    )
    blog.stamp()
    done = subprocess.run(
        [sys.executable, str(probe)], env=blog.env, capture_output=True, text=True, check=True
    )
    assert done.stderr == "0 []"
    assert done.stdout == "6 unchanged\n"


LAZY = ("tenacity", "html.parser", "filelock")
"""What a full no-op run (no stamp: the Action's case) never imports: it sends nothing, and the
records' lock is an flock here (filelock is Windows' lock, `crosspost.lockfile`)."""


def test_the_full_no_op_run_loads_nothing_only_sending_needs(blog: Blog) -> None:
    probe = blog.tools / "full.py"
    probe.write_text(
        "import sys\nfrom crosspost.cli import main\ntry:\n    main()\nfinally:\n"
        f"    lazy = {LAZY!r}\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith(lazy))\n"
        "    sys.stderr.write(f'{loaded}')\n",
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(probe), "publish", str(blog.root), "--no-github"],
        env=blog.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.stdout, done.stderr, done.returncode) == ("6 unchanged\n", "[]", 0)


def test_a_run_with_work_leaves_no_stamp_and_a_held_post_is_never_stamped(blog: Blog) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=MARGIN_NS / 1e9 + 10)
    (blog.root / "posts" / "later.md").write_text(
        f'---\ntitle: "Later"\ndate: {soon.isoformat(timespec="seconds")}\n---\n\nSoon.\n',
        "utf-8",
    )
    blog.git("add", "-A")
    blog.git("commit", "-qm", "later")
    old_enough()
    held = blog.run()
    assert held.way == "full" and "held" in held.out, held
    assert blog.stamps == []  # the plan held a post for a time reason
    while datetime.now(UTC) <= soon:
        time.sleep(0.2)
    due = blog.run()
    assert due.way == "full" and "created" in due.out, due


# --------------------------------------------------------------------------- one change each


def edit(blog: Blog, name: str = "post-001.md") -> Path:
    path = blog.root / "posts" / name
    path.write_text(path.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    return path


def edited_and_staged(blog: Blog) -> None:
    edit(blog)
    blog.git("add", "-A")


def edited_not_staged(blog: Blog) -> None:
    edit(blog)


def edited_and_committed(blog: Blog) -> None:
    edit(blog)
    blog.git("commit", "-qam", "edit")


def new_untracked_post(blog: Blog) -> None:
    write_posts(blog.root / "posts", 1, start=7)


def renamed(blog: Blog) -> None:
    blog.git("mv", "posts/post-002.md", "posts/moved.md")


def config_changed(blog: Blog) -> None:
    config = blog.root / "crosspost.toml"
    text = config.read_text("utf-8")
    config.write_text(text.replace("[site]\n", '[site]\ntitle = "Renamed"\n', 1), "utf-8")


def records_edited_by_hand(blog: Blog) -> None:
    records = blog.root / ".crosspost" / "records.json"
    text = records.read_text("utf-8")
    blob = blog.git("rev-parse", "HEAD:posts/post-001.md").strip()
    assert blob in text
    records.write_text(text.replace(blob, "0" * 40), "utf-8")


def records_deleted(blog: Blog) -> None:
    (blog.root / ".crosspost" / "records.json").unlink()


WORK = {
    "edited and staged": (edited_and_staged, "updated"),
    "edited, not staged": (edited_not_staged, "updated"),
    "edited and committed": (edited_and_committed, "updated"),
    "new untracked post": (new_untracked_post, "created"),
    "renamed": (renamed, "updated"),
    "records edited by hand": (records_edited_by_hand, "unchanged"),
    "records deleted": (records_deleted, "created"),
}
"""Changes after which the full run has work (or reads a post): never the quiet run."""


@pytest.mark.parametrize("change", WORK, ids=list(WORK))
def test_a_change_that_gives_work_is_the_full_run(stamped: Blog, change: str) -> None:
    apply, word = WORK[change]
    apply(stamped)
    after = stamped.run()
    assert after.way == "full", after
    assert after.code == 0 and word in after.out, after


def post_deleted(blog: Blog) -> None:
    (blog.root / "posts" / "post-002.md").unlink()


def readme_edited(blog: Blog) -> None:
    (blog.root / "README.md").write_text("A blog.\n", "utf-8")
    blog.git("add", "-A")
    blog.git("commit", "-qm", "readme")


def config_comment(blog: Blog) -> None:
    config = blog.root / "crosspost.toml"
    config.write_text(config.read_text("utf-8") + "# a comment\n", "utf-8")


def crlf_attributes(blog: Blog) -> None:
    (blog.root / ".gitattributes").write_text("*.md text eol=crlf\n", "utf-8")
    blog.git("add", "-A")
    blog.git("commit", "-qm", "crlf")


def lfs_pointer(blog: Blog) -> None:
    """A clean filter (as Git LFS's) makes the index blob a pointer, not the file's bytes."""
    blog.git("config", "filter.lfs.clean", "sed s/Post/Pointer/")
    blog.git("config", "filter.lfs.smudge", "cat")
    (blog.root / ".gitattributes").write_text("*.md filter=lfs\n", "utf-8")
    blog.git("add", "--renormalize", ".")
    blog.git("commit", "-qm", "lfs")


def dirty_index(blog: Blog) -> None:
    """The index names another blob for a post whose file was not touched."""
    other = blog.git("hash-object", "-w", "crosspost.toml").strip()
    blog.git("update-index", "--cacheinfo", f"100644,{other},posts/post-001.md")


def index_matches_an_edit_undone(blog: Blog) -> None:
    """An edit staged, then the file written back as it was: the index and the file differ."""
    path = blog.root / "posts" / "post-001.md"
    before = path.read_bytes()
    edit(blog)
    blog.git("add", "-A")
    path.write_bytes(before)


def symlinked_post(blog: Blog) -> None:
    outside = blog.tools.parent / "elsewhere.md"
    shutil.copy(blog.root / "posts" / "post-000.md", outside)
    (blog.root / "posts" / "post-000.md").unlink()
    (blog.root / "posts" / "post-000.md").symlink_to(outside)


def plugin_installed(blog: Blog, name: str = "extra") -> None:
    """A distribution registering an adapter as `name` appears on sys.path (this one fails to
    load; a run imports it when it looks `name` up)."""
    plugins = Path(blog.env["PYTHONPATH"].split(os.pathsep)[1])
    info = plugins / "crosspost_extra-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: crosspost-extra\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[crosspost.adapters]\n{name} = crosspost_extra:Extra\n"
    )


PLUGIN = """\
import os
from crosspost.adapters.devto import DevTo
if os.environ.get("EXTRA_OFFLINE"):
    raise ImportError("no extra today")
class Extra(DevTo):
    name = "extra"
"""


def test_a_third_party_plugin_leaves_no_stamp(stamped: Blog) -> None:
    """A plugin's code runs in any run that uses its platform or lists the platforms, and may
    read anything (here an environment variable of its own): what it does is no input the
    digest can hold, so no run stamps while one is installed, used by this blog or not."""
    plugins = Path(stamped.env["PYTHONPATH"].split(os.pathsep)[1])
    (plugins / "crosspost_extra.py").write_text(PLUGIN, "utf-8")
    info = plugins / "crosspost_extra-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: crosspost-extra\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[crosspost.adapters]\nextra = crosspost_extra:Extra\n")
    for stamp in stamped.stamps:
        stamp.unlink()
    for _ in range(2):  # the first writes the plugin's __pycache__: too young to stamp
        old_enough()
        loaded = stamped.run()
        assert (loaded.out, loaded.err, loaded.way) == ("6 unchanged\n", "", "full"), loaded
    assert not stamped.stamps
    env = {**stamped.env, "EXTRA_OFFLINE": "1"}
    listed = subprocess.run(
        [sys.executable, str(stamped.tools / "run.py"), "platforms"],
        env=env,
        cwd=stamped.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "failed to load" in listed.stderr, listed


def code_changed(blog: Blog) -> None:
    """A module the run imports is edited (what a new crosspost version is to the digest)."""
    (blog.tools / "uptodate_probe.py").write_text("VERSION = 2\n", "utf-8")


def module_shadowed(blog: Blog) -> None:
    """A module named as one the run imports appears on a `sys.path` folder searched before
    the one it was found in (here: the standard library's tomllib, under PYTHONPATH)."""
    plugins = Path(blog.env["PYTHONPATH"].split(os.pathsep)[1])
    (plugins / "tomllib.py").write_text('raise ImportError("a tomllib of its own")\n', "utf-8")


NO_WORK = {
    "post deleted": post_deleted,
    "README edited and committed": readme_edited,
    "config comment": config_comment,
    "CRLF attributes": crlf_attributes,
    "LFS pointer": lfs_pointer,
    "dirty index": dirty_index,
    "edit staged then undone": index_matches_an_edit_undone,
    "symlinked post": symlinked_post,
    "plugin installed": plugin_installed,
    "code changed": code_changed,
    "module shadowed": module_shadowed,
}
"""Changes after which the full run may still have nothing to do (or says something else)."""


@pytest.mark.parametrize("change", NO_WORK, ids=list(NO_WORK))
def test_after_a_change_either_way_gives_the_full_runs_output_and_records(
    stamped: Blog, change: str
) -> None:
    NO_WORK[change](stamped)
    after = stamped.run()
    reference = stamped.full_run()
    assert (after.out, after.err, after.code, after.records) == (
        reference.out,
        reference.err,
        reference.code,
        reference.records,
    )


@pytest.mark.parametrize(
    "change",
    ["post deleted", "config comment", "plugin installed", "code changed", "symlinked post"],
)
def test_a_change_to_an_input_of_the_plan_is_the_full_run(stamped: Blog, change: str) -> None:
    NO_WORK[change](stamped)
    assert stamped.run().way == "full"


@pytest.mark.parametrize(
    "variable", ["CROSSPOST_DEBUG", "CROSSPOST_ALLOW_PRIVATE_LINKS", "CROSSPOST_NEW_SETTING"]
)
def test_an_environment_variable_that_matters_is_the_full_run(stamped: Blog, variable: str) -> None:
    env = {**stamped.env, variable: "1"}
    after = stamped.run(env=env)
    assert after.way == "full"
    reference = stamped.full_run(env=env)
    assert after.printed == reference.printed


def test_shell_completion_is_the_full_run(stamped: Blog) -> None:
    """click answers a shell's completion request (`_<PROG>_COMPLETE` in the environment, the
    program's name upper-cased) whatever the arguments: its answer, never the stamp's."""
    env = {**stamped.env, "_RUN_PY_COMPLETE": "bash_source"}
    after = stamped.run(env=env)
    reference = stamped.full_run(env=env)
    assert "complete" in reference.out, reference
    assert after.way == "full"
    assert after.printed == reference.printed


def test_an_option_is_the_full_run(stamped: Blog) -> None:
    assert stamped.run("--dry-run", str(stamped.root)).way == "full"


HOLDER = """\
import sys, time
from pathlib import Path
from crosspost.lockfile import acquire
held = acquire(Path(sys.argv[1]), timeout=5, waiting=lambda: None)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
held.release()
"""


def test_a_run_while_another_holds_the_records_is_the_full_run(stamped: Blog) -> None:
    """Another crosspost run holding the records' lock (the lock file stays, so nothing on
    disk says so): the full run waits for it, saying so, and then reads what it wrote."""
    (stamped.tools.parent / "holder.py").write_text(HOLDER, "utf-8")
    lock = stamped.root / ".crosspost" / "records.json.lock"
    assert lock.exists()  # left by the runs before

    def while_held(run: Callable[[], Outcome]) -> Outcome:
        holder = subprocess.Popen(
            [sys.executable, str(stamped.tools.parent / "holder.py"), str(lock), "2"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            return run()
        finally:
            holder.wait(timeout=60)

    after = while_held(stamped.run)
    reference = while_held(stamped.full_run)
    assert "waiting for another crosspost run" in reference.err, reference
    assert after.way == "full"
    assert after.printed == reference.printed


# --------------------------------------------------------------------------- forged, secret


def test_a_stamp_put_back_after_an_edit_is_ignored(stamped: Blog) -> None:
    (stamp,) = stamped.stamps
    kept = stamp.read_bytes()
    edit(stamped)
    stamp.write_bytes(kept)  # the stamp of the inputs before the edit
    after = stamped.run()
    assert after.way == "full" and "updated" in after.out, after


def test_a_stamp_from_another_clone_is_ignored(stamped: Blog, tmp_path: Path) -> None:
    """A stamp written where every input is the same but the files (another clone, a CI
    checkout, a forger's machine) never matches: file identities are not copied with files."""
    (stamp,) = stamped.stamps
    clone = tmp_path / "clone"
    shutil.copytree(stamped.root, clone, symlinks=True)
    other = Blog(clone, stamped.env, stamped.tools)
    for own in other.stamps:
        own.unlink()
    edit(other)
    text = stamp.read_text("utf-8").replace(str(stamped.root), str(clone))
    (clone / ".git" / "crosspost" / stamp.name).write_text(text, "utf-8")
    after = other.run()
    assert after.way == "full" and "updated" in after.out, after


def test_a_stamp_in_the_working_tree_is_never_read(stamped: Blog) -> None:
    """A pull request can only bring files of the working tree: the stamp is not one."""
    (stamp,) = stamped.stamps
    text = stamp.read_text("utf-8")
    stamp.unlink()
    (stamped.root / ".crosspost" / stamp.name).write_text(text, "utf-8")
    assert stamped.run().way == "full"


def test_a_damaged_stamp_is_the_full_run(stamped: Blog) -> None:
    (stamp,) = stamped.stamps
    stamp.write_text(stamp.read_text("utf-8").replace("inputs ", "inputs 0"), "utf-8")
    after = stamped.run()
    assert after.way == "full" and after.out == "6 unchanged\n"


FORGER = """\
import os, sys
from crosspost import uptodate
argv, config = sys.argv[1:], os.path.join(sys.argv[2], "crosspost.toml")
path = uptodate._stamp_file(config)
stamp = uptodate._read_stamp(path)
digest = uptodate._digest(uptodate._Start(argv, config, os.getcwd()), stamp.layout, stamp.watch)[0]
code = uptodate._code(stamp.modules)[0]
lines = open(path, encoding="utf-8").read().split("\\n")
fields = {"inputs": digest, "code": code, "out": "all is well"}
lines = [f"{l.split(' ')[0]} {fields[l.split(' ')[0]]}" if l.split(" ")[0] in fields else l
         for l in lines]
open(path, "w", encoding="utf-8").write("\\n".join(lines))
"""


@pytest.mark.parametrize("writable", ["stamp", "folder"])
def test_a_stamp_others_can_write_is_ignored(stamped: Blog, writable: str) -> None:
    """Anyone who can read the blog can compute the digest of its inputs: a stamp that others
    can write could then make a run print anything (the records' own rule: a world-writable
    file stops the run)."""
    (stamp,) = stamped.stamps
    edit(stamped)
    (stamped.tools / "forger.py").write_text(FORGER, "utf-8")
    subprocess.run(
        [sys.executable, str(stamped.tools / "forger.py"), "publish", str(stamped.root)],
        env=stamped.env,
        check=True,
    )
    # The forger is right: the owner's own stamp, forged, is believed (only they can write it).
    assert stamped.run().out == "all is well\n"
    edit(stamped)
    subprocess.run(
        [sys.executable, str(stamped.tools / "forger.py"), "publish", str(stamped.root)],
        env=stamped.env,
        check=True,
    )
    target = stamp if writable == "stamp" else stamp.parent
    target.chmod(target.stat().st_mode | 0o002)
    after = stamped.run()
    assert after.way == "full" and "updated" in after.out, after


def test_no_token_is_in_the_stamp_even_hashed(blog: Blog) -> None:
    canary = "canary-token-4f1c9e"
    blog.env["CROSSPOST_DEVTO_TOKEN"] = canary
    blog.stamp()
    (stamp,) = blog.stamps
    data = stamp.read_bytes()
    for form in (canary, hashlib.sha256(canary.encode()).hexdigest()):
        assert form.encode() not in data
    assert blog.run().way == "quiet"


def test_a_run_that_printed_a_warning_leaves_no_stamp(stamped: Blog) -> None:
    """A broken plugin's warning is printed by every full run that looks its name up (here a
    second registration of `devto`, which the blog publishes to): never replaced by a stamp's."""
    plugin_installed(stamped, "devto")
    for stamp in stamped.stamps:
        stamp.unlink()
    old_enough()
    warned = stamped.run()
    assert warned.way == "full" and "failed to load" in warned.err, warned
    assert stamped.stamps == []


def test_a_run_over_part_of_the_blog_leaves_no_stamp(stamped: Blog) -> None:
    """The records name posts this run's walk does not see: whether they are still there is
    not in its digest."""
    for stamp in stamped.stamps:
        stamp.unlink()
    one = stamped.run(str(stamped.root / "posts" / "post-000.md"))
    assert one.way == "full" and one.out == "2 unchanged\n", one
    assert stamped.stamps == []


def test_a_run_over_files_written_within_the_margin_leaves_no_stamp(stamped: Blog) -> None:
    """Written in the clock tick the run checked it, a file could change again unseen: a run
    stamps only files older than its start by the margin."""
    config_comment(stamped)  # no work, but a file as young as can be
    young = stamped.run()
    assert young.way == "full" and young.out == "6 unchanged\n", young
    assert stamped.run().way == "full"


def two_generators(blog: Blog) -> None:
    """Without site.profile, files of two generators at the root: every full run warns."""
    (blog.root / "hugo.toml").write_text('baseURL = "https://blog.example.com/"\n', "utf-8")
    (blog.root / "astro.config.mjs").write_text("export default {}\n", "utf-8")


def hugo_settings_folder(blog: Blog) -> None:
    """Hugo's settings in config/_default/ and an Astro marker: two generators again."""
    folder = blog.root / "config" / "_default"
    folder.mkdir(parents=True)
    (blog.root / "astro.config.mjs").write_text("export default {}\n", "utf-8")
    (folder / "hugo.toml").write_text('baseURL = "https://blog.example.com/"\n', "utf-8")


@pytest.mark.parametrize("change", [two_generators, hugo_settings_folder])
def test_files_that_make_a_warning_at_the_root_are_the_full_run(
    stamped: Blog, change: Callable[[Blog], None]
) -> None:
    change(stamped)
    after = stamped.run()
    reference = stamped.full_run()
    assert "site.profile is not set" in reference.err
    assert after.way == "full"
    assert after.printed == reference.printed


AUDIT = """\
import builtins, os, sys
root, seen = os.environ["AUDIT_ROOT"], set()

def note(path):
    try:
        path = os.path.abspath(os.fsdecode(os.fspath(path)))
    except TypeError:
        return
    if path.startswith(root + os.sep):
        seen.add(os.path.relpath(path, root))

for name in ("stat", "lstat", "listdir", "scandir", "open", "access", "readlink"):
    def patched(*args, _real=getattr(os, name), **kwargs):
        if args:
            note(args[0])
        return _real(*args, **kwargs)
    setattr(os, name, patched)
real_open = builtins.open
builtins.open = lambda file, *a, **k: (note(file), real_open(file, *a, **k))[1]
from crosspost.cli import main
try:
    main()
finally:
    with real_open(os.environ["AUDIT_SEEN"], "w") as out:
        out.write("\\n".join(sorted(seen)))
"""


def test_every_path_a_full_no_op_run_looks_at_is_one_the_stamp_identifies(blog: Blog) -> None:
    """The inventory, checked: every file or folder under the blog a full no-op run stats,
    lists or opens is one the digest identifies, or git's (which only decides whether a post
    file is read: its plan is a function of the bytes either way)."""
    (blog.tools / "audit.py").write_text(AUDIT, "utf-8")
    seen_file = blog.tools / "seen"
    old_enough()
    done = subprocess.run(
        [sys.executable, str(blog.tools / "audit.py"), "publish", str(blog.root)],
        env={**blog.env, "AUDIT_ROOT": str(blog.root), "AUDIT_SEEN": str(seen_file)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "6 unchanged\n"
    (stamp,) = blog.stamps
    lines = stamp.read_text("utf-8").splitlines()
    watched = {
        os.path.relpath(line.split(" ", 1)[1], blog.root)
        for line in lines
        if line.startswith("watch ")
    }
    records = {".crosspost", *(f".crosspost/{n}" for n in os.listdir(blog.root / ".crosspost"))}
    posts = {"posts", *(f"posts/{n}" for n in os.listdir(blog.root / "posts"))}
    identified = watched | records | posts | {"crosspost.toml"}
    gits = {p for p in seen_file.read_text().splitlines() if ".git" in Path(p).parts}
    assert set(seen_file.read_text().splitlines()) - gits <= identified
    assert gits <= {".git", ".git/index", "posts/.git"} | {
        f".git/crosspost/{p.name}" for p in (blog.root / ".git" / "crosspost").iterdir()
    } | {p for p in gits if p.startswith(".git/crosspost/") and p.endswith(".tmp")}


def test_a_content_folder_reached_through_a_link_that_moves_is_the_full_run(blog: Blog) -> None:
    """site.content names `live/posts`, a symbolic link to one version of the posts: pointed at
    another, the full run walks that one (the config resolves the content folder each run)."""
    versions = blog.root / "versions"
    versions.mkdir()
    (blog.root / "posts").rename(versions / "a")
    (blog.root / "live").mkdir()
    (blog.root / "live" / "posts").symlink_to(Path("..") / "versions" / "a")
    config = blog.root / "crosspost.toml"
    config.write_text(
        config.read_text("utf-8").replace('content = "posts"', 'content = "live/posts"'), "utf-8"
    )
    moved = blog.run()
    assert moved.code == 0, moved
    blog.git("add", "-A")
    blog.git("commit", "-qm", "versions")
    shutil.copytree(versions / "a", versions / "b")
    other = versions / "b" / "post-001.md"
    other.write_text(other.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    blog.stamp()
    (blog.root / "live" / "posts").unlink()
    (blog.root / "live" / "posts").symlink_to(Path("..") / "versions" / "b")
    after = blog.run()
    reference = blog.full_run()
    assert reference.out != "6 unchanged\n", reference
    assert after.printed == reference.printed


# --------------------------------------------------------------------------- git's answers


def test_an_edit_git_would_miss_with_trustctime_off_is_sent_by_the_next_run(blog: Blog) -> None:
    """With core.trustctime off, git's own check misses an edit that keeps the size, the inode
    and (set back) the mtime. crosspost asks git with its full stat check
    (`crosspost.gitindex`), so the next run, stamped before the edit, sends it."""
    blog.git("config", "core.trustctime", "false")
    path = blog.root / "posts" / "post-001.md"
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))  # older than the index by far: never racily clean
    blog.git("update-index", "--refresh")
    blog.stamp()
    assert blog.run().way == "quiet"
    time.sleep(1.1)  # git compares ctimes by the second: the edit's is a later one
    before = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as handle:  # in place: the same inode, the same size
        handle.write(data.replace(b"Post", b"Tops", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert blog.git("status", "--porcelain") == ""  # git's own answer: fooled
    after = blog.run()
    assert after.way == "full" and "2 updated" in after.out, after


def test_a_post_smudged_under_attributes_since_removed_is_never_stamped(blog: Blog) -> None:
    """git checks a file's attributes when it converts it, never again while its stat data
    holds: a post checked out through a smudge filter whose attributes line was removed since
    is one git still calls clean, its index blob the recorded one, its bytes the smudged
    ones. With the line back, git no longer vouches for it and the full run sends it: a stamp
    must not hide that (nothing the stamp identifies moved)."""
    blog.git("config", "filter.demo.smudge", "sed s/Post/Tops/")
    blog.git("config", "filter.demo.clean", "sed s/Tops/Post/")
    attributes = blog.root / ".git" / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)
    attributes.write_text("*.md filter=demo\n", "utf-8")
    path = blog.root / "posts" / "post-001.md"
    path.unlink()
    blog.git("checkout", "--", "posts/post-001.md")
    assert b"Tops" in path.read_bytes()
    time.sleep(1.1)  # git's stat data of the file no longer racily clean once it looks again
    blog.git("status", "--porcelain")
    attributes.unlink()
    assert blog.git("status", "--porcelain", "posts") == ""
    old_enough()
    fooled = blog.run()
    assert fooled.out == "6 unchanged\n", fooled  # git vouched for the recorded bytes
    assert not blog.stamps
    attributes.write_text("*.md filter=demo\n", "utf-8")
    after = blog.run()
    assert after.way == "full" and "updated" in after.out, after


READS_WRAPPER = """\
import os, sys
import uptodate_probe
import crosspost.uptodate as uptodate

posts, stamping = os.environ["UPTODATE_POSTS"], []
with open(os.environ["UPTODATE_READS"], "w"):
    pass  # there, and empty: the run got as far as this


def opened(event, args):
    if stamping and event == "open" and isinstance(args[0], (str, bytes)):
        name = os.path.abspath(os.fsdecode(args[0]))
        if name.startswith(posts):
            with open(os.environ["UPTODATE_READS"], "a") as reads:
                reads.write(name + "\\n")


def record(*args, **kwargs):  # the stamping half, after the plan
    stamping.append(True)
    try:
        return stamp(*args, **kwargs)
    finally:
        stamping.clear()


sys.addaudithook(opened)
stamp, uptodate.record = uptodate.record, record
from crosspost.cli import main
main()
"""


def stamping_reads(blog: Blog) -> list[str]:
    """The post files the stamping half of a full no-op run opens (an audit hook sees every
    open)."""
    (blog.tools / "run.py").write_text(READS_WRAPPER, "utf-8")
    reads = blog.tools.parent / "reads"
    env = {
        **blog.env,
        "UPTODATE_POSTS": str(blog.root / "posts") + os.sep,
        "UPTODATE_READS": str(reads),
    }
    old_enough()
    try:
        done = subprocess.run(
            [sys.executable, str(blog.tools / "run.py"), "publish", str(blog.root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        (blog.tools / "run.py").write_text(WRAPPER, "utf-8")
    assert done.returncode == 0 and done.stdout == "6 unchanged\n", done
    return reads.read_text("utf-8").split()


@pytest.mark.parametrize(
    "setting",
    [
        ("core.trustctime", "true"),
        ("core.trustctime", "false"),
        ("core.checkStat", "minimal"),
        ("core.ignoreStat", "true"),
    ],
    ids=lambda setting: f"{setting[0]}={setting[1]}",
)
def test_whatever_gits_stat_check_the_stamping_run_reads_every_post(
    blog: Blog, setting: tuple[str, str]
) -> None:
    """git's answer can be wrong with its default stat check too (attributes removed since a
    checkout converted a file): the stamp is made from the files' own bytes."""
    blog.git("config", *setting)
    assert sorted(stamping_reads(blog)) == [
        str(path) for path in sorted((blog.root / "posts").iterdir())
    ]
    assert blog.stamps


def test_a_post_whose_mtime_was_set_back_is_read_when_stamping(blog: Blog) -> None:
    """git compares ctimes by the second (unless built with USE_NSEC): an edit in the second
    git took the file's stat data, with its mtime set back, is unseen by git even with the
    ctime in its check, and would be stamped as git's wrong answer. A file whose mtime is not
    of its ctime's second had it set back: the stamping run reads it."""
    path = blog.root / "posts" / "post-001.md"
    hour_ago = time.time_ns() - 3600 * 10**9
    data = path.read_bytes()
    for _ in range(20):  # until the refresh and the edit fall in one second
        os.utime(path, ns=(hour_ago, hour_ago))
        blog.git("update-index", "--refresh")
        before = path.stat()
        with open(path, "r+b") as handle:  # in place: the same inode, the same size
            handle.write(data.replace(b"Post", b"Tops", 1))
        os.utime(path, ns=(hour_ago, hour_ago))
        if path.stat().st_ctime_ns // 10**9 == before.st_ctime_ns // 10**9:
            break
        path.write_bytes(data)
    else:
        pytest.fail("no edit fell in the second of git's stat")
    assert path.read_bytes() != data and str(path) in stamping_reads(blog)
    assert not blog.stamps
    fooled = blog.run()
    assert fooled.out == "6 unchanged\n", fooled
    blog.git("rm", "-q", "--cached", "posts/post-001.md")
    blog.git("add", "posts/post-001.md")  # git reads the bytes: its answer changes
    after = blog.run()
    assert after.way == "full" and "2 updated" in after.out, after


# --------------------------------------------------------------------------- the output


def test_stdout_on_a_full_disk_is_said_as_the_full_run_says_it(stamped: Blog) -> None:
    """The stamped output cannot be written (/dev/full): one line on stderr and exit 1, as the
    full run says it, never a traceback."""

    def run() -> tuple[str, int]:
        way = stamped.tools.parent / "way"
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, str(stamped.tools / "run.py"), "publish", str(stamped.root)],
                env={**stamped.env, "UPTODATE_WAY": str(way)},
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
            )
        return done.stderr, done.returncode

    after = run()  # the stamp's inputs are all unchanged
    for stamp in stamped.stamps:
        stamp.unlink()
    assert after == run()
