"""The records and the branch: read the newest ones in at the start, commit them back at the end.

The records are the only memory of what was published, so they are committed back after the run
(`git pull --rebase` and retry on a race, merging the JSON when both sides changed it), or to a
dedicated branch for protected default branches. Before every push they are copied aside for an
artifact, and the copy is deleted once the push succeeded (a cancelled job is killed a few seconds
after the cancel, maybe mid-push); the copy stays, and the job fails, when every push fails.
Every merge is `crosspost.records_merge`'s (three-way, as the CLI's locked write merges, when
the common ancestor is known: git's stage 1 in a rebase, the records branch as read at the
start) and every file `dump_records`: the CLI and this module write the same bytes for the same
records.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from crosspost.api import (
    RecordsData,
    RecordsFormatError,
    check_records_path,
    dump_records,
    merge3_records,
    parse_records,
    redacted,
)
from crosspost.errors import CrosspostError

from .commands import command
from .errors import ActionError
from .git import BOT, Git, is_race

__all__ = ["ARTIFACT_FOLDER", "DEFAULT_RECORDS_MESSAGE", "PUSH_ATTEMPTS", "RecordsSync", "Saved"]

DEFAULT_RECORDS_MESSAGE = "chore(crosspost): update records [skip ci]"
PUSH_ATTEMPTS = 5
ARTIFACT_FOLDER = "crosspost-records"


@dataclass
class Saved:
    """How the records were kept: what the summary and the log say about them."""

    ok: bool
    text: str
    artifact: Path | None = None


def parse(text: str, where: str) -> RecordsData:
    """A records document from git; refuses what this crosspost must not rewrite."""
    if not text.strip():
        return RecordsData()
    try:
        return parse_records(text.encode("utf-8", "surrogateescape"))
    except RecordsFormatError as exc:
        hint = "upgrade the crosspost action" if exc.newer else None
        line = f":{exc.line}" if exc.line else ""
        raise ActionError(f"{where}{line}: {exc.message}", hint=hint) from None


def dump(data: RecordsData) -> str:
    return dump_records(data).decode("utf-8")


@dataclass
class RecordsSync:
    """The records file of one run and the branch it is committed to."""

    repo: Path
    records: Path
    env: Mapping[str, str]
    out: TextIO
    commit_records: bool = True
    records_branch: str | None = None
    records_message: str = DEFAULT_RECORDS_MESSAGE
    push_backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    branch_records: str | None = None  # the records branch's file as last fetched
    git: Git = field(init=False)

    def __post_init__(self) -> None:
        self.git = Git(self.repo)

    def rel(self) -> str | None:
        """The records file relative to the repository root, or None if it lies outside: the
        configured path itself, never what a link there resolves to (see `save`)."""
        path = Path(os.path.abspath(self.records))
        return path.relative_to(self.repo).as_posix() if path.is_relative_to(self.repo) else None

    # ----------------------------------------------------------------- records branch (read)

    def check_branch_name(self) -> None:
        """A valid name, and never the branch being published: the records commit replaces the
        whole tree of its branch with the records file alone."""
        assert self.records_branch is not None
        if not self.git.ok("check-ref-format", "--branch", self.records_branch):
            raise ActionError(f"records-branch {self.records_branch!r} is not a valid branch name")
        published = self.env.get("GITHUB_REF", "").removeprefix("refs/heads/")
        if self.records_branch in (self.git.current_branch(), published):
            raise ActionError(
                f"records-branch {self.records_branch!r} is the branch being published",
                hint="leave records-branch empty to commit the records there, or name a branch "
                "of their own, such as crosspost-records",
            )

    def _fetch_branch(self) -> str | None:
        """The records branch's tip after a fresh fetch; None if the branch does not exist."""
        assert self.records_branch is not None
        git, branch = self.git, self.records_branch
        probe = git(
            "ls-remote", "--exit-code", "--heads", "origin", f"refs/heads/{branch}", check=False
        )
        if probe.returncode == 2:
            return None
        if probe.returncode != 0:
            raise ActionError(
                f"cannot reach origin to read the records branch {branch!r}: "
                f"{redacted(probe.stderr.strip())}",
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
        others = sorted(set(filter(None, files)) - {self.rel()})
        if others:
            raise ActionError(
                f"the branch {branch} holds other files than the records ({others[0]}, ...)",
                hint="records-branch must name a branch of its own, such as crosspost-records",
            )
        return tip

    def _file_at(self, tip: str | None) -> str:
        rel = self.rel()
        if tip is None or rel is None:
            return ""
        shown = self.git("show", f"{tip}:{rel}", check=False)
        return shown.stdout if shown.returncode == 0 else ""

    def read_branch(self, notes: list[str]) -> None:
        """Bring the branch's records into the working tree, merged with any already there."""
        rel = self.rel()
        if rel is None:
            raise ActionError(
                "records-branch needs the records file inside the repository",
                hint=f"{self.records} is outside {self.repo}",
            )
        tip = self._fetch_branch()
        if tip is None:
            notes.append(
                f"the records branch {self.records_branch} does not exist yet; it will be created"
            )
            self.branch_records = ""
            return
        text = self._file_at(tip)
        self.branch_records = text
        self._merge_into_working_tree(text, f"{self.records_branch}:{rel}")

    def _merge_into_working_tree(self, text: str, where: str, ancestor: str | None = None) -> None:
        """Merge a records document from git into the working tree's records file (three-way
        when the `ancestor` both come from is known)."""
        local = self.records
        theirs = parse(text, where)
        if local.exists():
            ours = parse(local.read_text("utf-8"), str(local))
            base = parse(ancestor, "HEAD") if ancestor else None
            theirs = merge3_records(base, ours, theirs)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(dump_records(theirs))

    def catch_up(self, event: str, watched: Callable[[], list[str]]) -> str | None:
        """A re-run of an older job checks out that older commit. Bring in the records later
        runs committed since (so nothing is created twice), and if later commits changed the
        `watched` files, say why this run is superseded: publishing this older text would undo
        those edits, and the run of the newer commit publishes them anyway."""
        git = self.git
        branch = git.current_branch()
        if not branch or event not in ("push", "workflow_dispatch"):
            return None
        remote = f"refs/remotes/origin/{branch}"
        fetched = git(
            "fetch", "--quiet", "--no-tags", "origin", f"+refs/heads/{branch}:{remote}", check=False
        )
        if fetched.returncode != 0:
            # A queued run behind one that already published would post its posts again.
            raise ActionError(
                f"cannot fetch origin/{branch} to look for newer records: "
                f"{redacted(fetched.stderr.strip()) or f'exit {fetched.returncode}'}",
                hint="publishing with records older than the branch's could post twice; "
                "re-run the job once origin can be reached",
            )
        tip = git("rev-parse", remote).stdout.strip()
        if tip == git("rev-parse", "HEAD").stdout.strip() or not git.ok(
            "merge-base", "--is-ancestor", "HEAD", tip
        ):
            return None
        rel = self.rel()
        if self.records_branch is None and rel is not None:
            newer = self._file_at(tip)
            if newer:
                older = self._file_at("HEAD")
                self._merge_into_working_tree(newer, f"origin/{branch}:{rel}", older)
        if git.ok("diff", "--quiet", "HEAD", tip, "--", *watched()):
            return None
        return (
            f"this run is for {git('rev-parse', '--short', 'HEAD').stdout.strip()}, but "
            f"{branch} has moved on to {tip[:7]}, which changes posts: the run for that "
            "commit publishes them (re-run the newest run instead of this one)"
        )

    # ----------------------------------------------------------------- saving

    def save(self) -> Saved:
        rel = self.rel()
        if not self.commit_records:
            return Saved(True, "not committed (commit-records is false)")
        if rel is None:
            return Saved(True, f"kept at {self.records} (outside the repository)")
        try:
            check_records_path(self.records)  # never add, commit or copy what a link points to
        except CrosspostError as exc:
            return Saved(False, f"**not saved**: {exc.message}")
        if not self.records.exists():
            return Saved(True, "nothing to record")
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

    def _save_to_head(self, rel: str) -> Saved:
        git = self.git
        paths = [rel]
        ignore = (self.repo / rel).parent / ".gitignore"
        if ignore.exists():  # made by crosspost.records: keeps lock and temp files out of git
            paths.append(ignore.relative_to(self.repo).as_posix())
        if not git("status", "--porcelain", "--ignored", "--", *paths).stdout.strip():
            return Saved(True, "unchanged")
        if git.ok("check-ignore", "--quiet", "--", rel):
            self.out.write(
                command(
                    "warning",
                    f"{rel} is ignored by .gitignore; committed anyway, because the next run "
                    "needs it to know what was published. Remove it from .gitignore.",
                    file=rel,
                    title="crosspost",
                )
            )
        branch = self._branch()
        git("add", "--force", "--", *paths)
        git(*BOT, "commit", "--quiet", "--no-verify", "-m", self.records_message, "--", *paths)
        reason = ""
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            pushed = git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", check=False)
            if pushed.returncode == 0:
                sha = git("rev-parse", "--short", "HEAD").stdout.strip()
                return Saved(True, f"committed as {sha} to {branch}")
            reason = redacted(pushed.stderr.strip())
            if not is_race(reason) or attempt == PUSH_ATTEMPTS:
                break
            self._backoff(attempt)
            self._rebase(branch, rel)
        return self._keep_aside(f"git push to {branch} failed: {reason}")

    def _branch(self) -> str:
        """The branch to push the records to: the checked-out one, else GITHUB_REF's."""
        current = self.git.current_branch()
        if current:
            return current
        ref = self.env.get("GITHUB_REF", "")
        if ref.startswith("refs/heads/"):
            return ref.removeprefix("refs/heads/")
        raise ActionError(
            "HEAD is not on a branch, so there is nowhere to commit the records",
            hint="run on push to a branch, or set records-branch",
        )

    def _rebase(self, branch: str, rel: str) -> None:
        """`git pull --rebase`; the records are merged as JSON, never as text: a conflict on them
        is settled by the three-way merge, and so is a text merge git made on its own."""
        git = self.git
        before = git("rev-parse", "HEAD").stdout.strip()
        pulled = git(
            *BOT,
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
            self._redo_text_merge(before, rel)
            return
        for _ in range(PUSH_ATTEMPTS):
            if not git.rebasing():
                raise ActionError(f"git pull --rebase failed: {redacted(pulled.stderr.strip())}")
            conflicted = set(
                filter(None, git("diff", "--name-only", "--diff-filter=U", "-z").stdout.split("\0"))
            )
            if conflicted - {rel}:
                git("rebase", "--abort", check=False)
                raise ActionError(f"the rebase conflicts on {', '.join(sorted(conflicted))}")
            if conflicted:
                # During a rebase, stage 1 is the common ancestor (absent when both sides created
                # the file), stage 2 the upstream side and stage 3 our replayed commit.
                stage1 = git("show", f":1:{rel}", check=False)
                ancestor = parse(stage1.stdout, "the ancestor") if stage1.returncode == 0 else None
                merged = merge3_records(
                    ancestor,
                    parse(git("show", f":3:{rel}", check=False).stdout, "this run's records"),
                    parse(git("show", f":2:{rel}", check=False).stdout, f"origin/{branch}"),
                )
                (self.repo / rel).write_bytes(dump_records(merged))
                git("add", "--", rel)
            step = git(*BOT, "rebase", "--continue", check=False)
            if step.returncode == 0 and not git.rebasing():
                return
        git("rebase", "--abort", check=False)
        raise ActionError("could not finish the rebase onto origin")

    def _redo_text_merge(self, before: str, rel: str) -> None:
        """After a clean `git pull --rebase`, git may have merged the records' text itself: a
        result that need not parse, or that mixes two entries line by line. Merge the JSON
        three-way instead and amend our commit when the two differ."""
        git = self.git
        after = git("rev-parse", "HEAD").stdout.strip()
        upstream = git("rev-parse", "--verify", "--quiet", "FETCH_HEAD", check=False).stdout.strip()
        base = git("merge-base", before, upstream, check=False).stdout.strip() if upstream else ""
        if after == before or not base or base == upstream:
            return  # nothing was replayed onto another writer's commits
        ancestor = self._file_at(base)
        merged = merge3_records(
            parse(ancestor, "the common ancestor") if ancestor else None,
            parse(self._file_at(before), "this run's records"),
            parse(self._file_at(upstream), "origin"),
        )
        text = dump(merged)
        if self._file_at("HEAD") != text:
            (self.repo / rel).write_text(text, "utf-8")
            git("add", "--", rel)
            git(*BOT, "commit", "--quiet", "--no-verify", "--amend", "--no-edit", "--", rel)

    def _save_to_branch(self, rel: str) -> Saved:
        """Commit the records alone to `records_branch` (orphan on first use), without touching
        the checked-out branch; a race is settled by merging with the branch's records."""
        assert self.records_branch is not None
        git, branch = self.git, self.records_branch
        ours = parse(self.records.read_text("utf-8"), str(self.records))
        tip = (
            git(
                "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}", check=False
            ).stdout.strip()
            or None
        )
        published = self.branch_records or ""
        # What this run started from: our changes since are merged three-way with the tip's.
        read = None if self.branch_records is None else parse(published, f"{branch}:{rel}")
        reason = ""
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            theirs = parse(published, f"{branch}:{rel}") if published else None
            text = dump(merge3_records(read, ours, theirs) if theirs is not None else ours)
            if theirs is not None and text == dump(theirs):
                return Saved(True, f"unchanged on {branch}")
            commit = self._commit_file(rel, text, tip)
            pushed = git("push", "--quiet", "origin", f"{commit}:refs/heads/{branch}", check=False)
            if pushed.returncode == 0:
                self.records.write_text(text, "utf-8")
                return Saved(True, f"committed as {commit[:7]} to the branch {branch}")
            reason = redacted(pushed.stderr.strip())
            if not is_race(reason) or attempt == PUSH_ATTEMPTS:
                break
            self._backoff(attempt)
            tip = self._fetch_branch()
            published = self._file_at(tip)
        return self._keep_aside(f"git push to the branch {branch} failed: {reason}")

    def _commit_file(self, rel: str, text: str, parent: str | None) -> str:
        """A commit whose tree holds only `rel` = `text`, built without a working tree."""
        git = self.git
        blob = git("hash-object", "-w", "--stdin", stdin=text).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="crosspost-index-") as folder:
            index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            git("update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}", env=index)
            tree = git("write-tree", env=index).stdout.strip()
        parents = ("-p", parent) if parent else ()
        return git(*BOT, "commit-tree", tree, *parents, "-m", self.records_message).stdout.strip()

    def _backoff(self, attempt: int) -> None:
        """No wait before the first retry (a race is cured by rebasing); then exponential."""
        if attempt > 1:
            self.sleep(self.push_backoff * 2 ** (attempt - 2) * random.uniform(0.5, 1.0))  # noqa: S311

    def _copy_aside(self) -> Path:
        """Copy the records where action.yml's artifact steps upload them from."""
        folder = Path(self.env.get("RUNNER_TEMP") or tempfile.gettempdir()) / ARTIFACT_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / "records.json"
        shutil.copyfile(self.records, copy)
        return copy

    def _keep_aside(self, reason: str) -> Saved:
        """Every push failed: copy the records where the artifact step uploads them from."""
        folder = self._copy_aside().parent
        artifact = "crosspost-records-{}-{}".format(
            self.env.get("GITHUB_RUN_ID", "0"), self.env.get("GITHUB_RUN_ATTEMPT", "1")
        )
        target = self.records_branch or self.env.get("GITHUB_REF_NAME") or "the branch"
        rel = self.rel() or str(self.records)
        self.out.write(
            command(
                "error",
                f"The records of this run could not be saved ({reason}). They are attached to this "
                f"run as the artifact {artifact}. Before the next run, download it and commit its "
                f"records.json as {rel} to {target}: without it the next run cannot know what this "
                "one published and may post it again. If the branch is protected, set the action's "
                "records-branch input.",
                title="crosspost: records not saved",
            )
        )
        return Saved(False, f"**not saved** ({reason}); see the artifact {artifact}", folder)
