"""One `crosspost publish --github` run, start to end: `run` is the whole of it.

`ActionRun.start` masks the tokens, reads the push, brings the newest records in and decides
whether this run may publish at all; the caller's `publish` then runs the core; `finish`,
`skip`, `interrupted` or `report_stop` (whichever way the run ends) annotate, save the records
and write the step summary and outputs exactly once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from crosspost import api
from crosspost.api import Config, Notice, Records, Report
from crosspost.errors import ConfigError, CrosspostError, RecordsError, SourceError

from . import report as reporting
from . import signals
from .commands import command, mask_tokens
from .errors import ActionError
from .event import Change, PushEvent, detect_changes
from .git import Git, repo_root
from .renames import follow_renames
from .sync import DEFAULT_RECORDS_MESSAGE, RecordsSync, Saved

__all__ = ["ActionOptions", "ActionRun", "report_stop", "run"]


@dataclass(frozen=True)
class ActionOptions:
    """The action's inputs, as `publish --github` received them."""

    paths: Sequence[Path] = ()
    dry_run: bool = False
    commit_records: bool = True
    records_branch: str | None = None
    records_message: str = ""
    api_hosts: Sequence[str] = ()  # NAME=https://host a maintainer confirmed (api-hosts input)


def run(
    env: Mapping[str, str],
    options: ActionOptions,
    *,
    config: Callable[[], Config],
    publish: Callable[[Config, Sequence[Path]], Report],
    show: Callable[[Report], None],
) -> int:
    """The whole run: mask the tokens (before anything is read or printed), load the `config`,
    start, `publish` every post at HEAD (or skip a superseded run), `show` the report, save the
    records and report; the exit code. A cancel while publishing saves the records and gives
    130; any error is reported in the outputs, then raised."""
    mask_tokens(env)
    action: ActionRun | None = None
    try:
        # Under the Action a platform's token goes only to its default API address or to one
        # the workflow file (never the pull request) confirms.
        settled = replace(config(), confirmed_hosts=api.confirmed_hosts(options.api_hosts))
        action = ActionRun.start(
            env,
            settled,
            commit_records=options.commit_records,
            records_branch=options.records_branch,
            records_message=options.records_message,
            paths=options.paths,
            dry_run=options.dry_run,
            mask=False,
        )
        if action.superseded:
            return action.skip()
        sources = action.sources()
        try:
            report = publish(settled, sources)
            action.shield()  # published: a cancel from now on must not lose the records
        except KeyboardInterrupt:
            return action.interrupted()
        except Exception:
            if not options.dry_run:
                action.save_after_error()
            raise
        show(report)
        return action.finish(report, notices=report.notices)
    except BaseException as exc:
        report_stop(env, exc, action)  # the outputs, whatever way this run ends
        raise


@dataclass
class ActionRun:
    """One run's state: `start`, publish `sources()`, then `finish` (or `skip`, `interrupted`).

    Build it with `ActionRun.start`; the fields are the state that start computed.
    """

    config: Config
    repo: Path
    env: Mapping[str, str]
    event: PushEvent
    sync: RecordsSync
    paths: list[Path] = field(default_factory=list)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    changes: tuple[Change, ...] | None = None
    first_push: bool = False
    notes: list[str] = field(default_factory=list)
    superseded: str | None = None
    reported: bool = False  # the outputs are written (finish, skip or interrupted ran)
    rescued: Saved | None = None  # the records pushed by `save_after_error`
    renamed_from: dict[str, str] = field(default_factory=dict)  # new path → its old post's URL

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
        signals.interrupt_on_termination()
        api.check_records_path(config.records)  # a link is never read, committed or uploaded
        repo = repo_root(config.root)
        event = PushEvent.read(env)
        sync = RecordsSync(
            repo,
            config.records,
            env,
            stream,
            commit_records=commit_records,
            records_branch=records_branch or None,
            records_message=records_message or DEFAULT_RECORDS_MESSAGE,
        )
        pushed = detect_changes(Git(repo), event)
        run = cls(
            config=config,
            repo=repo,
            env=env,
            event=event,
            sync=sync,
            paths=list(paths),
            out=stream,
            changes=pushed.changes,
            first_push=pushed.first_push,
            notes=pushed.notes,
        )
        if sync.records_branch is not None:
            sync.check_branch_name()
            sync.read_branch(run.notes)
        run.superseded = sync.catch_up(event.name, run._watched)
        if run.superseded is None:
            run._guard_first_run(dry_run=dry_run)
            if not dry_run:
                run.renamed_from = follow_renames(
                    run.changes or (), repo=repo, config=config, event=event
                )
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

    def _watched(self) -> list[str]:
        """The files whose later change supersedes this run: the posts, and the config (a
        config change re-renders every post)."""
        watched = [self.rel(path) for path in self.sources()]
        if self.config.path is not None:
            watched.append(self.rel(self.config.path))
        return watched

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
        self.out.write(command("warning", f"{message}; {hint}", title="crosspost"))

    # ----------------------------------------------------------------- the ends of a run

    def shield(self) -> None:
        """Published: from now on a cancel must not interrupt the report or the records push."""
        signals.shield()

    def finish(self, report: Report, *, notices: Iterable[Notice] = ()) -> int:
        """Annotate, save the records, write the step summary and outputs; the exit code."""
        self.shield()
        reporting.annotate(self.out, self.notes, report, notices, self.rel)
        saved = self.sync.save() if not report.dry_run else Saved(True, "dry run: nothing written")
        push = reporting.push_section(
            self.event,
            self.changed_posts(report),
            lambda path: reporting.rename_note(path, report, self.rel, self.renamed_from.get(path)),
        )
        self._write_summary(reporting.summary(report, saved.text, self.rel, push))
        self._write_outputs(reporting.outputs(report, saved.artifact, self.rel))
        code = report.exit_code
        return code if saved.ok else (code or 1)

    def interrupted(self) -> int:
        """The run was cancelled: keep what was published (records), say so, exit 130."""
        self.shield()
        self.out.write(
            command(
                "warning", "cancelled: saving the records of what was published", title="crosspost"
            )
        )
        saved = self.sync.save()
        text = (
            "### crosspost: cancelled\n\nThe run was cancelled before it finished. "
            "The next run picks up where it stopped (interrupted creates are looked up first, "
            "never blindly repeated).\n\n"
            f"**Records:** {saved.text}\n"
        )
        self._write_summary(text)
        stopped = reporting.stop_item(None, "cancelled", "the run was cancelled before it finished")
        self._write_outputs(
            {
                **reporting.NO_RESULTS,
                "failed": reporting.to_json([stopped]),
                "records-artifact": str(saved.artifact or ""),
            }
        )
        return 130

    def save_after_error(self) -> None:
        """The run stopped on an error, maybe after publishing some posts: push the records
        anyway, so the next run knows what this one did (`report_stop` then says why)."""
        self.shield()
        self.rescued = self.sync.save()
        self.out.write(command("notice", f"records: {self.rescued.text}", title="crosspost"))

    def skip(self) -> int:
        """Publish nothing because the run is `superseded`; say why, exit 0."""
        reason = self.superseded or "nothing to do"
        self.out.write(command("notice", reason, title="crosspost: skipped"))
        self._write_summary(f"### crosspost: skipped\n\n{reporting.cell(reason)}\n")
        self._write_outputs({**reporting.NO_RESULTS, "records-artifact": ""})
        return 0

    # ----------------------------------------------------------------- helpers

    def changed_posts(self, report: Report) -> list[Change] | None:
        """This push's changes, narrowed to posts (files crosspost read, or deleted posts)."""
        return reporting.changed_posts(
            report,
            self.changes,
            first_push=self.first_push,
            folders=[self.rel(p) for p in self.sources()],
            rel=self.rel,
        )

    def rel(self, post: str | Path) -> str:
        """A post path as annotations and summaries name it: relative to the repository."""
        return _relative(Path(post), self.repo)

    def _write_summary(self, text: str) -> None:
        reporting.append_summary(self.env, text)

    def _write_outputs(self, values: Mapping[str, str]) -> None:
        reporting.append_outputs(self.env, values)
        self.reported = True


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
    post = None if path is None else run.rel(path) if run is not None else _in_workspace(env, path)
    stream = run.out if run is not None else out or sys.stdout
    stream.write(command("error", message, file=post, line=line, title="crosspost: stopped"))
    stream.flush()
    reporting.append_summary(env, f"### crosspost: stopped\n\n{reporting.cell(message)}\n")
    failed = reporting.stop_item(
        post, "cancelled" if isinstance(exc, KeyboardInterrupt) else "error", message
    )
    rescued = run.rescued if run is not None else None
    artifact = str(rescued.artifact or "") if rescued is not None else ""
    values = {"failed": reporting.to_json([failed]), "records-artifact": artifact}
    reporting.append_outputs(env, {**reporting.NO_RESULTS, **values})


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
    return _relative(path, Path(env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve())


def _relative(path: Path, base: Path) -> str:
    """`path` relative to the resolved folder `base` when inside it, else as given. Only the
    folders are resolved, never the file: a post or records file that is a symbolic link is
    named where it is, not where it points (`records.json -> ../.env` is not `.env`)."""
    absolute = Path(os.path.abspath(path))
    named = Path(os.path.abspath(absolute.parent)).resolve() / absolute.name
    if named.is_relative_to(base):
        return named.relative_to(base).as_posix()
    return str(path)
