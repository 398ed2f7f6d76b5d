"""What a run tells GitHub: masks first, annotations, outputs, the step summary, the exit code."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from crosspost.action import ActionRun, mask_tokens, report_stop
from crosspost.config import load_config
from crosspost.document import Notice
from crosspost.errors import PlatformError, SourceError
from crosspost.plan import Kind
from crosspost.publisher import Report, Result, Status
from crosspost.records import Entry, Records

from .helpers import Remote, actions_env, event_file, git, parse_outputs

TOML = '[site]\nurl = "https://blog.example.com"\ncontent = "posts"\nsince = 2024-01-01\n'
CANARY = "tok-%-canary-5d1e8c"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    remote = Remote.create(tmp_path)
    (remote.author / "crosspost.toml").write_text(TOML)
    (remote.author / "posts").mkdir()
    (remote.author / "posts" / "a.md").write_text("---\ntitle: A\n---\nA\n")
    remote.push("initial")
    return remote.checkout(tmp_path / "ws")


def start(tmp: Path, workspace: Path, **env_extra: str) -> tuple[ActionRun, io.StringIO]:
    event = event_file(tmp, "push", before="a" * 40, after="b" * 40, commits=[{}])
    env = {**actions_env(tmp, workspace, event="push", event_path=event), **env_extra}
    out = io.StringIO()
    run = ActionRun.start(env, load_config(workspace / "crosspost.toml"), out=out)
    return run, out


def sample_report(workspace: Path) -> Report:
    post = str(workspace / "posts" / "a.md")
    return Report(
        (
            Result(
                post,
                "devto",
                Status.CREATED,
                "created",
                url="https://dev.to/me/a-1",
                canonical_url="https://blog.example.com/posts/a/",
            ),
            Result(
                post,
                "hashnode",
                Status.FAILED,
                f"HTTP 500, token {CANARY} echoed",
                error=PlatformError("HTTP 500", platform="hashnode"),
            ),
            Result(post, "medium", Status.ATTENTION, "may exist; check by hand"),
            Result(post, "mastodon", Status.HELD, "the page is not live yet", planned=Kind.CREATE),
            Result(
                str(workspace / "posts" / "old.md"),
                "devto",
                Status.HELD,
                "dated before site.since (2024-01-01)",
                planned=Kind.HOLD,
            ),
            Result(str(workspace / "posts" / "same.md"), "devto", Status.UNCHANGED, "unchanged"),
        ),
        errors=(
            SourceError(
                "bad YAML: mapping values, here",
                path=workspace / "posts" / "bad,1.md",
                line=3,
                hint="quote the title",
            ),
        ),
    )


def test_tokens_are_masked_before_anything_else(tmp_path: Path, workspace: Path) -> None:
    run, out = start(
        tmp_path,
        workspace,
        CROSSPOST_DEVTO_TOKEN=CANARY,
        CROSSPOST_MASTODON_TOKEN=" second-token-77 \n",
        CROSSPOST_HASHNODE_TOKEN="",
        NOT_A_TOKEN="visible",
    )
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["::add-mask::tok-%25-canary-5d1e8c", "::add-mask::second-token-77"]
    run.finish(sample_report(workspace))
    text = out.getvalue() + Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    text += Path(run.env["GITHUB_OUTPUT"]).read_text()
    assert CANARY not in text.replace(f"::add-mask::{CANARY.replace('%', '%25')}", "")
    assert "***" in text  # the echoed token was scrubbed, not dropped


def test_mask_tokens_only_touches_crosspost_tokens() -> None:
    out = io.StringIO()
    mask_tokens({"CROSSPOST_X_TOKEN": "abcd\nefgh", "GITHUB_TOKEN": "ghs_x", "PATH": "/bin"}, out)
    assert out.getvalue() == "::add-mask::abcd\n::add-mask::efgh\n"


def test_annotations_name_file_and_line(tmp_path: Path, workspace: Path) -> None:
    run, out = start(tmp_path, workspace)
    run.finish(
        sample_report(workspace),
        notices=[
            Notice(
                "tag dropped: too long",
                "tag-length",
                path=workspace / "posts" / "a.md",
                line=4,
                platform="devto",
            )
        ],
    )
    commands = [line for line in out.getvalue().splitlines() if line.startswith("::")]
    assert (
        "::error file=posts/bad%2C1.md,line=3,title=crosspost%3A cannot read this post::"
        "bad YAML: mapping values, here (quote the title)"
    ) in commands
    assert any(
        c.startswith("::error file=posts/a.md,title=crosspost hashnode%3A failed::")
        for c in commands
    )
    assert any(
        c.startswith("::warning file=posts/a.md,title=crosspost medium%3A attention::")
        for c in commands
    )
    assert any(
        c.startswith("::warning file=posts/a.md,title=crosspost mastodon%3A held::")
        for c in commands
    )
    assert "::warning file=posts/a.md,line=4,title=crosspost devto::tag dropped: too long" in (
        commands
    )
    assert not any("old.md" in c or "same.md" in c for c in commands)  # expected states: quiet


def test_messages_cannot_forge_workflow_commands(tmp_path: Path, workspace: Path) -> None:
    run, out = start(tmp_path, workspace)
    evil = SourceError(
        "oops\n::add-mask::x\r\n::error::fake 100%", path=workspace / "posts" / "a.md", line=1
    )
    run.finish(Report(errors=(evil,)))
    lines = out.getvalue().splitlines()
    error = next(line for line in lines if line.startswith("::error file="))
    assert error.endswith("oops%0A::add-mask::x%0D%0A::error::fake 100%25")
    assert not any(line.startswith("::add-mask::x") for line in lines)


def test_outputs_are_json_lists_in_delimiter_syntax(tmp_path: Path, workspace: Path) -> None:
    run, _ = start(tmp_path, workspace)
    run.finish(sample_report(workspace))
    raw = Path(run.env["GITHUB_OUTPUT"]).read_text()
    assert "published<<ghadelimiter_" in raw
    outputs = parse_outputs(raw)
    assert json.loads(outputs["published"]) == [
        {
            "post": "posts/a.md",
            "platform": "devto",
            "url": "https://dev.to/me/a-1",
            "canonical_url": "https://blog.example.com/posts/a/",
        }
    ]
    failed = json.loads(outputs["failed"])
    assert failed[0]["platform"] == "hashnode" and failed[0]["status"] == "failed"
    assert failed[1] == {
        "post": "posts/bad,1.md",
        "platform": None,
        "status": "invalid",
        "message": "bad YAML: mapping values, here",
    }
    attention = json.loads(outputs["needs-attention"])
    assert [(a["post"], a["platform"]) for a in attention] == [("posts/a.md", "medium")]
    assert outputs["records-artifact"] == ""


def test_a_bug_after_start_still_writes_the_outputs(tmp_path: Path, workspace: Path) -> None:
    run, out = start(tmp_path, workspace, CROSSPOST_DEVTO_TOKEN=CANARY)
    report_stop(run.env, ValueError(f"boom near {CANARY}"), run)
    assert (
        out.getvalue()
        .splitlines()[-1]
        .startswith(
            "::error title=crosspost%3A stopped::internal error (ValueError): boom near ***"
        )
    )
    outputs = parse_outputs(Path(run.env["GITHUB_OUTPUT"]).read_text())
    assert json.loads(outputs["published"]) == json.loads(outputs["needs-attention"]) == []
    [failed] = json.loads(outputs["failed"])
    assert failed["status"] == "error" and failed["platform"] is None
    assert CANARY not in outputs["failed"]


def test_a_run_that_reported_writes_its_outputs_once(tmp_path: Path, workspace: Path) -> None:
    run, _ = start(tmp_path, workspace)
    run.finish(sample_report(workspace))
    written = Path(run.env["GITHUB_OUTPUT"]).read_text()
    report_stop(run.env, KeyboardInterrupt(), run)  # a late exception: finish has reported
    assert Path(run.env["GITHUB_OUTPUT"]).read_text() == written


def test_summary_table_and_counts(tmp_path: Path, workspace: Path) -> None:
    run, _ = start(tmp_path, workspace)
    code = run.finish(sample_report(workspace))
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert code == 3  # attention wins over failed, as the CLI's exit codes say
    assert summary.startswith("### crosspost: 1 published, 2 failed, 1 need attention\n")
    assert "| Post | Platform | Status | Link |" in summary
    assert (
        "| <code>posts/a.md</code> | devto | created | [open](https://dev.to/me/a-1) |" in summary
    )
    assert "mastodon | held: the page is not live yet |" in summary
    assert "1 unchanged, 1 held (drafts, scheduled, or dated before site.since)." in summary
    assert "<details><summary>1 held</summary>" in summary
    assert "<code>posts/bad,1.md:3</code>: bad YAML: mapping values, here" in summary
    assert "Could not tell which posts it changed" in summary  # made-up before/after
    assert summary.endswith("**Records:** nothing to record\n")


def test_cells_are_escaped(tmp_path: Path, workspace: Path) -> None:
    run, _ = start(tmp_path, workspace)
    run.finish(
        Report(
            (
                Result(
                    str(workspace / "posts" / "a.md"),
                    "devto",
                    Status.FAILED,
                    "bad | pipe <b>html</b>\nnewline",
                ),
            )
        )
    )
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "failed: bad &#124; pipe &lt;b&gt;html&lt;/b&gt; newline |" in summary


def test_dry_run_writes_no_records(tmp_path: Path, workspace: Path) -> None:
    run, _ = start(tmp_path, workspace)
    records = workspace / ".crosspost" / "records.json"
    records.parent.mkdir()
    records.write_text('{"version": 1, "posts": {}}\n')
    assert run.finish(Report(dry_run=True)) == 0
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("### crosspost (dry run): 0 published")
    assert "**Records:** dry run: nothing written" in summary


def test_a_run_stopped_by_an_error_still_pushes_what_it_recorded(
    tmp_path: Path, workspace: Path
) -> None:
    """Posts published before the error are in the records file: they reach origin, so the
    next run does not post them again; the outputs then say why the run stopped."""
    run, out = start(tmp_path, workspace)
    with Records.open(run.config.records) as records:
        entry = Entry("published", id="1", url="https://dev.to/me/a-1")
        records.put("https://blog.example.com/posts/a/", "devto", entry, source="posts/a.md")
    run.save_after_error()
    report_stop(run.env, ValueError("boom"), run)
    pushed = git(workspace, "show", "origin/main:.crosspost/records.json")
    assert '"https://dev.to/me/a-1"' in pushed
    assert "records: " in out.getvalue()
    outputs = parse_outputs(Path(run.env["GITHUB_OUTPUT"]).read_text())
    assert (
        outputs["records-artifact"] == "" and json.loads(outputs["failed"])[0]["status"] == "error"
    )


def test_a_platforms_url_cannot_break_the_summary_table(tmp_path: Path, workspace: Path) -> None:
    """Issue 13: every summary cell is escaped, the link a platform answered with included."""
    run, _ = start(tmp_path, workspace)
    hostile = "https://dev.to/a\n| forged | row | here | [x](javascript:alert(1)) |\n<script>"
    run.finish(
        Report(
            (
                Result(str(workspace / "posts" / "a.md"), "devto", Status.CREATED, "", url=hostile),
                Result(
                    str(workspace / "posts" / "b.md"),
                    "hashnode",
                    Status.CREATED,
                    "",
                    url="javascript:alert(1)",
                ),
            )
        )
    )
    summary = Path(run.env["GITHUB_STEP_SUMMARY"]).read_text()
    rows = [line for line in summary.splitlines() if line.startswith("| <code>posts/")]
    assert len(rows) == 2, summary
    assert all(row.count(" | ") == 3 for row in rows), rows
    assert "<script>" not in summary and "](javascript:" not in summary
