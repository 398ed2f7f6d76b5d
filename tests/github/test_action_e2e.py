"""The action for real: action.yml's steps run with bash under a simulated Actions job, in a
clone of a bare "origin", publishing the example blog to the sandbox's fake platforms.

Each job is what GitHub does on a push: a fresh checkout of main (actions/checkout), the push
event JSON, fresh $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, and the example workflow's
`with:` (the secrets are the sandbox's tokens, unique canaries that must never be printed).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crosspost.action import BOT_EMAIL
from crosspost.sandbox import Sandbox

from ..conftest import EXAMPLE_BLOG
from ..records_view import records_view
from .helpers import (
    ActionResult,
    CompositeRunner,
    Remote,
    actions_env,
    event_file,
    git,
    workflow_action_inputs,
)

PLATFORMS = ["devto", "hashnode", "medium", "mastodon", "bluesky"]
POSTS = "src/content/posts"
SITE = "https://blog.example.com"
ELIGIBLE = {  # dated after site.since and not drafts
    f"{POSTS}/drawing-diagrams/index.md",
    f"{POSTS}/shell-comments-are-not-headings.md",
    f"{POSTS}/reaching-1000-followers.md",
    f"{POSTS}/notes-tips-and-warnings.md",
}
NEW_POST = (
    "---\ntitle: {title}\npublished: 2024-06-01\ndescription: New.\ntags: [News]\n---\n\n{body}\n"
)
SECRETS = {
    "devto": "DEVTO_TOKEN",
    "hashnode": "HASHNODE_TOKEN",
    "medium": "MEDIUM_TOKEN",
    "mastodon": "MASTODON_TOKEN",
    "bluesky": "BLUESKY_TOKEN",
}


@dataclass
class Blog:
    """The user's blog repository, its origin, the sandbox, and the jobs run so far."""

    tmp: Path
    remote: Remote
    sandbox: Sandbox
    runner: CompositeRunner = field(default_factory=CompositeRunner)
    jobs: int = 0

    @property
    def author(self) -> Path:
        return self.remote.author

    def write(self, rel: str, text: str) -> None:
        path = self.author / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")

    def job(
        self,
        before: str | None,
        after: str | None,
        *,
        event: str = "push",
        sha: str | None = None,
        inputs: dict[str, str] | None = None,
        after_checkout: Callable[[], None] | None = None,
        cancel: Callable[[subprocess.Popen[str]], None] | None = None,
        **payload: Any,
    ) -> ActionResult:
        """One workflow run: checkout, then the action, as on GitHub."""
        self.jobs += 1
        workspace = self.remote.checkout(self.tmp / f"job{self.jobs}")
        if sha is not None:  # a re-run: actions/checkout puts main at the run's own commit
            git(workspace, "checkout", "-q", "-B", "main", sha)
        if after_checkout is not None:
            after_checkout()
        if event == "push":
            payload.update(before=before, after=after, ref="refs/heads/main", commits=[{}])
        path = event_file(self.tmp, event, **payload)
        env = actions_env(self.tmp, workspace, event=event, event_path=path, sha=after or "")
        secrets = {SECRETS[name]: token for name, token in self.sandbox.tokens.items()}
        result = self.runner.run(
            env,
            {**workflow_action_inputs(), "api-hosts": self.api_hosts(), **(inputs or {})},
            workspace=workspace,
            secrets=secrets,
            cancel=cancel,
        )
        self.assert_tokens_hidden(result, workspace)
        return result

    def api_hosts(self, *more: str) -> str:
        """The workflow's `api-hosts` input: each platform's fake (on 127.0.0.1, no platform's
        default address) confirmed for that platform, as the blog's maintainer lists its own
        servers, and `more` (`NAME=URL` entries)."""
        own = sorted(f"{name}={fake.url}" for name, fake in self.sandbox.fakes.items())
        return "\n".join([*own, *more])

    def push(self, message: str, **kwargs: Any) -> ActionResult:
        before, after = self.remote.push(message)
        return self.job(before, after, **kwargs)

    def assert_tokens_hidden(self, result: ActionResult, workspace: Path) -> None:
        """Masks come first; apart from them no token appears in logs, outputs, summary or
        records."""
        publish = next(s for s in result.steps if s.id == "publish")
        masks = [f"::add-mask::{t}" for t in sorted(self.sandbox.tokens.values())]
        head = publish.stdout.splitlines()[: len(masks)]
        assert sorted(head) == masks, publish.stdout[:500] + publish.stderr[-2000:]
        rest = result.log.replace("\n".join(head), "")
        for token in self.sandbox.tokens.values():
            assert token not in rest
            assert token not in result.summary
            assert token not in json.dumps(result.outputs)
            for records in workspace.glob(".crosspost/*.json"):
                assert token not in records.read_text("utf-8")

    def copies(self, rel: str) -> dict[str, int]:
        """How many copies of a post each fake platform holds (never more than one)."""
        url = f"{SITE}/posts/{_slug(rel)}/"
        return {name: len(fake.copies(url)) for name, fake in self.sandbox.fakes.items()}

    def origin_records(self, ref: str = "main") -> dict[str, Any]:
        return records_view(git(self.remote.origin, "show", f"{ref}:.crosspost/records.json"))


def _any_published(records: str) -> bool:
    posts = records_view(records)["posts"].values()
    return any(e["state"] == "published" for post in posts for e in post["platforms"].values())


def _slug(rel: str) -> str:
    name = Path(rel)
    return name.parent.name if name.name == "index.md" else name.stem


def published(result: ActionResult) -> set[tuple[str, str]]:
    return {(p["post"], p["platform"]) for p in result.json("published")}


@pytest.fixture
def blog(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> Blog:
    return make_blog(tmp_path, sandbox_factory)


def make_blog(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> Blog:
    """The example blog in a repository with an origin, its platforms the sandbox's fakes."""
    sandbox = sandbox_factory(PLATFORMS)
    remote = Remote.create(tmp_path)
    shutil.copytree(EXAMPLE_BLOG, remote.author, dirs_exist_ok=True)
    site = (EXAMPLE_BLOG / "crosspost.toml").read_text("utf-8").split("[platforms.")[0]
    (remote.author / "crosspost.toml").write_text(site + sandbox.toml(), "utf-8")
    workflows = remote.author / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(EXAMPLE_BLOG.parent / "github-workflow.yml", workflows / "crosspost.yml")
    return Blog(tmp_path, remote, sandbox)


def test_publish_on_merge_story(blog: Blog) -> None:
    # 1. The first push carries the whole blog: only the posts after site.since go out.
    first = blog.push("my blog")  # origin was empty: before is all zeros
    assert first.returncode == 0, first.log
    assert published(first) == {(post, p) for post in ELIGIBLE for p in PLATFORMS}
    assert first.json("failed") == [] and first.json("needs-attention") == []
    for post in ELIGIBLE:
        assert blog.copies(post) == dict.fromkeys(PLATFORMS, 1)
    assert blog.copies(f"{POSTS}/2023-in-review.md") == dict.fromkeys(PLATFORMS, 0)
    assert blog.copies(f"{POSTS}/half-finished-ideas.md") == dict.fromkeys(PLATFORMS, 0)
    records = blog.origin_records()
    assert len(records["posts"]) == len(ELIGIBLE)
    assert git(blog.remote.origin, "log", "-1", "--format=%ae|%s") == (
        f"{BOT_EMAIL}|chore(crosspost): update records [skip ci]"
    )
    assert f"### crosspost: {len(ELIGIBLE) * len(PLATFORMS)} published" in first.summary
    assert "first push of this branch" in first.stdout
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")

    # 2. Editing one post updates it where platforms can update, and nothing else.
    path = blog.author / POSTS / "shell-comments-are-not-headings.md"
    path.write_text(path.read_text("utf-8") + "\nOne more paragraph.\n", "utf-8")
    edit = blog.push("edit one post")
    post = f"{POSTS}/shell-comments-are-not-headings.md"
    assert edit.returncode == 0, edit.log
    # The toot (title, description, link) did not change; Medium cannot update: said, not re-sent.
    assert published(edit) == {(post, "devto"), (post, "hashnode")}
    assert f"::warning file={post},title=crosspost medium%3A unsupported::" in edit.stdout
    assert f"| modified | <code>{post}</code> |" in edit.summary
    assert blog.copies(post) == dict.fromkeys(PLATFORMS, 1)
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")

    # Re-running that job checks out its own commit, older than the records commit on top of
    # it: the run reads the newer records and posts nothing twice.
    before, after = git(blog.author, "rev-parse", "HEAD~2", "HEAD~1").split()
    rerun = blog.job(before, after, sha=after)
    assert rerun.returncode == 0, rerun.log
    assert rerun.json("published") == []
    assert blog.copies(post) == dict.fromkeys(PLATFORMS, 1)

    # 3. A push touching no post publishes nothing and commits nothing.
    blog.write("public/images/logo.png", "not really a png")
    tip_before = blog.remote.head()
    other = blog.push("new logo")
    assert other.returncode == 0, other.log
    assert other.json("published") == []
    assert "No post changed." in other.summary
    assert git(blog.remote.origin, "log", "-1", "--format=%s") == "new logo"
    assert blog.remote.head() != tip_before

    # 4. A rename that keeps the slug keeps the canonical URL: nothing new anywhere. (Into a
    # page bundle: Astro drops the `/index` of an entry's slug. Into another folder the slug,
    # and so the URL, would change: Astro's slug carries the folder.)
    (blog.author / POSTS / "notes-tips-and-warnings").mkdir()
    bundle = f"{POSTS}/notes-tips-and-warnings/index.md"
    git(blog.author, "mv", f"{POSTS}/notes-tips-and-warnings.md", bundle)
    renamed = blog.push("move a post into a page bundle")
    assert renamed.returncode == 0, renamed.log
    assert renamed.json("published") == []
    assert (
        f"| renamed | <code>{POSTS}/notes-tips-and-warnings.md</code> → <code>{bundle}</code> "
        "(nothing new)"
    ) in renamed.summary
    assert blog.copies(f"{POSTS}/notes-tips-and-warnings.md") == dict.fromkeys(PLATFORMS, 1)
    # The records follow the file, and its digests are recorded again once its URL was
    # compared, so the moved post is back on the no-op fast path.
    moved = blog.origin_records()["posts"][f"{SITE}/posts/notes-tips-and-warnings/"]
    assert moved["source"] == bundle
    assert all(entry.get("blob") for entry in moved["platforms"].values())
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")

    # 5. Origin moves between the checkout and the records push: the records still land.
    blog.write(f"{POSTS}/racing.md", NEW_POST.format(title="Racing", body="A new post."))
    someone = blog.tmp / "someone"

    def someone_pushes() -> None:
        if not someone.exists():
            blog.remote.checkout(someone)
        git(someone, "pull", "-q", "origin", "main")
        (someone / "README.md").write_text("edited on the web\n")
        git(someone, "add", "README.md")
        git(someone, "commit", "-q", "-m", "README edited on github.com")
        git(someone, "push", "-q", "origin", "main")

    race = blog.push("a new post", after_checkout=someone_pushes)
    assert race.returncode == 0, race.log
    assert published(race) == {(f"{POSTS}/racing.md", p) for p in PLATFORMS}
    subjects = git(blog.remote.origin, "log", "-3", "--format=%s").splitlines()
    assert subjects[:2] == [
        "chore(crosspost): update records [skip ci]",
        "README edited on github.com",
    ]
    assert f"{SITE}/posts/racing/" in blog.origin_records()["posts"]
    assert len(blog.origin_records()["posts"]) == len(ELIGIBLE) + 1

    # 6. A post that cannot be read is annotated at its file and line; the others still go out.
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    broken = "---\ntitle: Broken\npublished: 2024-06-01\ntags: [a, b\n---\n\nx\n"
    blog.write(f"{POSTS}/broken.md", broken)
    blog.write(f"{POSTS}/fine.md", NEW_POST.format(title="Fine", body="Fine."))
    result = blog.push("one good post, one broken")
    assert result.returncode == 2, result.log
    annotation = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith(f"::error file={POSTS}/broken.md,line=")
    )
    assert "title=crosspost%3A cannot read this post::" in annotation
    assert published(result) == {(f"{POSTS}/fine.md", p) for p in PLATFORMS}
    assert [f["post"] for f in result.json("failed")] == [f"{POSTS}/broken.md"]
    assert f"{SITE}/posts/fine/" in blog.origin_records()["posts"]
    assert f"| added | <code>{POSTS}/broken.md</code> |" in result.summary


def test_a_cancelled_run_is_caught_up_without_duplicates(blog: Blog) -> None:
    for fake in blog.sandbox.fakes.values():
        fake.latency = 0.15  # slow enough to cancel in the middle

    def cancel_after_first_publish(process: subprocess.Popen[str]) -> None:
        workspace = blog.tmp / f"job{blog.jobs}"
        deadline = time.monotonic() + 20
        target = workspace / ".crosspost" / "records.json"
        while time.monotonic() < deadline:
            if target.exists() and _any_published(target.read_text("utf-8")):
                break
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGINT)  # what the runner does first on cancel

    cancelled = blog.push("my blog", cancel=cancel_after_first_publish)
    assert cancelled.returncode == 130, cancelled.log
    assert "### crosspost: cancelled" in cancelled.summary
    assert cancelled.json("published") == [] and cancelled.json("needs-attention") == []
    assert [f["status"] for f in cancelled.json("failed")] == ["cancelled"]
    # failure() is false in a cancelled job: the cancelled-job step is the one that runs, and
    # finds nothing to upload because the records reached origin.
    assert "keep-cancelled-records" in cancelled.reached
    assert "keep-records" not in cancelled.reached
    assert not (blog.tmp / "runner-temp" / "crosspost-records" / "records.json").exists()
    saved = blog.origin_records()["posts"]
    assert len(saved) > 0
    done = sum(e["state"] == "published" for p in saved.values() for e in p["platforms"].values())
    assert done < len(ELIGIBLE) * len(PLATFORMS)  # it really stopped halfway

    for fake in blog.sandbox.fakes.values():
        fake.latency = 0.0
    # Re-run by hand (workflow_dispatch): interrupted creates are looked up before anything is
    # sent again. Medium cannot be searched, so a create it was in the middle of is left for a
    # human (needs-attention, exit 3) instead of being risked twice.
    again = blog.job(None, None, event="workflow_dispatch", inputs={})
    attention = {(a["post"], a["platform"]) for a in again.json("needs-attention")}
    assert {platform for _, platform in attention} <= {"medium"}, again.log
    assert again.returncode == (3 if attention else 0), again.log
    for post in ELIGIBLE:
        copies = blog.copies(post)
        assert copies["devto"] == copies["hashnode"] == copies["mastodon"] == 1, post
        assert copies["medium"] == 1 or (post, "medium") in attention, post
        assert copies["medium"] <= 1, post


def protect_main(remote: Remote) -> None:
    """A server-side rule like GitHub's protected branches: the bot may not push to main."""
    hook = remote.origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "while read old new ref; do\n"
        '  by="$(git log -1 --format=%ae "$new")"\n'
        f'  if [ "$ref" = refs/heads/main ] && [ "$by" = "{BOT_EMAIL}" ]; then\n'
        "    echo 'GH006: Protected branch update failed for refs/heads/main.' >&2; exit 1\n"
        "  fi\n"
        "done\n"
    )
    hook.chmod(0o755)


def test_protected_main_with_a_records_branch(blog: Blog) -> None:
    protect_main(blog.remote)
    branch = {"records-branch": "crosspost-records"}
    first = blog.push("my blog", inputs=branch)
    assert first.returncode == 0, first.log
    assert git(blog.remote.origin, "log", "-1", "--format=%s", "main") == "my blog"
    assert len(blog.origin_records("crosspost-records")["posts"]) == len(ELIGIBLE)

    path = blog.author / POSTS / "reaching-1000-followers.md"
    path.write_text(path.read_text("utf-8") + "\nUpdate: 1000 reached.\n", "utf-8")
    edit = blog.push("edit", inputs=branch)
    assert edit.returncode == 0, edit.log
    post = f"{POSTS}/reaching-1000-followers.md"
    assert published(edit) == {(post, "devto"), (post, "hashnode")}
    for name in ELIGIBLE:
        assert blog.copies(name) == dict.fromkeys(PLATFORMS, 1)


def test_protected_main_without_a_records_branch_keeps_an_artifact(blog: Blog) -> None:
    protect_main(blog.remote)
    result = blog.push("my blog")
    assert result.returncode == 1, result.log
    assert published(result)  # published, and the records are not lost:
    artifact = Path(result.step_outputs["publish"]["records-artifact"])
    assert len(json.loads((artifact / "records.json").read_text())["posts"]) == len(ELIGIBLE)
    assert "keep-records" in result.reached  # the failed job's artifact step, not the other
    assert "keep-cancelled-records" not in result.reached
    assert "::error title=crosspost%3A records not saved::" in result.stdout


def slow_origin(remote: Remote, marker: Path, seconds: int = 3) -> None:
    """A pre-receive hook that says that a push is running (it writes its environment to
    `marker`), then takes its time, so the test can cancel the job in the middle of the push."""
    hook = remote.origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\nenv > '{marker}'\nsleep {seconds}\n")
    hook.chmod(0o755)


def test_a_cancel_during_the_records_push_still_saves_them(blog: Blog) -> None:
    marker = blog.tmp / "push-started"

    def cancel_during_the_push(process: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the records push never started"
        os.kill(process.pid, signal.SIGINT)  # the runner's cancel: SIGINT, then SIGTERM
        time.sleep(0.2)
        os.kill(process.pid, signal.SIGTERM)

    result = blog.push(
        "my blog",
        after_checkout=lambda: slow_origin(blog.remote, marker),
        cancel=cancel_during_the_push,
    )
    assert result.returncode == 0, result.log
    assert "Aborted!" not in result.log
    assert len(blog.origin_records()["posts"]) == len(ELIGIBLE)
    assert f"### crosspost: {len(ELIGIBLE) * len(PLATFORMS)} published" in result.summary
    assert "**Records:** committed as" in result.summary
    hook_env = marker.read_text()
    assert all(token not in hook_env for token in blog.sandbox.tokens.values())


def _without_since(blog: Blog) -> dict[str, str]:
    toml = blog.author / "crosspost.toml"
    lines = toml.read_text("utf-8").splitlines(keepends=True)
    toml.write_text("".join(line for line in lines if not line.startswith("since")), "utf-8")
    return {}


def _folder_without_posts(blog: Blog) -> dict[str, str]:
    blog.write("notes/README.txt", "not a post\n")
    return {"paths": "notes"}


def _broken_config(blog: Blog) -> dict[str, str]:
    toml = blog.author / "crosspost.toml"
    toml.write_text(toml.read_text("utf-8") + "\n[site\n", "utf-8")
    return {}


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (_without_since, "site.since is not set"),  # ActionRun.start refuses
        (_folder_without_posts, "no posts found in"),  # the publish step's own
        (_broken_config, "TOML syntax error"),  # before the Action even starts
    ],
)
def test_every_early_exit_still_writes_the_outputs(
    blog: Blog, setup: Callable[[Blog], dict[str, str]], reason: str
) -> None:
    result = blog.push("my blog", inputs=setup(blog))
    assert result.returncode == 2, result.log
    annotation = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("::error ") and "title=crosspost%3A stopped::" in line
    )
    assert reason in annotation.replace("%3A", ":").replace("%2C", ","), annotation
    assert result.json("published") == [] and result.json("needs-attention") == []
    [failed] = result.json("failed")
    assert failed["status"] == "error" and reason in failed["message"]
    assert "### crosspost: stopped" in result.summary
    if setup is _broken_config:  # the annotation points at the file and line
        last = len((blog.author / "crosspost.toml").read_text("utf-8").splitlines())
        assert annotation.startswith(f"::error file=crosspost.toml,line={last},"), annotation
    for post in ELIGIBLE:
        assert blog.copies(post) == dict.fromkeys(PLATFORMS, 0)


def test_a_renamed_and_edited_post_is_moved_not_posted_again(blog: Blog) -> None:
    first = blog.push("my blog")
    assert first.returncode == 0, first.log
    git(blog.author, "pull", "-q", "--rebase", "origin", "main")
    old, new = f"{POSTS}/shell-comments-are-not-headings.md", f"{POSTS}/shell-comments.md"
    git(blog.author, "mv", old, new)  # the slug comes from the file name: a new canonical URL
    path = blog.author / new
    path.write_text(path.read_text("utf-8").replace("til\n", "til, shell\n", 1), "utf-8")
    assert git(blog.author, "diff", "--cached", "--name-status", "-M").startswith("R")

    moved = blog.push("rename a post, and fix a tag")
    assert moved.returncode == 0, moved.log
    statuses = {p["status"] for p in moved.json("failed")}
    assert statuses <= {"unsupported"}, moved.log  # Medium cannot update: said, not re-posted
    assert not any(
        line.startswith("| ") and "created" in line for line in moved.summary.splitlines()
    )
    assert f"| renamed | <code>{old}</code> → <code>{new}</code> (its canonical URL changed" in (
        moved.summary
    )
    for name in PLATFORMS:
        assert blog.copies(old)[name] + blog.copies(new)[name] == 1, name
    records = blog.origin_records()["posts"]
    assert f"{SITE}/posts/shell-comments/" in records
    assert f"{SITE}/posts/shell-comments-are-not-headings/" not in records
    assert records[f"{SITE}/posts/shell-comments/"]["source"] == new
