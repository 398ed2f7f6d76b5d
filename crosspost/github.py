"""GitHub Action glue for `crosspost publish --github` (DESIGN §10).

What a run publishes never depends on the push that triggered it: every post at HEAD is planned
and the records decide (missing or stale → publish, unchanged → skip). Actions' `concurrency`
replaces queued runs and a run can fail or be cancelled, so the next run must catch up on
everything, and the no-op fast path keeps that full scan cheap. The push's `before`..`after` is
only *reported* (which posts it added, changed, renamed or deleted).

The records are the only memory of what was published, so they are committed back after the run
(`git pull --rebase` and retry on a race, merging the JSON when both sides changed it), or to a
dedicated branch for protected default branches. Before every push they are copied aside for an
artifact, and the copy is deleted once the push succeeded (a cancelled job is killed a few seconds
after the cancel, maybe mid-push); the copy stays, and the job fails, when every push fails.

When the runner cancels the job it sends SIGINT, then SIGTERM 7.5 s later, to the step's process
(action.yml `exec`s crosspost so that is us): `interrupted` saves the records in that window, so
the next run reconciles instead of posting twice; once the posts are published, `shield` ignores
those signals so that the report and the records push always finish.

Workflow commands (`::add-mask::`, `::error::`, …) are written to stdout, where the runner reads
them; every text that leaves this module goes through `crosspost.redact.scrub` first.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from . import redact
from .config import Config
from .credentials import is_token_variable
from .discover import is_post_name
from .document import Notice
from .errors import ConfigError, CrosspostError, RecordsError, SourceError
from .plan import Kind, relative_source
from .publisher import Report, Result, Status
from .records import FORMAT_VERSION, Records
from .sources import load_post, parse_text

__all__ = [
    "BOT_EMAIL",
    "BOT_NAME",
    "DEFAULT_RECORDS_MESSAGE",
    "ActionError",
    "ActionRun",
    "Change",
    "ChangeKind",
    "PushEvent",
    "mask_tokens",
    "merge_records",
    "report_stop",
]

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DEFAULT_RECORDS_MESSAGE = "chore(crosspost): update records [skip ci]"
ZERO_SHA = "0" * 40
PUSH_ATTEMPTS = 5
ARTIFACT_FOLDER = "crosspost-records"
RENAME_SIMILARITY = 90  # percent of a renamed file git must find unchanged to trust the rename
SUMMARY_ROWS = 300  # the step summary is capped at 1 MiB; a backfill can have thousands of rows

_BOT = ("-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}")
# GIT_AUTHOR_*/GIT_COMMITTER_* beat `-c user.*`: a job that exports them must not sign our commits.
_BOT_ENV = {
    f"GIT_{role}_{part}": value
    for role in ("AUTHOR", "COMMITTER")
    for part, value in (("NAME", BOT_NAME), ("EMAIL", BOT_EMAIL))
}
# Rejections a fetch and rebase can cure; anything else (protected branch, no permission) cannot.
_RACE = ("non-fast-forward", "fetch first", "[rejected]", "stale info", "cannot lock ref")
_STATE_RANK = {"published": 1}


class ActionError(CrosspostError):
    """The Action cannot run safely: bad event data, unreadable records branch, git failure."""

    exit_code = 2


# --------------------------------------------------------------------------- workflow commands


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line, escaped so no text can end it early or start another."""
    props = ",".join(
        f"{key}={_escape_property(redact.scrub(str(value)))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{_escape_data(redact.scrub(message))}\n"


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
                stream.write(f"::add-mask::{_escape_data(value)}\n")
                redact.register(value)
    stream.flush()


# --------------------------------------------------------------------------- the push


class ChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    RENAMED = "renamed"
    DELETED = "deleted"


@dataclass(frozen=True)
class Change:
    """One file the push changed; paths are relative to the repository root, with `/`."""

    kind: ChangeKind
    path: str
    old_path: str | None = None
    similarity: int | None = None  # a rename's: how much of the old file git found (percent)


@dataclass(frozen=True)
class PushEvent:
    """What `$GITHUB_EVENT_PATH` says about the run's trigger."""

    name: str
    before: str | None = None
    after: str | None = None
    forced: bool = False
    commits: int = 0
    dispatch_path: str | None = None

    @classmethod
    def read(cls, env: Mapping[str, str]) -> PushEvent:
        """Parse the event file; a run without one (a local `--github` try) has no push."""
        name = env.get("GITHUB_EVENT_NAME", "")
        path = env.get("GITHUB_EVENT_PATH")
        if not path:
            return cls(name)
        try:
            payload = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ActionError(
                f"cannot read the event file {path}: {exc}",
                hint="GITHUB_EVENT_PATH must name the runner's event JSON",
            ) from None
        if not isinstance(payload, dict):
            raise ActionError(f"the event file {path} is not a JSON object")
        if name == "workflow_dispatch":
            inputs = payload.get("inputs")
            wanted = inputs.get("path") if isinstance(inputs, dict) else None
            chosen = wanted.strip() if isinstance(wanted, str) else ""
            return cls(name, dispatch_path=chosen or None)
        if name != "push":
            return cls(name)
        commits = payload.get("commits")
        return cls(
            name,
            before=_sha(payload.get("before")),
            after=_sha(payload.get("after")),
            forced=payload.get("forced") is True,
            commits=len(commits) if isinstance(commits, list) else 0,
        )


def _sha(value: Any) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value) else None


# --------------------------------------------------------------------------- git


class _Git:
    """`git` in the repository: never prompting, messages in English for parsing, any commit it
    makes signed by the github-actions bot, and without the platform tokens in its environment
    (git, its hooks and credential helpers never need them, and a hook could leak them)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {
            **{name: value for name, value in os.environ.items() if not is_token_variable(name)},
            **_BOT_ENV,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "GIT_EDITOR": "true",
        }

    def __call__(
        self,
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - fixed executable, arguments never go to a shell
            ["git", *args],  # noqa: S607 - the runner's git, found on PATH like actions/checkout's
            cwd=self.cwd,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**self.env, **(env or {})},
            check=False,
        )
        if check and result.returncode != 0:
            command = next((a for a in args if not a.startswith("-") and "=" not in a), "")
            detail = redact.scrub(result.stderr.strip()) or f"exit {result.returncode}"
            raise ActionError(f"git {command} failed: {detail}")
        return result

    def ok(self, *args: str) -> bool:
        return self(*args, check=False).returncode == 0

    def has_commit(self, sha: str) -> bool:
        return self.ok("cat-file", "-e", f"{sha}^{{commit}}")


def _repo_root(start: Path) -> Path:
    try:
        top = _Git(start)("rev-parse", "--show-toplevel").stdout.strip()
    except ActionError as exc:
        raise ActionError(
            f"{start} is not in a git checkout ({exc.message})",
            hint="run actions/checkout before crosspost",
        ) from None
    return Path(top).resolve()


# --------------------------------------------------------------------------- records JSON


def merge_records(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, Any]:
    """Both records documents in one, losing no entry.

    Posts and platforms from both sides are kept; for the same (post, platform) a `published`
    entry beats any other state, then the newer `at` wins, and on a tie `ours` (this run's).
    Account caches are merged key by key, `ours` winning.
    """
    merged_posts: dict[str, Any] = {}
    their_posts = _posts(theirs)
    our_posts = _posts(ours)
    for url in sorted(set(their_posts) | set(our_posts)):
        mine, other = our_posts.get(url, {}), their_posts.get(url, {})
        platforms: dict[str, Any] = dict(_platforms(other))
        for name, entry in _platforms(mine).items():
            if name not in platforms or _better(entry, platforms[name]):
                platforms[name] = entry
        post: dict[str, Any] = {"platforms": platforms}
        source = mine.get("source") or other.get("source")
        if isinstance(source, str) and source:
            post["source"] = source
        merged_posts[url] = post
    accounts: dict[str, Any] = {}
    for side in (theirs, ours):
        for name, values in _mapping(side.get("accounts")).items():
            if isinstance(values, Mapping):
                accounts[name] = {**accounts.get(name, {}), **values}
    version = max(_version(ours), _version(theirs))
    return {"version": version, "accounts": accounts, "posts": merged_posts}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _posts(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        url: post
        for url, post in _mapping(document.get("posts")).items()
        if isinstance(post, Mapping)
    }


def _platforms(post: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        name: entry
        for name, entry in _mapping(post.get("platforms")).items()
        if isinstance(entry, Mapping)
    }


def _version(document: Mapping[str, Any]) -> int:
    value = document.get("version")
    return value if isinstance(value, int) else FORMAT_VERSION


def _better(mine: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """True when `mine` should replace `other` for the same (post, platform)."""
    rank_mine, rank_other = (
        _STATE_RANK.get(mine.get("state", ""), 0),
        _STATE_RANK.get(other.get("state", ""), 0),
    )
    if rank_mine != rank_other:
        return rank_mine > rank_other
    return _when(mine) >= _when(other)


def _when(entry: Mapping[str, Any]) -> float:
    at = entry.get("at")
    try:
        return datetime.fromisoformat(str(at).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("-inf")


def _parse_records(text: str, where: str) -> dict[str, Any]:
    """A records document from git; refuses what this crosspost must not rewrite."""
    if not text.strip():
        return {"version": FORMAT_VERSION, "posts": {}}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ActionError(f"{where}: the records are not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise ActionError(f"{where}: not a crosspost records file (no version)")
    if data["version"] > FORMAT_VERSION:
        raise ActionError(
            f"{where}: written by a newer crosspost (format {data['version']})",
            hint="upgrade the crosspost action",
        )
    return data


def _dump_records(data: Mapping[str, Any]) -> str:
    """The same layout `crosspost.records` writes: sorted, indented, diff-friendly."""
    cleaned = {
        "version": data.get("version", FORMAT_VERSION),
        "accounts": {k: v for k, v in _mapping(data.get("accounts")).items() if v},
        "posts": {url: post for url, post in _posts(data).items() if _platforms(post)},
    }
    return json.dumps(cleaned, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- the run


@dataclass
class _Saved:
    """How the records were kept: what the summary and the log say about them."""

    ok: bool
    text: str
    artifact: Path | None = None


@dataclass
class ActionRun:
    """One `crosspost publish --github` run: `start`, publish `sources()`, then `finish`.

    Build it with `ActionRun.start`; the fields are the state that start computed.
    """

    config: Config
    repo: Path
    env: Mapping[str, str]
    event: PushEvent
    commit_records: bool = True
    records_branch: str | None = None
    records_message: str = DEFAULT_RECORDS_MESSAGE
    paths: list[Path] = field(default_factory=list)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    changes: tuple[Change, ...] | None = None
    first_push: bool = False
    notes: list[str] = field(default_factory=list)
    superseded: str | None = None
    push_backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    reported: bool = False  # the outputs are written (finish, skip or interrupted ran)
    _rescued: _Saved | None = None  # the records pushed by `save_after_error`
    renamed_from: dict[str, str] = field(default_factory=dict)  # new path → its old post's URL
    _branch_records: str | None = None

    # ----------------------------------------------------------------- start

    @classmethod
    def start(
        cls,
        env: Mapping[str, str],
        config: Config,
        *,
        commit_records: bool = True,
        records_branch: str | None = None,
        records_message: str = DEFAULT_RECORDS_MESSAGE,
        paths: Sequence[Path] = (),
        out: TextIO | None = None,
        dry_run: bool = False,
        mask: bool = True,
    ) -> ActionRun:
        """Mask the tokens (first of all; `mask=False` when the caller did), read the push,
        compute what it changed, and bring the newest records into the working tree (from the
        records branch, or from the branch's tip when this job re-runs an older commit).
        Raises `ActionError` when publishing would not be safe (for instance, a records branch
        that cannot be read, or a first run that would cross-post the whole archive; a dry run
        only warns of that). When `superseded` is set, call `skip` instead of publishing."""
        stream = out or sys.stdout
        if mask:
            mask_tokens(env, stream)
        _interrupt_on_termination()
        repo = _repo_root(config.root)
        run = cls(
            config=config,
            repo=repo,
            env=env,
            event=PushEvent.read(env),
            commit_records=commit_records,
            records_branch=records_branch or None,
            records_message=records_message or DEFAULT_RECORDS_MESSAGE,
            paths=list(paths),
            out=stream,
        )
        run._detect_changes()
        if run.records_branch is not None:
            run._check_branch_name()
            run._read_records_branch()
        run._catch_up_with_branch()
        if run.superseded is None:
            run._guard_first_run(dry_run=dry_run)
            if not dry_run:
                run._follow_renames()
        return run

    def sources(self) -> list[Path]:
        """What to publish: every post at HEAD under the given paths, the dispatch input's
        path, or the content folder; never only the files this push touched."""
        if self.paths:
            return list(self.paths)
        if self.event.dispatch_path:
            return [self._inside_repo(self.event.dispatch_path)]
        return [self.config.content_dir]

    def _inside_repo(self, given: str) -> Path:
        target = (self.repo / given).resolve()
        if not target.is_relative_to(self.repo) or not target.exists():
            raise ActionError(
                f"the workflow_dispatch path {given!r} is not a file or folder in the repository",
                hint="give a post or folder relative to the repository root",
            )
        return target

    # ----------------------------------------------------------------- what the push changed

    def _detect_changes(self) -> None:
        event, git = self.event, _Git(self.repo)
        if event.name != "push":
            if event.name and event.name != "workflow_dispatch":
                self.notes.append(f"triggered by {event.name}: no push to report")
            return
        if event.before is None or event.after is None:
            self.notes.append("the push event has no before/after commits: changes not reported")
            return
        if event.before == ZERO_SHA:
            self.first_push = True
            self.notes.append("first push of this branch: every post at HEAD counts as added")
            return
        if event.forced:
            self.notes.append(
                "force-push: the changes are the difference between the old and the new tip"
            )
        after = event.after if git.has_commit(event.after) else "HEAD"
        if not git.has_commit(event.before) and not self._fetch_before(git, event):
            self.notes.append(
                f"could not tell what this push changed: {event.before[:12]} is not in the "
                "clone (shallow clone or force-push); publishing by the records as always. "
                "Use actions/checkout with fetch-depth: 0 to see the changes."
            )
            return
        listing = git(
            "-c",
            "core.quotepath=off",
            "diff",
            "--name-status",
            "-z",
            "-M",
            "--no-ext-diff",
            event.before,
            after,
        ).stdout
        self.changes = tuple(_parse_name_status(listing))

    def _fetch_before(self, git: _Git, event: PushEvent) -> bool:
        """Bring the push's `before` commit into a shallow clone (or after a force-push)."""
        assert event.before is not None
        shallow = git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        if shallow:
            git(
                "fetch",
                "--quiet",
                "--no-tags",
                f"--deepen={max(event.commits, 1)}",
                "origin",
                event.after or "HEAD",
                check=False,
            )
            if git.has_commit(event.before):
                return True
        depth = ("--depth=1",) if shallow else ()
        git("fetch", "--quiet", "--no-tags", *depth, "origin", event.before, check=False)
        return git.has_commit(event.before)

    # ----------------------------------------------------------------- records branch (read)

    def _check_branch_name(self) -> None:
        """A valid name, and never the branch being published: the records commit replaces the
        whole tree of its branch with the records file alone."""
        assert self.records_branch is not None
        git = _Git(self.repo)
        if not git.ok("check-ref-format", "--branch", self.records_branch):
            raise ActionError(f"records-branch {self.records_branch!r} is not a valid branch name")
        current = git("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
        published = self.env.get("GITHUB_REF", "").removeprefix("refs/heads/")
        if self.records_branch in (current, published):
            raise ActionError(
                f"records-branch {self.records_branch!r} is the branch being published",
                hint="leave records-branch empty to commit the records there, or name a branch "
                "of their own, such as crosspost-records",
            )

    def _records_rel(self) -> str | None:
        """The records file relative to the repository root, or None if it lies outside."""
        path = self.config.records.resolve()
        return path.relative_to(self.repo).as_posix() if path.is_relative_to(self.repo) else None

    def _fetch_records_branch(self, git: _Git) -> str | None:
        """The records branch's tip after a fresh fetch; None if the branch does not exist."""
        assert self.records_branch is not None
        branch = self.records_branch
        probe = git(
            "ls-remote", "--exit-code", "--heads", "origin", f"refs/heads/{branch}", check=False
        )
        if probe.returncode == 2:
            return None
        if probe.returncode != 0:
            raise ActionError(
                f"cannot reach origin to read the records branch {branch!r}: "
                f"{redact.scrub(probe.stderr.strip())}",
                hint="publishing without the records would post everything again",
            )
        git(
            "fetch",
            "--quiet",
            "--no-tags",
            "origin",
            f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        )
        tip = git("rev-parse", f"refs/remotes/origin/{branch}").stdout.strip()
        files = git("ls-tree", "-r", "-z", "--name-only", tip).stdout.split("\0")
        others = sorted(set(filter(None, files)) - {self._records_rel()})
        if others:
            raise ActionError(
                f"the branch {branch} holds other files than the records ({others[0]}, ...)",
                hint="records-branch must name a branch of its own, such as crosspost-records",
            )
        return tip

    def _branch_file(self, git: _Git, tip: str | None) -> str:
        rel = self._records_rel()
        if tip is None or rel is None:
            return ""
        shown = git("show", f"{tip}:{rel}", check=False)
        return shown.stdout if shown.returncode == 0 else ""

    def _read_records_branch(self) -> None:
        """Bring the branch's records into the working tree, merged with any already there."""
        git = _Git(self.repo)
        rel = self._records_rel()
        if rel is None:
            raise ActionError(
                "records-branch needs the records file inside the repository",
                hint=f"{self.config.records} is outside {self.repo}",
            )
        tip = self._fetch_records_branch(git)
        if tip is None:
            self.notes.append(
                f"the records branch {self.records_branch} does not exist yet; it will be created"
            )
            self._branch_records = ""
            return
        text = self._branch_file(git, tip)
        self._branch_records = text
        self._merge_into_working_tree(text, f"{self.records_branch}:{rel}")

    def _merge_into_working_tree(self, text: str, where: str) -> None:
        """Merge a records document from git into the working tree's records file."""
        local = self.config.records
        mine = _parse_records(local.read_text("utf-8"), str(local)) if local.exists() else None
        theirs = _parse_records(text, where)
        merged = merge_records(mine, theirs) if mine is not None else theirs
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(_dump_records(merged), "utf-8")

    def _catch_up_with_branch(self) -> None:
        """A re-run of an older job checks out that older commit. Bring in the records later
        runs committed since (so nothing is created twice), and if later commits changed posts,
        set `superseded`: publishing this older text would undo those edits, and the run of the
        newer commit publishes them anyway."""
        git = _Git(self.repo)
        branch = git("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
        if not branch or self.event.name not in ("push", "workflow_dispatch"):
            return
        remote = f"refs/remotes/origin/{branch}"
        fetched = git(
            "fetch", "--quiet", "--no-tags", "origin", f"+refs/heads/{branch}:{remote}", check=False
        )
        if fetched.returncode != 0:
            # A queued run behind one that already published would post its posts again.
            raise ActionError(
                f"cannot fetch origin/{branch} to look for newer records: "
                f"{redact.scrub(fetched.stderr.strip()) or f'exit {fetched.returncode}'}",
                hint="publishing with records older than the branch's could post twice; "
                "re-run the job once origin can be reached",
            )
        tip = git("rev-parse", remote).stdout.strip()
        if tip == git("rev-parse", "HEAD").stdout.strip() or not git.ok(
            "merge-base", "--is-ancestor", "HEAD", tip
        ):
            return
        rel = self._records_rel()
        if self.records_branch is None and rel is not None:
            newer = self._branch_file(git, tip)
            if newer:
                self._merge_into_working_tree(newer, f"origin/{branch}:{rel}")
        watched = [self._rel(path) for path in self.sources()]
        if self.config.path is not None:
            watched.append(self._rel(self.config.path))  # a config change re-renders every post
        if not git.ok("diff", "--quiet", "HEAD", tip, "--", *watched):
            self.superseded = (
                f"this run is for {git('rev-parse', '--short', 'HEAD').stdout.strip()}, but "
                f"{branch} has moved on to {tip[:7]}, which changes posts: the run for that "
                "commit publishes them (re-run the newest run instead of this one)"
            )

    def _guard_first_run(self, *, dry_run: bool) -> None:
        """Refuse a first run without `site.since`: with no records, every post of the blog is
        new, and cross-posting a whole archive cannot be undone."""
        if self.config.site.since is not None or Records.read(self.config.records).urls():
            return
        message = (
            "site.since is not set and there are no records yet: this run would cross-post "
            "every post of the blog, the whole archive"
        )
        hint = (
            'set [site] since = "YYYY-MM-DD" in crosspost.toml (posts dated before it are never '
            "cross-posted), or an old date such as 1970-01-01 to cross-post the whole archive "
            "on purpose"
        )
        if not dry_run:
            raise ActionError(message, hint=hint)
        self.out.write(_command("warning", f"{message}; {hint}", title="crosspost"))

    def _follow_renames(self) -> None:
        """Tell the records which post files this push renamed. Only git knows a rename with
        edits (the publisher recognises identical bytes alone); told, the publisher moves the
        post, updating its copies if its canonical URL changed, instead of posting it again."""
        renames = [
            (change.old_path, change.path)
            for change in self.changes or ()
            if change.kind is ChangeKind.RENAMED
            and change.old_path is not None
            and self._same_post(change)
        ]
        if not renames or not self.config.records.exists():
            return
        with Records.open(self.config.records) as records:
            for old_path, new_path in renames:
                old = relative_source(self.repo / old_path, self.config.root)
                new = relative_source(self.repo / new_path, self.config.root)
                if old is None or new is None or (self.repo / old_path).exists():
                    continue
                url = records.url_for_source(old)
                if url is not None and records.rename_source(old, new):
                    self.renamed_from[new_path] = url

    def _same_post(self, change: Change) -> bool:
        """Whether git's rename is the same post moved. git pairs a deleted file with an added
        one when half their lines match, which two posts made from one template can do; so a
        rename counts when nearly all the text stayed (90 %), or the title did."""
        if (change.similarity or 0) >= RENAME_SIMILARITY:
            return True
        old_text = _Git(self.repo)(
            "show", f"{self.event.before}:{change.old_path}", check=False
        ).stdout
        try:
            old = parse_text(old_text, path=self.repo / (change.old_path or ""), config=self.config)
            new = load_post(self.repo / change.path, self.config)
        except SourceError:
            return False
        return old.title == new.title

    # ----------------------------------------------------------------- finish

    def shield(self) -> None:
        """Ignore SIGINT, SIGTERM and SIGHUP from now on. Once the posts are published, a cancel
        that interrupted the report or the records push would lose the records; the seconds the
        runner grants after its SIGINT are for saving them. Only the main thread may do this."""
        if not _main_thread():
            return
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None:
                signal.signal(sig, signal.SIG_IGN)

    def finish(self, report: Report, *, notices: Iterable[Notice] = ()) -> int:
        """Annotate, save the records, write the step summary and outputs; the exit code."""
        self.shield()
        self._annotate(report, notices)
        saved = self._save() if not report.dry_run else _Saved(True, "dry run: nothing written")
        self._write_summary(self._summary(report, saved))
        self._write_outputs(self._outputs(report, saved))
        code = report.exit_code
        return code if saved.ok else (code or 1)

    def interrupted(self) -> int:
        """The run was cancelled: keep what was published (records), say so, exit 130."""
        self.shield()
        self.out.write(
            _command(
                "warning", "cancelled: saving the records of what was published", title="crosspost"
            )
        )
        saved = self._save()
        text = (
            "### crosspost: cancelled\n\nThe run was cancelled before it finished. "
            "The next run picks up where it stopped (interrupted creates are looked up first, "
            "never blindly repeated).\n\n"
            f"**Records:** {saved.text}\n"
        )
        self._write_summary(text)
        stopped = _stop_item(None, "cancelled", "the run was cancelled before it finished")
        artifact = str(saved.artifact or "")
        self._write_outputs(
            {**_NO_RESULTS, "failed": _json([stopped]), "records-artifact": artifact}
        )
        return 130

    def save_after_error(self) -> None:
        """The run stopped on an error, maybe after publishing some posts: push the records
        anyway, so the next run knows what this one did (`report_stop` then says why)."""
        self.shield()
        self._rescued = self._save()
        self.out.write(_command("notice", f"records: {self._rescued.text}", title="crosspost"))

    def skip(self) -> int:
        """Publish nothing because the run is `superseded`; say why, exit 0."""
        reason = self.superseded or "nothing to do"
        self.out.write(_command("notice", reason, title="crosspost: skipped"))
        self._write_summary(f"### crosspost: skipped\n\n{_cell(reason)}\n")
        self._write_outputs({**_NO_RESULTS, "records-artifact": ""})
        return 0

    # ----------------------------------------------------------------- annotations

    def _rel(self, post: str | Path) -> str:
        """A post path as annotations and summaries name it: relative to the repository."""
        path = Path(post)
        absolute = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if absolute.is_relative_to(self.repo):
            return absolute.relative_to(self.repo).as_posix()
        return str(post)

    def _annotate(self, report: Report, notices: Iterable[Notice]) -> None:
        write = self.out.write
        for note in self.notes:
            write(_command("notice", note, title="crosspost"))
        for error in report.errors:
            if isinstance(error, SourceError) and error.path is not None:
                text = f"{error.message} ({error.hint})" if error.hint else error.message
                if error.field:
                    text = f"field '{error.field}': {text}"
                write(
                    _command(
                        "error",
                        text,
                        file=self._rel(error.path),
                        line=error.line,
                        title="crosspost: cannot read this post",
                    )
                )
            else:
                write(_command("error", str(error), title="crosspost"))
        for result in report.results:
            level = _annotation_level(result)
            if level is not None:
                title = f"crosspost {result.platform}: {result.status.value}"
                write(_command(level, result.message, file=self._rel(result.post), title=title))
        for notice in notices:
            path = self._rel(notice.path) if notice.path else None
            title = f"crosspost {notice.platform}" if notice.platform else "crosspost"
            write(_command("warning", notice.message, file=path, line=notice.line, title=title))
        self.out.flush()

    # ----------------------------------------------------------------- saving the records

    def _save(self) -> _Saved:
        rel = self._records_rel()
        if not self.commit_records:
            return _Saved(True, "not committed (commit-records is false)")
        if rel is None:
            return _Saved(True, f"kept at {self.config.records} (outside the repository)")
        if not self.config.records.exists():
            return _Saved(True, "nothing to record")
        # Until the push succeeds, a copy waits where action.yml's artifact steps upload it from:
        # the runner kills a cancelled job a few seconds after cancelling it, maybe mid-push.
        aside = self._copy_aside()
        try:
            if self.records_branch is not None:
                saved = self._save_to_branch(rel)
            else:
                saved = self._save_to_head(rel)
        except ActionError as exc:
            return self._keep_aside(exc.message)
        if saved.ok:
            aside.unlink(missing_ok=True)
        return saved

    def _save_to_head(self, rel: str) -> _Saved:
        git = _Git(self.repo)
        paths = [rel]
        ignore = (self.repo / rel).parent / ".gitignore"
        if ignore.exists():  # made by crosspost.records: keeps lock and temp files out of git
            paths.append(ignore.relative_to(self.repo).as_posix())
        if not git("status", "--porcelain", "--ignored", "--", *paths).stdout.strip():
            return _Saved(True, "unchanged")
        if git.ok("check-ignore", "--quiet", "--", rel):
            self.out.write(
                _command(
                    "warning",
                    f"{rel} is ignored by .gitignore; committed anyway, because the next run "
                    "needs it to know what was published. Remove it from .gitignore.",
                    file=rel,
                    title="crosspost",
                )
            )
        branch = self._branch()
        git("add", "--force", "--", *paths)
        git(*_BOT, "commit", "--quiet", "--no-verify", "-m", self.records_message, "--", *paths)
        reason = ""
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            pushed = git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", check=False)
            if pushed.returncode == 0:
                sha = git("rev-parse", "--short", "HEAD").stdout.strip()
                return _Saved(True, f"committed as {sha} to {branch}")
            reason = redact.scrub(pushed.stderr.strip())
            if not _is_race(reason) or attempt == PUSH_ATTEMPTS:
                break
            self._backoff(attempt)
            self._rebase(git, branch, rel)
        return self._keep_aside(f"git push to {branch} failed: {reason}")

    def _branch(self) -> str:
        """The branch to push the records to: the checked-out one, else GITHUB_REF's."""
        git = _Git(self.repo)
        current = git("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
        if current:
            return current
        ref = self.env.get("GITHUB_REF", "")
        if ref.startswith("refs/heads/"):
            return ref.removeprefix("refs/heads/")
        raise ActionError(
            "HEAD is not on a branch, so there is nowhere to commit the records",
            hint="run on push to a branch, or set records-branch",
        )

    def _rebase(self, git: _Git, branch: str, rel: str) -> None:
        """`git pull --rebase`; a conflict on the records is settled by merging the JSON."""
        pulled = git(
            *_BOT,
            "pull",
            "--quiet",
            "--rebase",
            "--autostash",
            "--no-edit",
            "origin",
            branch,
            check=False,
        )
        if pulled.returncode == 0:
            return
        for _ in range(PUSH_ATTEMPTS):
            if not _rebasing(self.repo):
                raise ActionError(
                    f"git pull --rebase failed: {redact.scrub(pulled.stderr.strip())}"
                )
            conflicted = set(
                filter(None, git("diff", "--name-only", "--diff-filter=U", "-z").stdout.split("\0"))
            )
            if conflicted - {rel}:
                git("rebase", "--abort", check=False)
                raise ActionError(f"the rebase conflicts on {', '.join(sorted(conflicted))}")
            if conflicted:
                # During a rebase, stage 2 is the upstream side and stage 3 our replayed commit.
                upstream = git("show", f":2:{rel}", check=False).stdout
                ours = git("show", f":3:{rel}", check=False).stdout
                merged = merge_records(
                    _parse_records(ours, "this run's records"),
                    _parse_records(upstream, f"origin/{branch}"),
                )
                (self.repo / rel).write_text(_dump_records(merged), "utf-8")
                git("add", "--", rel)
            step = git(*_BOT, "rebase", "--continue", check=False)
            if step.returncode == 0 and not _rebasing(self.repo):
                return
        git("rebase", "--abort", check=False)
        raise ActionError("could not finish the rebase onto origin")

    def _save_to_branch(self, rel: str) -> _Saved:
        """Commit the records alone to `records_branch` (orphan on first use), without touching
        the checked-out branch; a race is settled by merging with the branch's records."""
        assert self.records_branch is not None
        git, branch = _Git(self.repo), self.records_branch
        ours = _parse_records(self.config.records.read_text("utf-8"), str(self.config.records))
        tip = (
            git(
                "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}", check=False
            ).stdout.strip()
            or None
        )
        published = self._branch_records or ""
        reason = ""
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            theirs = _parse_records(published, f"{branch}:{rel}") if published else None
            merged = merge_records(ours, theirs) if theirs is not None else ours
            text = _dump_records(merged)
            if theirs is not None and text == _dump_records(theirs):
                return _Saved(True, f"unchanged on {branch}")
            commit = self._commit_file(git, rel, text, tip)
            pushed = git("push", "--quiet", "origin", f"{commit}:refs/heads/{branch}", check=False)
            if pushed.returncode == 0:
                self.config.records.write_text(text, "utf-8")
                return _Saved(True, f"committed as {commit[:7]} to the branch {branch}")
            reason = redact.scrub(pushed.stderr.strip())
            if not _is_race(reason) or attempt == PUSH_ATTEMPTS:
                break
            self._backoff(attempt)
            tip = self._fetch_records_branch(git)
            published = self._branch_file(git, tip)
        return self._keep_aside(f"git push to the branch {branch} failed: {reason}")

    def _commit_file(self, git: _Git, rel: str, text: str, parent: str | None) -> str:
        """A commit whose tree holds only `rel` = `text`, built without a working tree."""
        blob = git("hash-object", "-w", "--stdin", stdin=text).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="crosspost-index-") as folder:
            index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            git("update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=index)
            tree = git("write-tree", env=index).stdout.strip()
        parents = ("-p", parent) if parent else ()
        return git(*_BOT, "commit-tree", tree, *parents, "-m", self.records_message).stdout.strip()

    def _backoff(self, attempt: int) -> None:
        """No wait before the first retry (a race is cured by rebasing); then exponential."""
        if attempt > 1:
            self.sleep(self.push_backoff * 2 ** (attempt - 2) * random.uniform(0.5, 1.0))  # noqa: S311

    def _copy_aside(self) -> Path:
        """Copy the records where action.yml's artifact steps upload them from."""
        folder = Path(self.env.get("RUNNER_TEMP") or tempfile.gettempdir()) / ARTIFACT_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / "records.json"
        shutil.copyfile(self.config.records, copy)
        return copy

    def _keep_aside(self, reason: str) -> _Saved:
        """Every push failed: copy the records where the artifact step uploads them from."""
        folder = self._copy_aside().parent
        artifact = "crosspost-records-{}-{}".format(
            self.env.get("GITHUB_RUN_ID", "0"), self.env.get("GITHUB_RUN_ATTEMPT", "1")
        )
        target = self.records_branch or self.env.get("GITHUB_REF_NAME") or "the branch"
        rel = self._records_rel() or str(self.config.records)
        self.out.write(
            _command(
                "error",
                f"The records of this run could not be saved ({reason}). They are attached to this "
                f"run as the artifact {artifact}. Before the next run, download it and commit its "
                f"records.json as {rel} to {target}: without it the next run cannot know what this "
                "one published and may post it again. If the branch is protected, set the action's "
                "records-branch input.",
                title="crosspost: records not saved",
            )
        )
        return _Saved(False, f"**not saved** ({reason}); see the artifact {artifact}", folder)

    # ----------------------------------------------------------------- summary and outputs

    def changed_posts(self, report: Report) -> list[Change] | None:
        """This push's changes, narrowed to posts (files crosspost read, or deleted posts)."""
        posts = {self._rel(r.post) for r in report.results}
        posts |= {
            self._rel(e.path)
            for e in report.errors
            if isinstance(e, SourceError) and e.path is not None
        }
        if self.first_push:
            return [Change(ChangeKind.ADDED, p) for p in sorted(posts)]
        if self.changes is None:
            return None
        folders = [self._rel(p) for p in self.sources()]
        kept: list[Change] = []
        for change in self.changes:
            if change.kind is ChangeKind.DELETED:
                if _looks_like_post(change.path, folders):
                    kept.append(change)
            elif change.path in posts:
                kept.append(change)
        return kept

    def _summary(self, report: Report, saved: _Saved) -> str:
        shown = [
            r
            for r in report.results
            if r.status is not Status.UNCHANGED
            and not (r.status is Status.HELD and r.planned is Kind.HOLD)
        ]
        quiet = [r for r in report.results if r.status is Status.HELD and r.planned is Kind.HOLD]
        unchanged = len(report.results) - len(shown) - len(quiet)
        counts = [f"{len(report.published)} published"]
        if report.failed or report.errors:
            counts.append(f"{len(report.failed) + len(report.errors)} failed")
        if report.needs_attention:
            counts.append(f"{len(report.needs_attention)} need attention")
        lines = [f"### crosspost{' (dry run)' if report.dry_run else ''}: {', '.join(counts)}", ""]
        if shown:
            lines += _table(shown[:SUMMARY_ROWS], self._rel)
            if len(shown) > SUMMARY_ROWS:
                lines.append(f"… and {len(shown) - SUMMARY_ROWS} more (see the job log)")
            lines.append("")
        lines.append(
            f"{unchanged} unchanged, {len(quiet)} held (drafts, scheduled, or dated "
            "before site.since)."
        )
        if quiet:
            lines += ["", f"<details><summary>{len(quiet)} held</summary>", ""]
            lines += [*_table(quiet[:SUMMARY_ROWS], self._rel), "", "</details>"]
        if report.errors:
            lines += ["", "#### Posts that could not be read", ""]
            for error in report.errors:
                where = ""
                if isinstance(error, SourceError) and error.path is not None:
                    where = self._rel(error.path) + (f":{error.line}" if error.line else "")
                    where = f"<code>{_cell(where)}</code>: "
                lines.append(
                    f"- {where}{_cell(error.message)}"
                    + (f" ({_cell(error.hint)})" if error.hint else "")
                )
        lines += ["", *self._push_section(report)]
        lines += ["", f"**Records:** {saved.text}", ""]
        return redact.scrub("\n".join(lines))

    def _push_section(self, report: Report) -> list[str]:
        event = self.event
        if event.name == "workflow_dispatch":
            return ["#### Manual run", "", "Every post at HEAD was checked against the records."]
        if event.name != "push":
            return []
        span = f"{(event.before or '')[:7]}..{(event.after or '')[:7]}"
        changed = self.changed_posts(report)
        lines = [f"#### This push ({span})", ""]
        if changed is None:
            lines.append(
                "Could not tell which posts it changed; every post at HEAD was checked "
                "against the records anyway."
            )
            return lines
        if not changed:
            lines.append("No post changed.")
            return lines
        lines += ["| Change | Post |", "|---|---|"]
        for change in changed:
            name = f"<code>{_cell(change.path)}</code>"
            note = ""
            if change.kind is ChangeKind.RENAMED:
                name = f"<code>{_cell(change.old_path or '')}</code> → {name}"
                note = f" ({self._rename_note(change.path, report)})"
            elif change.kind is ChangeKind.DELETED:
                note = " (the cross-posted copies are left as they are)"
            lines.append(f"| {change.kind.value} | {name}{note} |")
        return lines

    def _rename_note(self, path: str, report: Report) -> str:
        """What became of a renamed post's copies, by what the run did to it."""
        results = [r for r in report.results if self._rel(r.post) == path]
        if any(r.status is Status.CREATED for r in results):
            return "published as a new post"
        updated = [r for r in results if r.status is Status.UPDATED]
        if not updated:
            return "nothing new"
        old_url = self.renamed_from.get(path)
        if old_url is not None and any(r.canonical_url != old_url for r in updated):
            return "its canonical URL changed: the copies were updated"
        return "the copies were updated"

    def _outputs(self, report: Report, saved: _Saved) -> dict[str, str]:
        def item(result: Result, *, url: bool) -> dict[str, Any]:
            entry: dict[str, Any] = {"post": self._rel(result.post), "platform": result.platform}
            if url:
                entry.update(url=result.url, canonical_url=result.canonical_url)
            else:
                entry.update(status=result.status.value, message=result.message)
            return entry

        unreadable = [
            {
                "post": self._rel(e.path) if isinstance(e, SourceError) and e.path else None,
                "platform": None,
                "status": "invalid",
                "message": e.message,
            }
            for e in report.errors
        ]
        return {
            "published": _json([item(r, url=True) for r in report.published]),
            "failed": _json([item(r, url=False) for r in report.failed] + unreadable),
            "needs-attention": _json([item(r, url=False) for r in report.needs_attention]),
            "records-artifact": str(saved.artifact or ""),
        }

    def _write_summary(self, text: str) -> None:
        _append_summary(self.env, text)

    def _write_outputs(self, values: Mapping[str, str]) -> None:
        _append_outputs(self.env, values)
        self.reported = True


# --------------------------------------------------------------------------- stopping early

_NO_RESULTS = {name: "[]" for name in ("published", "failed", "needs-attention")}


def report_stop(
    env: Mapping[str, str],
    exc: BaseException,
    run: ActionRun | None = None,
    *,
    out: TextIO | None = None,
) -> None:
    """`publish --github` is leaving on `exc` before `finish`, `skip` or `interrupted` wrote the
    outputs (bad config, an unsafe start, no posts found, a bug). Say why in an `::error::`
    annotation and the step summary, and still write the three outputs as JSON lists, `failed`
    naming the error: a later step's `fromJSON()` must parse them whatever happened. Nothing
    when `run` reported already or `exc` is a successful exit."""
    if (run is not None and run.reported) or getattr(exc, "exit_code", 1) == 0:
        return
    message, path, line = _stop_reason(exc)
    post = None if path is None else run._rel(path) if run is not None else _in_workspace(env, path)
    stream = run.out if run is not None else out or sys.stdout
    stream.write(_command("error", message, file=post, line=line, title="crosspost: stopped"))
    stream.flush()
    _append_summary(env, f"### crosspost: stopped\n\n{_cell(message)}\n")
    failed = _stop_item(
        post, "cancelled" if isinstance(exc, KeyboardInterrupt) else "error", message
    )
    rescued = run._rescued if run is not None else None
    artifact = str(rescued.artifact or "") if rescued is not None else ""
    _append_outputs(env, {**_NO_RESULTS, "failed": _json([failed]), "records-artifact": artifact})


def _stop_reason(exc: BaseException) -> tuple[str, Path | None, int | None]:
    """What to tell the user about an early exit, and the file and line it concerns."""
    if isinstance(exc, CrosspostError):
        text = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        if isinstance(exc, SourceError | ConfigError | RecordsError):
            return text, exc.path, exc.line
        return text, None, None
    if isinstance(exc, KeyboardInterrupt):
        return "cancelled before publishing", None, None
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int):  # click's Exit: the reason was printed to the job log already
        return f"crosspost stopped with exit code {code}; the reason is in the job log", None, None
    return f"internal error ({type(exc).__name__}): {exc}", None, None


def _in_workspace(env: Mapping[str, str], path: Path) -> str:
    """A path as annotations name files: relative to the checkout, when it is inside it."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    absolute = path.resolve()
    return (
        absolute.relative_to(workspace).as_posix()
        if absolute.is_relative_to(workspace)
        else str(path)
    )


def _stop_item(post: str | None, status: str, message: str) -> dict[str, Any]:
    """A `failed` entry for a run that stopped as a whole (no platform)."""
    return {"post": post, "platform": None, "status": status, "message": message}


def _append_summary(env: Mapping[str, str], text: str) -> None:
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(redact.scrub(text))


def _append_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            handle.write(_output_line(name, redact.scrub(value)))


# --------------------------------------------------------------------------- helpers


def _interrupt_on_termination() -> None:
    """SIGTERM (and SIGHUP, which some runners send) interrupt like SIGINT, so that a cancelled
    run reaches `interrupted` and saves its records instead of dying silently."""
    if not _main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.default_int_handler)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _rebasing(repo: Path) -> bool:
    git_dir = Path(_Git(repo)("rev-parse", "--absolute-git-dir").stdout.strip())
    return (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists()


def _is_race(stderr: str) -> bool:
    return any(marker in stderr for marker in _RACE) and "protected branch" not in stderr


def _parse_name_status(listing: str) -> Iterator[Change]:
    """`git diff --name-status -z -M` → Changes (copies count as added, type changes as edits)."""
    fields = listing.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if status[0] == "R":
                yield Change(ChangeKind.RENAMED, new, old, int(status[1:] or 100))
            else:
                yield Change(ChangeKind.ADDED, new)
            continue
        path = fields[i + 1]
        i += 2
        kind = {"A": ChangeKind.ADDED, "D": ChangeKind.DELETED}.get(status[0], ChangeKind.MODIFIED)
        yield Change(kind, path)


def _looks_like_post(path: str, folders: Sequence[str]) -> bool:
    """A deleted file was a post if it had a post's name under a scanned folder."""
    if not is_post_name(path.rsplit("/", 1)[-1]):
        return False
    return any(
        folder in (".", "") or path == folder or path.startswith(folder.rstrip("/") + "/")
        for folder in folders
    )


def _annotation_level(result: Result) -> str | None:
    if result.status in (Status.FAILED, Status.INVALID):
        return "error"
    if result.status in (Status.ATTENTION, Status.UNSUPPORTED, Status.GONE, Status.DEFERRED):
        return "warning"
    if result.status is Status.HELD and result.planned is not Kind.HOLD:
        return "warning"  # held while publishing (page not live yet, waiting for an article)
    return None


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell that GitHub renders as HTML."""
    return html.escape(" ".join(text.split())).replace("|", "&#124;")


def _table(results: Sequence[Result], rel: Callable[[str], str]) -> list[str]:
    rows = ["| Post | Platform | Status | Link |", "|---|---|---|---|"]
    for r in results:
        link = ""
        if r.url:
            link = f"[open]({r.url.replace(' ', '%20').replace(')', '%29')})"
        status = r.status.value
        if r.message and r.message != status and r.status not in (Status.CREATED, Status.UPDATED):
            status = f"{status}: {r.message}"
        rows.append(
            f"| <code>{_cell(rel(r.post))}</code> | {_cell(r.platform)} | "
            f"{_cell(status)} | {link} |"
        )
    return rows


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _output_line(name: str, value: str) -> str:
    """`name<<DELIMITER` syntax: safe for any value, newlines included."""
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
