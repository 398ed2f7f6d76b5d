"""Issue 17, onboarding: each reproduction as a CLI end-to-end test (the installed script, a
blog laid out as Hugo lays one out)."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from crosspost.suggest import allowed_hint, closest

from .blogs import CROSSPOST

REPO = Path(__file__).resolve().parents[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env.update(NO_COLOR="1", COLUMNS="200", GITHUB_ACTIONS="false")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env | extra


def cli(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CROSSPOST), *args],
        cwd=cwd,
        env=_env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def hugo_blog(root: Path) -> Path:
    """A Hugo site as `hugo new site` leaves it, with two posts."""
    (root / "content" / "posts").mkdir(parents=True)
    (root / "hugo.toml").write_text(
        "baseURL = 'https://jane.example.org/'\nlanguageCode = 'en-us'\ntitle = 'Jane'\n"
    )
    for name, day in (("first-light", "2024-05-01"), ("second-wind", "2024-06-02")):
        (root / "content" / "posts" / f"{name}.md").write_text(
            f"+++\ntitle = '{name}'\ndate = {day}T10:00:00Z\ndraft = false\n+++\n\nText.\n"
        )
    return root


def test_check_without_config_suggests_init(tmp_path: Path) -> None:
    run = cli("check", cwd=tmp_path)
    assert run.returncode == 2
    assert "no posts found in ." in run.stderr
    assert "run `crosspost init`" in run.stderr


def test_init_ends_with_the_next_steps_for_this_blog(tmp_path: Path) -> None:
    blog = hugo_blog(tmp_path / "blog")
    run = cli("init", cwd=blog)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == ["wrote crosspost.toml (detected Hugo)", "next steps:"]
    assert lines[2].startswith(
        "  1. content/posts/second-wind.md would be cross-posted as "
        "https://jane.example.org/posts/second-wind/: compare it with the live page"
    )
    assert "2 of your 2 published posts are dated before since (today)" in lines[3]
    assert "set since = 2024-05-01 in [site] of crosspost.toml" in lines[3]
    assert "uncomment its [platforms.NAME] table" in lines[4] and "crosspost doctor" in lines[4]
    from crosspost.adapter import load_adapters

    written = (blog / "crosspost.toml").read_text()
    for name in load_adapters():  # every platform, each with its table in the config
        assert f"# [platforms.{name}]" in written and name in lines[4], name
    assert "`crosspost platforms` lists every installed one" in lines[4]


def test_init_in_a_subfolder_of_a_blog_refuses_a_second_config(tmp_path: Path) -> None:
    """`crosspost init` run from content/posts of a blog that has its crosspost.toml: a second
    config there would split the blog (its own records, its own root), so it is refused, naming
    the parent's file; `--force` writes one all the same."""
    blog = hugo_blog(tmp_path / "blog")
    assert cli("init", cwd=blog).returncode == 0
    posts = blog / "content" / "posts"
    run = cli("init", cwd=posts)
    assert run.returncode == 2
    assert run.stderr.startswith(
        f"error: {(blog / 'crosspost.toml').resolve()}: this folder is already in the blog this "
        "crosspost.toml configures"
    ), run.stderr
    assert "crosspost init --force" in run.stderr and "Traceback" not in run.stderr
    assert not (posts / "crosspost.toml").exists()
    named = cli("init", "content/posts", cwd=blog)
    assert named.returncode == 2 and named.stderr.startswith("error: crosspost.toml: this")
    forced = cli("init", "--force", cwd=posts)
    assert forced.returncode == 0, forced.stderr
    assert (posts / "crosspost.toml").is_file()
    again = cli("init", "--force", cwd=posts)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_the_first_dry_run_says_why_posts_are_held(tmp_path: Path) -> None:
    blog = hugo_blog(tmp_path / "blog")
    cli("init", cwd=blog)
    config = blog / "crosspost.toml"
    config.write_text(config.read_text().replace("# [platforms.devto]", "[platforms.devto]"))
    run = cli("publish", "--dry-run", cwd=blog)
    assert run.returncode == 0, run.stderr
    assert "2 held" in run.stdout
    today = datetime.date.today().isoformat()
    assert f"2 posts are dated before site.since ({today}) and never cross-posted" in run.stderr
    assert "since = 2024-05-01 takes them all" in run.stderr
    config.write_text(config.read_text().replace(f"since = {today}", "since = 2024-05-01"))
    again = cli("publish", "--dry-run", cwd=blog)
    assert "2 planned" in again.stdout and "site.since" not in again.stderr


def test_a_placeholder_left_in_the_config_is_an_error(tmp_path: Path) -> None:
    blog = hugo_blog(tmp_path / "blog")
    cli("init", cwd=blog)
    config = blog / "crosspost.toml"
    text = config.read_text().replace("# [platforms.hashnode]", "[platforms.hashnode]")
    config.write_text(text.replace('# publication = "yourblog', 'publication = "yourblog'))
    line = next(n for n, t in enumerate(config.read_text().splitlines(), 1) if "publication =" in t)
    for command in (["check"], ["publish", "--dry-run"]):
        run = cli(*command, cwd=blog)
        assert run.returncode == 2, command
        assert (
            f"crosspost.toml:{line}: field 'platforms.hashnode.publication': "
            "'yourblog.hashnode.dev' is a placeholder" in run.stderr
        )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            "[platforms.devtoo]\n",
            "no adapter installed for [platforms.devtoo] (did you mean 'devto'?",
        ),
        (
            '[platforms.mastodon]\ninstance = "https://m.example"\nvisibilty = "public"\n',
            "unknown key 'visibilty' (did you mean 'visibility'?",
        ),
        (
            '[platforms.mastodon]\ninstance = "https://m.example"\nvisibility = "publik"\n',
            "'publik' is not allowed (did you mean 'public'?",
        ),
        (  # a key every platform takes, misspelt: the adapter's table offers it too
            '[platforms.mastodon]\ninstance = "https://m.example"\ntimeuot = 5\n',
            "unknown key 'timeuot' (did you mean 'timeout'?",
        ),
    ],
)
def test_near_miss_names_in_the_config_are_suggested(
    tmp_path: Path, table: str, expected: str
) -> None:
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text("[site]\nurl = 'https://jane.example.org'\n" + table)
    run = cli("check", cwd=blog)
    assert run.returncode == 2
    assert expected in run.stderr.replace('"', ""), run.stderr


@pytest.mark.parametrize("name", ["dev.to", "devtoo", "DevTo"])
def test_near_miss_platform_names_on_the_command_line(tmp_path: Path, name: str) -> None:
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text("[site]\nurl = 'https://jane.example.org'\n")
    for command in (
        ["publish", "--dry-run", "--to", name],
        ["login", name],
        ["doctor", "--to", name],
    ):
        run = cli(*command, cwd=blog)
        assert run.returncode == 2, command
        assert "did you mean 'devto'?" in run.stderr, (command, run.stderr)


def test_suggestions_only_when_close() -> None:
    assert closest("medum", ["devto", "medium"]) == "medium"
    assert closest("twitter", ["devto", "medium", "mastodon", "hashnode"]) is None
    assert allowed_hint("zzz", ["b", "a"]) == "allowed: a, b"


def test_login_says_there_is_no_keyring_before_asking_for_the_token(tmp_path: Path) -> None:
    run = cli("login", "devto", cwd=tmp_path, stdin="a-token-never-typed\n")
    assert run.returncode == 2
    assert "token:" not in run.stderr.split("error:")[0], "no prompt before the refusal"
    assert "no keyring backend is available" in run.stderr
    assert "set CROSSPOST_DEVTO_TOKEN instead" in run.stderr


def test_every_upgrade_hint_is_true() -> None:
    """crosspost is not on PyPI until the first release: no message may say `pip install -U`."""
    for path in (REPO / "crosspost").rglob("*.py"):
        assert "pip install -U crosspost" not in path.read_text(), path


def test_the_corrupt_records_hint_names_the_records_path(tmp_path: Path) -> None:
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text(
        "[site]\nurl = 'https://jane.example.org'\nprofile = 'hugo'\n[platforms.devto]\n"
    )
    (blog / ".crosspost").mkdir()
    (blog / ".crosspost" / "records.json").write_text("{not json")
    run = cli("publish", "--dry-run", cwd=blog)
    assert run.returncode == 2
    assert "(git checkout -- .crosspost/records.json)" in run.stderr, run.stderr
    inside = cli("publish", "--dry-run", cwd=blog / "content")
    assert f"(git checkout -- {blog / '.crosspost' / 'records.json'})" in inside.stderr


@pytest.mark.parametrize(
    "command", [("publish", "--dry-run", "--sandbox"), ("doctor", "--sandbox"), ("check",)]
)
def test_a_broken_plugin_is_named_once_per_command(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A command discovers the adapters more than once (the sandbox's, then the run's): the
    warning about a plugin that fails to load is printed once. The plugin registers `devto`
    again, a platform the blog uses, so that every command imports it (a run imports only the
    adapters of the platforms it looks up)."""
    plugin = tmp_path / "site-packages" / "crosspost_broken-0.1.dist-info"
    plugin.mkdir(parents=True)
    (plugin / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: crosspost-broken\nVersion: 0.1\n"
    )
    (plugin / "entry_points.txt").write_text(
        "[crosspost.adapters]\ndevto = crosspost_missing:Broken\n"
    )
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://jane.example.org"\nprofile = "hugo"\nsince = 2024-01-01\n\n'
        "[platforms.devto]\n"
    )
    run = cli(*command, cwd=blog, PYTHONPATH=str(plugin.parent))
    warned = "adapter plugin 'devto' (crosspost_missing:Broken) failed to load"
    assert run.stderr.count(warned) == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_doctor_and_publish_without_a_config_suggest_init(tmp_path: Path) -> None:
    for command in (("doctor",), ("publish",), ("publish", "--dry-run")):
        run = cli(*command, cwd=tmp_path)
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith("error: no crosspost.toml was found here or above"), command
        assert "run `crosspost init` to write one for this blog" in run.stderr


def test_a_sandbox_dry_run_says_it_is_planning(tmp_path: Path) -> None:
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://jane.example.org"\nprofile = "hugo"\nsince = 2024-01-01\n\n'
        "[platforms.devto]\n"
    )
    dry = cli("publish", "--dry-run", "--sandbox", cwd=blog)
    assert dry.returncode == 0, dry.stderr
    assert dry.stderr.startswith("sandbox: planning (a dry run: nothing is sent) against fake")
    assert "publishing" not in dry.stderr


@pytest.mark.parametrize("handle", ["you.bsky.social", "@Alice.bsky.social", "your.handle"])
def test_an_example_bluesky_handle_is_refused_by_check(tmp_path: Path, handle: str) -> None:
    blog = hugo_blog(tmp_path / "blog")
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://jane.example.org"\nprofile = "hugo"\nsince = 2024-01-01\n\n'
        f'[platforms.bluesky]\nhandle = "{handle}"\n'
    )
    run = cli("check", cwd=blog)
    assert run.returncode == 2
    assert run.stderr.startswith(
        f"error: crosspost.toml:7: field 'platforms.bluesky.handle': {handle!r} is a placeholder"
    ), run.stderr


def test_the_token_of_the_example_bluesky_handle_is_refused() -> None:
    from crosspost.adapters.bluesky.session import parse_login
    from crosspost.credentials import Secret
    from crosspost.errors import AuthError

    with pytest.raises(AuthError, match="is the example's, not yours"):
        parse_login(Secret("alice.bsky.social:abcd-efgh-ijkl-mnop"), "")
    assert parse_login(Secret("jane.example.org:abcd-efgh-ijkl-mnop"), "")[0] == "jane.example.org"


@pytest.mark.parametrize("platforms", [["mastodon"], ["bluesky"], ["mastodon", "bluesky"]])
def test_summary_platforms_alone_are_warned_about(tmp_path: Path, platforms: list[str]) -> None:
    """An announcing platform waits for an article platform (after = "article"): alone, every
    run holds every post and announces nothing, which check and the dry run say."""
    blog = hugo_blog(tmp_path / "blog")
    tables = "".join(f"[platforms.{name}]\n" for name in platforms)
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://jane.example.org"\nprofile = "hugo"\nsince = 2024-01-01\n\n'
        + tables.replace(
            "[platforms.mastodon]\n", '[platforms.mastodon]\ninstance = "https://mastodon.social"\n'
        )
    )
    warned = "once an article platform has published it, and no article platform is configured"
    checked = cli("check", cwd=blog)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.count(warned) == 1, checked.stderr
    dry = cli("publish", "--dry-run", "--sandbox", cwd=blog)
    assert dry.returncode == 0 and dry.stderr.count(warned) == 1, dry.stderr
    done = cli("publish", "--sandbox", cwd=blog)
    assert done.stderr.count(warned) == 1, done.stderr
    assert "waiting for an article platform" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "extra",
    [
        "[platforms.devto]\n",
        '[platforms.mastodon]\nafter = "none"\ninstance = "https://m.example"\n',
    ],
)
def test_no_warning_when_a_summary_has_something_to_follow(tmp_path: Path, extra: str) -> None:
    blog = hugo_blog(tmp_path / "blog")
    tables = extra if "mastodon" in extra else extra + "[platforms.bluesky]\n"
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://jane.example.org"\nprofile = "hugo"\nsince = 2024-01-01\n\n'
        + tables
    )
    checked = cli("check", cwd=blog)
    assert checked.returncode == 0, checked.stderr
    assert "no article platform is configured" not in checked.stderr


@pytest.mark.parametrize(
    ("marker", "folder", "shown"),
    [
        ("hugo.toml", "content/posts", "the hugo profile, posts in content/posts"),
        ("_config.yml", "_posts", "the jekyll profile, posts in _posts"),
        ("astro.config.mjs", "src/content/blog", "the astro profile, posts in src/content/blog"),
    ],
)
def test_without_a_config_posts_are_looked_for_where_the_generator_keeps_them(
    tmp_path: Path, marker: str, folder: str, shown: str
) -> None:
    """The generator `init` would detect decides the content folder: a README, an archetype or
    a page elsewhere in the site is not read as a post."""
    (tmp_path / marker).write_text("")
    (tmp_path / folder).mkdir(parents=True)
    (tmp_path / folder / "2024-05-01-hello.md").write_text("---\ntitle: Hello\n---\nText.\n")
    (tmp_path / "README.md").write_text("# My blog\n")
    (tmp_path / "archetypes").mkdir()
    (tmp_path / "archetypes" / "default.md").write_text("+++\ntitle = '{{ .Name }}'\n+++\n")
    run = cli("check", cwd=tmp_path)
    assert f"warning: no crosspost.toml found; using {shown}" in run.stderr
    assert f"{folder}/2024-05-01-hello.md" in run.stdout
    assert "README" not in run.stdout and "archetypes" not in run.stdout
    assert run.stdout.splitlines()[-1].startswith("1 post checked")


def test_init_samples_the_newest_published_post_and_counts_drafts_apart(tmp_path: Path) -> None:
    """Issue 17 trial: `init`'s "compare with the live page" showed a draft (which the
    generator never builds, so there is no live page to compare with), and "N of your N posts
    are dated before since" counted it. The sample is the newest post the blog publishes (by
    date, not by file name); drafts and scheduled posts are counted apart."""
    blog = hugo_blog(tmp_path / "blog")
    posts = blog / "content" / "posts"
    (posts / "third-draft.md").write_text(
        "+++\ntitle = 'draft'\ndate = 2024-07-01T10:00:00Z\ndraft = true\n+++\n\nText.\n"
    )
    (posts / "zz-scheduled.md").write_text(
        "+++\ntitle = 'later'\ndate = 2999-01-01T10:00:00Z\ndraft = false\n+++\n\nText.\n"
    )
    (posts / "a-new-dawn.md").write_text(
        "+++\ntitle = 'dawn'\ndate = 2024-06-20T10:00:00Z\ndraft = false\n+++\n\nText.\n"
    )
    run = cli("init", cwd=blog)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[2].startswith(
        "  1. content/posts/a-new-dawn.md would be cross-posted as "
        "https://jane.example.org/posts/a-new-dawn/: compare it with the live page"
    )
    assert "3 of your 3 published posts are dated before since (today)" in lines[3]
    assert "set since = 2024-05-01 in [site] of crosspost.toml" in lines[3]
    assert lines[3].endswith(
        "; 2 more are not counted: the blog does not publish them now (drafts, scheduled, "
        "expired or unbuilt), and they are cross-posted once it does"
    )
