"""The run-level up-to-date check of `crosspost publish`: nothing changed since the last run that
had nothing to do (docs/architecture.md §7, "Nothing changed since").

Like make deciding that a target is up to date. A publish run whose plan proved every post
unchanged without parsing one, and that printed nothing but its summary, leaves a stamp: a
digest of every input that decided that plan, and what the run printed. The next run computes
the digest again before importing click, the adapters or the plugin machinery; when it is the
stamp's, the run prints what the stamp holds and exits 0, having read no record and written
nothing. Anything else (a digest that differs, an option this check does not model, an input it
cannot vouch for, any error) is the full run, which may leave a new stamp.

What decides a no-op plan, and what the digest covers for it (the inventory):

- **The command**: the arguments (only `publish [PATH...]`, no option: every option is the full
  run), the current folder, whether stdout is a terminal (stderr must not be: rich's live
  display writes there); the interpreter (`sys.version`, `sys.executable`, `sys.flags`,
  `sys.warnoptions`, `sys.path`) and crosspost's version.
- **The environment**: the value of `GITHUB_ACTIONS` (when "true", the run is the Action's:
  never this check), of `CROSSPOST_DEBUG` and `CROSSPOST_ALLOW_PRIVATE_LINKS`, and the names of
  every other `CROSSPOST_*` variable, never a value: a token decides nothing in a run with no
  request (tokens are resolved only for platforms with work), and no secret is stored, even
  hashed. Any `_<PROG>_COMPLETE` is a shell's completion request, which click answers
  whatever the arguments: never this check. Nothing else in the environment reaches a plan
  that parses no post.
- **The config**: the file the full run would read, found by the same rule
  (`crosspost.configfile`, which also sees a crosspost.toml or pyproject.toml added in a folder
  between), its bytes (SHA-256) and file identity; what the run derived from it (the blog root,
  the content folder, the records file) is a function of those bytes and that path, but for
  the content folder's symbolic links, resolved again by each check (a link on its way pointed
  at another folder). The config has no include.
- **The post files**: the set the full run's folder walk finds (`crosspost.postwalk`, the same
  rule: hidden folders and node_modules skipped, symbolic links followed as the walk does) and
  each file's identity: device, inode, mode, size, mtime and ctime in nanoseconds (`os.stat`,
  through a symbolic link). Any write, rename over, checkout or `touch` changes the ctime, which
  no program can set back (on Windows `st_ctime` is the creation time: no stamp there). This
  stands for the content: a file whose identity is the one it had while the stamped run
  planned it has the bytes that run saw. git's answers are not in the digest: they only let
  the full run skip reading a file whose bytes git vouches for (`.gitattributes` filters, LFS
  pointers, a dirty index decide only whether it reads the file), and git can vouch wrongly
  (attributes or an autocrlf that converted a file at checkout, removed since: git keeps its
  clean bill; a weakened stat check or a file system monitor cannot, as git is asked with its
  full check, `crosspost.gitindex`), so the
  stamping run reads every post once and stamps only when each file's own bytes are the
  recorded ones: the plan is then a function of those bytes, whatever git answers
  (`_as_recorded`). A file written in the same clock tick as it was checked could keep its
  identity (git's "racily clean" entries): a run stamps only when every file and folder it
  identifies is older than the run's start by `MARGIN_NS`, by the file system's own clock, so
  any later write moves a ctime past that. The digest is computed once, after the run; the
  same rule proves that nothing it identifies changed while the run read it.
- **The blog's root, without site.profile**: a run then warns when the files at the root point
  at two generators, so the stamp names every path that detection looks at
  (`profiles.generator_inputs`: the root folder, whose ctime moves with any entry, `config.toml`,
  `src/content`, Hugo's settings files and folders), each identified, or noted as absent.
- **The records**: the file's bytes (SHA-256, no parse) and identity (its mode: a
  world-writable file stops the run), the names in its folder and the folder's identity and
  owner (a leftover temporary file the full run would delete, a missing `.gitignore` it would
  write: any name added or removed moves the folder's ctime). While another run holds the
  records' lock (nothing on disk says so), the full run waits for that one, so the check
  leaves it the full run. Every post the records name must be one of the walked files, or no
  stamp: a post gone from its file would have the full run ask git whether it moved, and git's
  history is not in the digest.
- **The code**: the file identity of every module the stamped run had imported (crosspost, its
  adapters, click, the standard library), each folder of `sys.path` (whose
  identity moves with a name added, as a module that would shadow an imported one), and on it the
  names and identities of its `.dist-info`, `.egg-info`, `.egg-link` and `.pth` entries (a
  plugin installed, upgraded or removed; an editable one edited). A run that loaded a
  third-party adapter plugin leaves no stamp: the plugin's code runs in every full run and may
  read what no digest holds (a setting of its own in the environment, the date).
- **Time**: not an input, because of what is stamped. A post is held for a time reason (a
  future date, an expiry, a pending create waiting to settle, a daily limit) only once parsed,
  and a stamped plan parsed none: every post was proved unchanged from its records, whose
  states are all `published` for that. A run with any other result, a warning, an error or an
  exit code other than 0 leaves no stamp.

What a stamp is not: a claim anyone else can make. It lives in the blog's git directory
(`.git/crosspost/`), never in a commit: a pull request cannot bring one, and a fresh clone
(the GitHub Action's) has none and runs in full. A committed stamp could not be trusted: its
author could compute the digest of a checkout whose posts changed, and a digest of file
identities would never match in another clone anyway. Outside git there is no stamp. A stamp
whose digest is not the inputs' (stale, damaged or forged) only sends the run the full way, and
so does one that another user could have written (its file or folder writable by others, or not
this user's): anyone who can read the blog can compute the digest.

This module imports nothing but `os`, `sys`, `time`, `hashlib`, `fcntl` and the three small
rule modules above until the full run is taken (`python -X importtime`: about 3.5 ms, 2.3 of them
OpenSSL's); the stamping half (`record`) runs after a full run, with everything loaded.
"""

import hashlib
import os
import stat
import sys
import time

from ._version import __version__
from .configfile import find_config_file
from .gitdir import git_dir
from .postwalk import post_files, stands_for_content

TYPE_CHECKING = False  # `typing` costs more than this whole check
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .config import Config
    from .publisher import Report

__all__ = ["MARGIN_NS", "record", "try_quiet_run"]

FORMAT = "crosspost-uptodate 1"
"""The stamp's first line; any other stamp is ignored."""

MARGIN_NS = 3_000_000_000
"""How much older than the run every identified file must be for the run to stamp: more than
any file system's timestamp granularity (2 s on FAT), so a write after the run's start always
shows in the file's ctime."""

_VALUED = ("GITHUB_ACTIONS", "CROSSPOST_DEBUG", "CROSSPOST_ALLOW_PRIVATE_LINKS")
"""The environment variables whose value a no-op run reads (none holds a secret)."""

_DISTRIBUTIONS = (".dist-info", ".egg-info", ".egg-link", ".pth")
"""What on a `sys.path` folder makes the installed distributions and their entry points."""


class _Unmodelled(Exception):
    """An input this check cannot vouch for: the full run."""


class _Layout:
    """Where a blog's files are, as its config says: derived from the config's path and bytes,
    but for `content`, the content folder resolved, which is where its unresolved path `named`
    (`Config.content_path`) leads while no link on the way is changed."""

    __slots__ = ("content", "named", "records", "root")

    def __init__(self, root: str, content: str, records: str, named: str) -> None:
        self.root, self.content, self.records, self.named = root, content, records, named

    def lines(self) -> list[str]:
        return [
            f"root {self.root}",
            f"content {self.content}",
            f"records {self.records}",
            f"named {self.named}",
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Layout) and self.lines() == other.lines()


class _Start:
    """What a full run started from, kept for `record`: its arguments, folder, config file and
    start time (this process's clock)."""

    __slots__ = ("argv", "config", "cwd", "started")

    def __init__(self, argv: "Sequence[str]", config: str, cwd: str) -> None:
        self.started = _clock()
        self.argv, self.config, self.cwd = list(argv), config, cwd


_pending: "_Start | None" = None
"""The inputs of this process's full run, for `record` to stamp."""


# --------------------------------------------------------------------------- the quiet run


def try_quiet_run(argv: "Sequence[str]") -> int | None:
    """Print what the last no-op run printed and give its exit code when nothing changed since
    (no click, adapter or plugin imported, no record parsed, nothing written); None: run in
    full (`argv`'s inputs are then kept for `record`)."""
    global _pending
    _pending = None
    try:
        text, code = _verdict(argv)
    except Exception:  # whatever it is (a bad config…), the full run says it properly
        return None
    if text is None:
        return None
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left: said as every command says it (`crosspost.cli.pipe`)
    except OSError:  # a full disk: the full run, which fails to write the same way, says so
        return None
    return code


def _verdict(argv: "Sequence[str]") -> "tuple[str | None, int]":
    """The stamped output and exit code when the stamp holds for these inputs, else (None, 0)
    with the run's start kept in `_pending`."""
    global _pending
    paths = _modelled(argv)
    cwd = os.getcwd()
    config = find_config_file(paths[0] if paths else cwd)
    if config is None:
        raise _Unmodelled("no config: the defaults depend on the blog's files")
    start = _Start(argv, config, cwd)
    stamp = _read_stamp(_stamp_file(config))
    if stamp is not None:
        _no_other_run(stamp.layout.records)
        digest, _, _ = _digest(start, stamp.layout, stamp.watch)
        if digest == stamp.inputs and _code(stamp.modules)[0] == stamp.code:
            return stamp.out, stamp.exit
    _pending = start
    return None, 0


def _no_other_run(records: str) -> None:
    """Raises `_Unmodelled` when another run holds the records' lock (`Records.open`: an flock
    of the lock file beside them): the full run waits for that one, saying so, then reads what
    it wrote, and nothing on disk says a run is under way (the lock file stays). The lock is
    taken and let go at once, so that a run starting meanwhile hardly ever finds it held; one
    taking it after is as if it had started after this run. No lock file raises too: a
    stamped run left one, and this check makes none."""
    import fcntl  # here: Windows has none, and never comes this far (`_modelled`)

    # Never through a link (the full run refuses one) and never blocking in open(): a FIFO
    # planted as the lock file would hold this check, which runs before the digest, forever.
    fd = os.open(f"{records}.lock", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Unmodelled("the records' lock file is not a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise _Unmodelled("another run holds the records") from None
    finally:
        os.close(fd)  # which lets the lock go


def _modelled(argv: "Sequence[str]") -> list[str]:
    """The PATH arguments of `publish [PATH...]`; raises `_Unmodelled` for anything else (an
    option, the Action, a terminal's live display)."""
    if not argv or argv[0] != "publish" or any(a.startswith("-") for a in argv[1:]):
        raise _Unmodelled("not a bare `publish [PATH...]`")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        raise _Unmodelled("the GitHub Action's run")
    if any(name[:1] == "_" and name.endswith("_COMPLETE") for name in os.environ):
        raise _Unmodelled("a shell's completion request: click answers it, whatever argv says")
    if os.name == "nt":
        raise _Unmodelled("Windows: st_ctime is when a file was made, not when it last changed")
    if sys.stderr is None or sys.stdout is None or sys.stderr.isatty():
        raise _Unmodelled("a live display on the terminal")
    return list(argv[1:])


# --------------------------------------------------------------------------- the digest


def _digest(start: _Start, layout: _Layout, watch: "Sequence[str]") -> "tuple[str, list[str], int]":
    """The inputs' digest, the post files walked (as the walk names them) and the newest time
    (mtime or ctime, ns) of any file or folder identified; `watch`: more paths to identify,
    there or not (what generator detection looks at)."""
    h = hashlib.sha256()
    newest = 0

    def add(*parts: object) -> None:
        h.update(repr(parts).encode("utf-8", "surrogateescape"))
        h.update(b"\n")

    def identify(path: str) -> "tuple[int, int, int, int, int, int]":  # through a link
        nonlocal newest
        st = os.stat(path)
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        return (st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    add(FORMAT, __version__, sys.version, sys.executable, tuple(sys.flags), sys.warnoptions)
    add(sys.path, start.argv, start.cwd, sys.stdout.isatty())
    add(_environment())
    with open(start.config, "rb") as handle:
        data = handle.read()
    add("config", start.config, identify(start.config), hashlib.sha256(data).hexdigest())
    add(*layout.lines())
    if os.path.realpath(layout.named) != layout.content:
        raise _Unmodelled("a link on the way to the content folder points elsewhere now")
    folder = os.path.dirname(layout.records)  # no records folder: no records, no stamp
    add("records folder", sorted(os.listdir(folder)), identify(folder), os.stat(folder).st_uid)
    with open(layout.records, "rb") as handle:  # no records: nothing was published yet
        data = handle.read()
    add("records", identify(layout.records), hashlib.sha256(data).hexdigest())
    for path in watch:
        try:
            add("watch", path, identify(path))
        except (FileNotFoundError, NotADirectoryError):
            add("watch", path, None)
    posts = _posts(start.argv[1:], layout)
    for path in posts:
        h.update(b"%s\0%d %d %d %d %d %d\n" % (os.fsencode(path), *identify(path)))
    return h.hexdigest(), posts, newest


def _environment() -> "list[tuple[str, str | None]]":
    """The variables a no-op run reads: `_VALUED` by value, every other CROSSPOST_* by name."""
    return sorted(
        (name, value if name in _VALUED else None)
        for name, value in os.environ.items()
        if name in _VALUED or name.startswith("CROSSPOST_")
    )


def _posts(paths: "Sequence[str]", layout: _Layout) -> list[str]:
    """The post files the full run's walk finds (`discover.find_posts`'s rule), sorted."""
    found: set[str] = set()
    for target in paths or [layout.content]:
        if os.path.isfile(target):
            found.add(target)
            continue
        if not os.path.isdir(target):
            raise _Unmodelled(f"not a file or folder: {target}")
        if stands_for_content(target, layout.root, layout.content):
            target = layout.content
        found.update(post_files(target))
    return sorted(found)


def _code(modules: "Iterable[str]") -> "tuple[str, int]":
    """The digest of the code a run runs: the identity of each module file in `modules`, of
    each `sys.path` entry and of the installed distributions on it; and the newest time among
    them (ns). A folder's identity moves with any name added to it or taken away: a module
    that would shadow an imported one (a `tomllib.py` on PYTHONPATH), a package removed."""
    h = hashlib.sha256()
    newest = 0
    for path in modules:
        st = os.stat(path)
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        h.update(b"%s\0%d %d %d %d\n" % (os.fsencode(path), st.st_ino, st.st_size, *_times(st)))
    for folder in sys.path:
        try:
            st = os.stat(folder or ".")
        except OSError:  # not there (yet): noted as absent
            h.update(b"%s\0absent\n" % os.fsencode(folder))
        else:
            newest = max(newest, *_times(st))
            h.update(b"%s\0%d %d %d\n" % (os.fsencode(folder), st.st_ino, *_times(st)))
        try:
            names = sorted(n for n in os.listdir(folder or ".") if n.endswith(_DISTRIBUTIONS))
        except OSError:  # not a folder (a zip file's identity is a module's) or not there
            names = []
        for name in names:
            st = os.stat(os.path.join(folder or ".", name))
            newest = max(newest, *_times(st))
            h.update(
                b"%s\0%s\0%d %d %d\n"
                % (os.fsencode(folder), os.fsencode(name), st.st_ino, *_times(st))
            )
    return h.hexdigest(), newest


def _times(st: os.stat_result) -> "tuple[int, int]":
    return st.st_mtime_ns, st.st_ctime_ns


# --------------------------------------------------------------------------- the stamp


class _Stamp:
    """A stamp as read: the digests, the layout they were computed with, what to print."""

    __slots__ = ("code", "exit", "inputs", "layout", "modules", "out", "watch")

    def __init__(self, fields: "dict[str, str]", lists: "dict[str, list[str]]") -> None:
        self.inputs, self.code = fields["inputs"], fields["code"]
        self.exit = int(fields["exit"])
        self.layout = _Layout(fields["root"], fields["content"], fields["records"], fields["named"])
        self.out = fields["out"] + "\n"
        self.modules, self.watch = lists["module"], lists["watch"]


def _stamp_file(config: str) -> str:
    """Where the stamp of the blog whose config is `config` lives: its git directory."""
    found = git_dir(os.path.dirname(config))
    if found is None:
        raise _Unmodelled("outside git: no stamp")
    name = hashlib.sha256(os.fsencode(config)).hexdigest()[:24]
    return os.path.join(found, "crosspost", f"uptodate-{name}")


def _read_stamp(path: str) -> "_Stamp | None":
    """The stamp at `path`; None when there is none, it is not one this version wrote, or
    someone else could have written it: anyone who can read the blog can compute the digest of
    its inputs, and a stamp says what the run prints (the records' rule: a world-writable file
    stops the run)."""
    try:
        with open(path, encoding="utf-8") as handle:
            if not _own(os.fstat(handle.fileno())) or not _own(os.stat(os.path.dirname(path))):
                return None
            lines = handle.read().split("\n")
    except FileNotFoundError:
        return None
    if lines[0] != FORMAT or lines[-1] != "":
        return None
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {"module": [], "watch": []}
    for line in lines[1:-1]:
        key, _, value = line.partition(" ")
        if key in lists:
            lists[key].append(value)
        else:
            fields[key] = value
    try:
        return _Stamp(fields, lists)
    except (KeyError, ValueError):
        return None


def _own(st: os.stat_result) -> bool:
    """Whether only this user (or root) can write the file or folder `st` is of."""
    return st.st_uid in (0, os.geteuid()) and not st.st_mode & 0o002


# --------------------------------------------------------------------------- stamping


def record(report: "Report", config: "Config", summary: str) -> None:
    """After a full run that printed `summary` alone for `report`: stamp it when it had nothing
    to do and none of its inputs changed while it ran (quietly nothing otherwise)."""
    global _pending
    start, _pending = _pending, None
    if start is None or not _nothing_to_do(report):
        return
    try:
        _stamp(start, report, config, summary)
    except Exception:  # a run that did its job never fails for want of a stamp
        return


def _nothing_to_do(report: "Report") -> bool:
    """Every post proved unchanged from its records, unparsed, and nothing else said."""
    return (
        not report.listed
        and not report.errors
        and not report.notices
        and not report.dry_run
        and report.exit_code == 0
        and len(report.unread) > 0
        and report.unread.records is not None
    )


def _stamp(start: _Start, report: "Report", config: "Config", summary: str) -> None:
    from .terminal import printed  # loaded by the run already

    out = summary + "\n"
    if "\n" in summary or printed() != (len(out), 0):
        return  # it printed more than its summary (a warning): the next run prints it again
    if config.path is None or os.path.realpath(config.path) != os.path.realpath(start.config):
        return
    from .adapter import third_party_plugins  # loaded by the run already

    if third_party_plugins():
        return  # a plugin's code ran, and what it reads (its own settings, the date) is unknown
    from .profiles import generator_inputs  # loaded by the run already

    layout = _Layout(
        str(config.root), str(config.content_dir), str(config.records), str(config.content_path)
    )
    # Without site.profile, the run warns when the blog's files point at two generators.
    watch = [] if config.site.profile else [str(p) for p in generator_inputs(config.root)]
    digest, walked, newest = _digest(start, layout, watch)
    posts = {os.path.abspath(p) for p in walked}
    records = report.unread.records
    assert records is not None  # `_nothing_to_do`
    named = {os.path.normpath(os.path.join(layout.root, s)) for s in records.sources()}
    if not named <= posts:
        return  # a recorded post is not where the walk looks: git would be asked about it
    if not _as_recorded(posts, config, report):
        return  # git vouched for bytes the file does not hold: its next answer may differ
    modules = sorted({f for m in list(sys.modules.values()) if (f := getattr(m, "__file__", None))})
    code, newest_code = _code(modules)
    lines = [FORMAT, f"inputs {digest}", f"code {code}", "exit 0", *layout.lines()]
    lines += [f"out {summary}", *(f"module {m}" for m in modules), *(f"watch {w}" for w in watch)]
    if any("\n" in line or "\r" in line for line in lines):
        return
    text = "".join(f"{line}\n" for line in lines)
    _write(_stamp_file(start.config), text, start, max(newest, newest_code))


def _as_recorded(posts: "Iterable[str]", config: "Config", report: "Report") -> bool:
    """Whether every post file holds the bytes its records were published from.

    The full run skips reading a file whose index blob git vouches for, and git's answers,
    which the digest does not cover, decided that plan: a plan every file's own bytes prove
    unchanged is the plan of any later full run while those bytes stay (their identities say
    so), whatever git then answers. git can vouch wrongly even with its full stat check, which
    `crosspost.gitindex` asks for: a file converted at checkout (a smudge filter, eol,
    autocrlf) whose attributes or setting were removed since keeps git's clean bill and its
    index blob while its bytes are the converted ones (git looks at attributes again only when
    the file's stat data changes). Nothing cheaper than the bytes tells those apart: every post
    is read, once, when stamping.
    """
    from .gitindex import blob_id
    from .plan import RelativeNames

    records = report.unread.records
    assert records is not None  # `_nothing_to_do`
    fingerprints = {name: config.fingerprint(name) for name in report.unread.platforms}
    unchanged = records.unchanged_test(fingerprints)  # as the planner asks, once per run
    relative = RelativeNames(config.root)  # as the planner names the posts
    for path in posts:
        with open(path, "rb") as handle:
            blob = blob_id(handle.read())
        if unchanged(relative(path) or "", blob, None) is None:
            return False
    return True


def _write(path: str, text: str, start: _Start, newest: int) -> None:
    """Write the stamp at `path` (a temporary file renamed over it), unless a file it vouches
    for (its `newest` time) is not older than the run's start by `MARGIN_NS` on the file
    system's own clock: then a write since the start could have kept a file's identity, or
    changed one after the run had read it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        now = os.stat(temporary).st_mtime_ns  # the file system's clock, not this process's
        started = now - (_clock() - start.started)
        if newest < started - MARGIN_NS:
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _clock() -> int:
    return time.monotonic_ns()
