"""`crosspost check`, `preview`, `init` and `--version`, through click's CliRunner and for real."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crosspost import front_matter
from crosspost.cli.commands import main
from crosspost.config import load_config

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "blog"
SEED = EXAMPLE / "src" / "content" / "posts" / "reaching-1000-followers.md"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "https://b.example"\n')
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "good.md").write_text("---\ntitle: Good\ndate: 2024-02-01\n---\n\n#tag\n")
    return tmp_path


# --------------------------------------------------------------------------- --version


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("crosspost, version ")


@pytest.mark.parametrize(
    ("argv", "own"),
    [
        ("--version", ["crosspost", "crosspost._version", "crosspost.cli"]),
        ("--help", ["crosspost", "crosspost._version", "crosspost.cli", "crosspost.cli._help"]),
    ],
)
def test_version_and_help_import_only_the_entry_point(argv: str, own: list[str]) -> None:
    """Beyond what a bare interpreter has loaded, `--version` and `--help` import crosspost's
    entry point and nothing else, not even a standard module (`__future__`, `typing`, `re`):
    each costs a share of the start-up budget (docs/architecture.md §13)."""
    show = "import sys; print(*sorted(sys.modules))"
    code = (
        f"import sys; sys.argv = ['crosspost', {argv!r}]\n"
        "from crosspost.cli import main\n"
        f"try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0\n{show}"
    )
    env = {**os.environ, "COLUMNS": "80"}

    def loaded(code: str) -> tuple[list[str], set[str]]:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        ).stdout.splitlines()
        return out[:-1], set(out[-1].split())

    _, bare = loaded(show)
    printed, modules = loaded(code)
    assert sorted(modules - bare) == own
    assert printed[0] == (
        f"crosspost, version {_version()}"
        if argv == "--version"
        else "Usage: crosspost [OPTIONS] COMMAND [ARGS]..."
    )


def _modules_after(code: str) -> set[str]:
    """The crosspost.cli modules a fresh interpreter holds after running `code`."""
    show = "import sys; print(*sorted(m for m in sys.modules if m.startswith('crosspost.cli')))"
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\n{show}"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return set(out[-1].split())


def test_the_command_table_names_each_command_and_the_module_that_registers_it() -> None:
    """`COMMAND_FAMILIES` is how the group finds a command before its module is imported: every
    module's commands, each under its own module, and nothing else."""
    code = (
        "import importlib, crosspost.cli.group as g\n"
        "found = {}\n"
        "for family in ('accounts', 'blog', 'check', 'publish', 'status'):\n"
        "    before = set(g.main.commands)\n"
        "    importlib.import_module('crosspost.cli.' + family)\n"
        "    found.update(dict.fromkeys(set(g.main.commands) - before, family))\n"
        "assert found == g.COMMAND_FAMILIES, (found, g.COMMAND_FAMILIES)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("command", "family"), [("publish", "publish"), ("status", "status")])
def test_a_command_imports_its_own_module_of_commands_only(command: str, family: str) -> None:
    code = (
        "from crosspost.cli import main\n"
        f"try:\n    main([{command!r}, '--help'])\nexcept SystemExit as exit:\n"
        "    assert exit.code == 0"
    )
    families = {"accounts", "blog", "check", "publish", "status"}
    loaded = {m.rpartition(".")[2] for m in _modules_after(code)}
    assert loaded & families == {family}


def test_a_mistyped_command_is_answered_with_the_command_it_resembles() -> None:
    """click draws "Did you mean" from the commands registered on the group, which imports
    their modules only when one is asked for: the entry point itself, not the whole tree."""
    code = "from crosspost.cli import main\nmain(['publsh'])"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert "Did you mean 'publish'?" in run.stderr


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    listed = set(re.findall(r"^  ([a-z]+)  ", result.output, re.M))
    from crosspost.cli.group import COMMAND_FAMILIES

    assert listed == set(COMMAND_FAMILIES)


def _version() -> str:
    from crosspost import __version__

    return __version__


# --------------------------------------------------------------------------- check


def test_check_example_blog_warns_about_the_seed_post() -> None:
    result = invoke("check", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "src/content/posts/reaching-1000-followers.md:14:" in result.stdout
    assert "[ambiguous-heading]" in result.stdout
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("6 posts checked, 0 errors")
    assert "1 draft" in summary and "dated before site.since (2024-01-01)" in summary


def test_check_defaults_to_the_content_folder(blog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(blog)
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "content/posts/good.md:6:" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 post checked, 0 errors, 1 warning"


def test_check_errors_exit_2_with_file_and_line(blog: Path) -> None:
    bad = blog / "content" / "posts" / "bad.md"
    bad.write_text("---\ntitle: Bad\ndate: Janaury 11\n---\nB\n")
    result = invoke("check", blog)
    assert result.exit_code == 2
    assert f"{bad}:3: field 'date': cannot read 'Janaury 11' as a date" in result.stdout
    assert "Traceback" not in result.output


def test_check_json(blog: Path) -> None:
    (blog / "content" / "posts" / "bad.md").write_text("no front matter\n")
    result = invoke("check", "--json", "--config", blog / "crosspost.toml", blog / "content")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["config"] == str((blog / "crosspost.toml").resolve())
    assert (report["errors"], report["warnings"]) == (1, 1)
    bad, good = report["posts"]
    assert bad["ok"] is False and bad["error"]["line"] == 1
    assert good["ok"] is True and good["canonical_url"] == "https://b.example/posts/good/"
    assert good["notices"][0] | {"path": None} == {
        "path": None,
        "line": 6,
        "code": "ambiguous-heading",
        "field": None,
        "message": good["notices"][0]["message"],
    }


def test_check_without_posts(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "https://b.example"\n')
    result = invoke("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no posts found")


def test_check_bad_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "ftp://nope"\n')
    result = invoke("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "crosspost.toml:2: field 'site.url'" in result.stderr
    assert "Traceback" not in result.output


def test_check_missing_path() -> None:
    result = invoke("check", "/nonexistent/post.md")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: /nonexistent/post.md: no such file or folder")


def test_check_refuses_two_posts_with_one_canonical_url(blog: Path) -> None:
    bundle = blog / "content" / "posts" / "hello"
    bundle.mkdir()
    (bundle / "index.md").write_text("---\ntitle: Hello\n---\nHi\n")
    (bundle / "index.ja.md").write_text("---\ntitle: Konnichiwa\n---\nHi\n")
    result = invoke("check", blog)
    assert result.exit_code == 2
    english, japanese = bundle / "index.md", bundle / "index.ja.md"
    for path, other in ((english, japanese), (japanese, english)):
        line = next(line for line in result.stdout.splitlines() if line.startswith(f"{path}:"))
        assert f"https://b.example/posts/hello/ is also the URL of {other}" in line
        assert "own slug or canonical_url, or put {lang} in the permalink" in line
    assert "good.md: field 'canonical_url'" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("3 posts checked, 2 errors")
    report = json.loads(invoke("check", "--json", blog).stdout)
    clashing = [post for post in report["posts"] if not post["ok"]]
    assert [post["error"]["field"] for post in clashing] == ["canonical_url"] * 2


def test_check_with_lang_in_the_permalink_has_no_clash(blog: Path) -> None:
    (blog / "crosspost.toml").write_text(
        '[site]\nurl = "https://b.example"\npermalink = "/{lang}/posts/{slug}/"\n'
    )
    bundle = blog / "content" / "posts" / "hello"
    bundle.mkdir()
    (bundle / "index.md").write_text("---\ntitle: Hello\n---\nHi\n")
    (bundle / "index.ja.md").write_text("---\ntitle: Konnichiwa\n---\nHi\n")
    assert invoke("check", blog).exit_code == 0


@pytest.mark.parametrize("kind", ["loop", "dangling", "fifo"])
def test_check_names_what_a_strange_path_is(tmp_path: Path, kind: str) -> None:
    post = tmp_path / "a.md"
    if kind == "loop":
        os.symlink("b.md", post)
        os.symlink("a.md", tmp_path / "b.md")
    elif kind == "dangling":
        os.symlink("gone.md", post)
    else:
        os.mkfifo(post)
    expected = {
        "loop": "this symbolic link loops",
        "dangling": "this symbolic link points to gone.md, which does not exist",
        "fifo": "this is a named pipe (FIFO), not a post file",
    }[kind]
    result = invoke("check", post)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {post}: {expected}")
    assert "internal error" not in result.output


@pytest.mark.parametrize("name", ["crosspost.toml", "pyproject.toml"])
def test_check_validates_a_named_config_as_the_config(blog: Path, name: str) -> None:
    if name == "pyproject.toml":
        (blog / "crosspost.toml").unlink()
        (blog / name).write_text('[tool.crosspost.site]\nurl = "https://b.example"\n')
    result = invoke("check", blog / name)
    assert result.exit_code == 0, result.output
    assert "front matter" not in result.output
    assert result.stdout.splitlines()[-1] == "1 post checked, 0 errors, 1 warning"
    table = "[tool.crosspost.site]" if name == "pyproject.toml" else "[site]"
    (blog / name).write_text(f"{table}\nurl = 3\n")
    result = invoke("check", blog / name)
    assert result.exit_code == 2
    assert f"{blog / name}:" in result.stderr and "site.url" in result.stderr


def test_check_json_reports_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('[site]\nurl = "ftp://nope"\n')
    result = invoke("check", "--json", tmp_path)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["posts"] == [] and report["errors"] == 1
    assert report["error"] | {"message": "", "text": ""} == {
        "file": str(tmp_path / "crosspost.toml"),
        "line": 2,
        "field": "site.url",
        "message": "",
        "hint": None,
        "text": "",
    }
    assert "is not an absolute http(s) URL" in report["error"]["message"]


def test_check_prints_paths_relative_to_the_current_folder(
    blog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (blog / "content" / "posts" / "bad.md").write_text("no front matter\n")
    monkeypatch.chdir(blog)
    result = invoke("check")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(os.path.join("content", "posts", "bad.md") + ":1: ")
    assert lines[1].startswith(os.path.join("content", "posts", "good.md") + ":6: ")
    preview = invoke("preview", blog / "content" / "posts" / "bad.md")
    assert preview.stderr.startswith(f"error: {os.path.join('content', 'posts', 'bad.md')}:1:")


def test_check_warns_about_a_placeholder_site_url(blog: Path) -> None:
    (blog / "crosspost.toml").write_text('[site]\nurl = "https://example.com"\n')
    result = invoke("check", blog)
    assert result.exit_code == 0
    assert "warning: site.url is https://example.com, a placeholder" in result.stderr


# --------------------------------------------------------------------------- preview


def test_preview_markdown_is_a_post_again() -> None:
    result = invoke("preview", SEED)
    assert result.exit_code == 0
    assert "reaching-1000-followers.md:14:" in result.stderr
    matter = front_matter.read(result.stdout)
    assert matter.data["canonical_url"] == "https://blog.example.com/posts/reaching-1000-followers/"
    assert matter.data["tags"] == ["Social Media", "Growth", "Medium"]
    assert matter.body.lstrip("\n").startswith('\\#image: "./heroImage.jpg"')


def test_preview_html_keeps_line_14_a_paragraph() -> None:
    result = invoke("preview", "--format", "html", SEED)
    assert result.exit_code == 0
    assert result.stdout.startswith('<p>#image: "./heroImage.jpg"</p>')
    assert "<h1>" not in result.stdout


def test_preview_json_has_every_field() -> None:
    result = invoke(
        "preview", "--format", "json", EXAMPLE / "src/content/posts/drawing-diagrams/index.md"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {
        "title", "description", "excerpt", "canonical_url", "slug", "date", "updated", "draft",
        "lang", "tags", "category", "series", "cover", "source", "source_hash", "extra",
        "notices", "body",
    }  # fmt: skip
    assert data["tags"] == ["Diagrams", "Tooling"]
    assert data["cover"]["url"] == "https://blog.example.com/posts/drawing-diagrams/cover.png"
    assert data["cover"]["path"].endswith("drawing-diagrams/cover.png")
    assert "(https://blog.example.com/posts/drawing-diagrams/pipeline.png" in data["body"]


def test_preview_bad_post(tmp_path: Path) -> None:
    post = tmp_path / "p.md"
    post.write_text("---\ntitle: [x]\n---\n")
    result = invoke("preview", post)
    assert result.exit_code == 2
    message = "field 'title': the title must be text, not a list (quote it: title: \"…\")"
    assert result.stderr == f"error: {post}:2: {message}\n"


def test_preview_folder(tmp_path: Path) -> None:
    result = invoke("preview", tmp_path)
    assert result.exit_code == 2
    assert "a folder, not a post" in result.stderr


# --------------------------------------------------------------------------- init


INIT_CASES = {
    "fuwari": {"astro.config.mjs": "export default { site: 'https://fuwari.example' }",
               "src/content/posts/a.md": ""},
    "astro": {"astro.config.ts": 'defineConfig({\n  site: "https://astro.example/",\n})'},
    "hugo": {"hugo.toml": "baseURL = 'https://hugo.example/'"},
    "hugo-old": {"config.toml": 'baseURL = "https://hugo-old.example"'},
    "zola": {"config.toml": "base_url = \"https://zola.example\"\ntitle = 'x'"},
    "jekyll": {"_config.yml": 'title: x\nurl: "https://jekyll.example"\n'},
    "docusaurus": {"docusaurus.config.js": "module.exports = {\n  url: 'https://docusaurus.example',\n}"},
    "eleventy": {".eleventy.js": "module.exports = () => {}",
                 "_data/metadata.json": '{"url": "https://eleventy.example/"}'},
    "gatsby": {"gatsby-config.js": "siteMetadata: {\n  siteUrl: `https://gatsby.example`,\n}"},
}  # fmt: skip


@pytest.mark.parametrize("case", INIT_CASES)
def test_init_detects_the_generator(tmp_path: Path, case: str) -> None:
    for name, text in INIT_CASES[case].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = invoke("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'crosspost.toml'}" in result.stdout
    config = load_config(tmp_path / "crosspost.toml")
    assert config.site.profile == case.removesuffix("-old")
    assert config.site.url == f"https://{case}.example"
    assert config.platforms == {}
    # the archive stays home: only posts from the day crosspost was set up are cross-posted
    assert config.site.since == datetime.date.today()
    text = (tmp_path / "crosspost.toml").read_text()
    for table in ("devto", "hashnode", "medium", "mastodon", "bluesky"):
        assert f"# [platforms.{table}]" in text
    # every commented key is valid once uncommented
    data = tomllib.loads(re.sub(r"^# (?=\[|\w+ = )", "", text, flags=re.M))
    assert data["platforms"]["devto"]["api_url"] == "https://dev.to/api"
    assert data["platforms"]["hashnode"]["api_url"] == "https://gql-beta.hashnode.com/"
    assert data["platforms"]["medium"]["api_url"] == "https://api.medium.com/v1"
    assert data["platforms"]["mastodon"]["template"].startswith("{title}\n\n")
    assert data["platforms"]["bluesky"] == {
        "handle": "you.bsky.social",
        "service": "https://bsky.social",
    }


def test_init_without_a_generator(tmp_path: Path) -> None:
    result = invoke("init", tmp_path)
    assert result.exit_code == 0
    assert "no generator detected" in result.stdout
    assert "set url in [site] of " in result.stdout and "address was not found" in result.stdout
    config = load_config(tmp_path / "crosspost.toml")
    assert config.site.profile is None and config.site.url is None


def test_init_without_a_site_url_leaves_check_failing_until_it_is_set(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text("title = 'no address'\n")
    post = tmp_path / "content" / "posts" / "p.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ntitle: P\n---\nB\n")
    assert invoke("init", tmp_path).exit_code == 0
    assert not re.search(r"^url\s*=", (tmp_path / "crosspost.toml").read_text(), re.M)
    result = invoke("check", tmp_path)
    assert result.exit_code == 2
    assert "the site's address is unknown" in result.stdout


INIT_SETTINGS = {
    "jekyll-pretty": ({"_config.yml": "baseurl: /blog\npermalink: pretty\n"},
                      "/blog/{categories}/{year}/{month}/{day}/{slug}/", None),
    "jekyll-custom": ({"_config.yml": "permalink: /:year/:title:output_ext\n"},
                      "/{year}/{slug}.html", None),
    "jekyll-unknown": ({"_config.yml": "permalink: /:hour/:title/\n"}, None, None),
    "hugo-permalinks": ({"hugo.toml": '[permalinks]\nposts = "/:year/:slug/"\n'},
                        "/{year}/{title}/", None),  # Hugo's :slug falls back to the title
    "hugo-post-folder": ({"hugo.toml": "", "content/post/a.md": ""},
                         "/post/{dir}/{slug}/", "content/post"),
    "astro-base": ({"astro.config.mjs": "export default { base: '/docs' }"},
                   "/docs/blog/{slug}/", None),
    "docusaurus-base": ({"docusaurus.config.js": "baseUrl: '/site/',"},
                        "/site/blog/{slug}", None),
}  # fmt: skip


def test_init_puts_a_base_path_into_the_site_url_when_it_knows_the_host(tmp_path: Path) -> None:
    """Images and Liquid's site.baseurl need the base path as much as posts do (issue 19)."""
    (tmp_path / "docusaurus.config.js").write_text("url: 'https://d.example',\nbaseUrl: '/site/',")
    assert invoke("init", tmp_path).exit_code == 0
    site = load_config(tmp_path / "crosspost.toml").site
    assert (site.url, site.permalink) == ("https://d.example/site", None)


@pytest.mark.parametrize("case", INIT_SETTINGS)
def test_init_reads_the_sites_permalink_base_and_content_folder(tmp_path: Path, case: str) -> None:
    files, permalink, content = INIT_SETTINGS[case]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert invoke("init", tmp_path).exit_code == 0
    site = load_config(tmp_path / "crosspost.toml").site
    assert (site.permalink, site.content) == (permalink, content)


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text("# mine\n")
    result = invoke("init", tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "crosspost.toml").read_text() == "# mine\n"


def test_init_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init").exit_code == 0
    assert (tmp_path / "crosspost.toml").is_file()


# --------------------------------------------------------------------------- the real script


def test_installed_script(tmp_path: Path) -> None:
    script = shutil.which("crosspost", path=str(Path(sys.executable).parent))
    assert script, "the crosspost console script is not installed next to this Python"
    env = {**os.environ, "NO_COLOR": "1"}
    version = subprocess.run([script, "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("crosspost, version ")
    checked = subprocess.run(
        [script, "check", str(EXAMPLE)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stderr
    assert "reaching-1000-followers.md:14:" in checked.stdout
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: x\n")
    failed = subprocess.run([script, "preview", str(bad)], capture_output=True, text=True, env=env)
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"error: {bad}:1: front matter opened with '---'")
    assert "Traceback" not in failed.stderr


HELP_MODULE = Path(__file__).resolve().parents[1] / "crosspost" / "cli" / "_help.py"


def clicks_help(columns: int) -> Result:
    """The top-level help as click renders it in a terminal `columns` wide (it leaves 2 columns
    free and wraps at no more than 80)."""
    width = max(min(columns, 80) - 2, 50)
    return CliRunner().invoke(main, ["--help"], terminal_width=width, prog_name="crosspost")


def test_the_fast_help_is_clicks_own() -> None:
    """`crosspost --help` is answered from crosspost/cli/_help.py without importing click; it
    must be exactly what click renders at 80 columns. CROSSPOST_UPDATE_HELP=1 rewrites the file."""
    from crosspost.cli import _help

    rendered = clicks_help(80)
    assert rendered.exit_code == 0
    if os.environ.get("CROSSPOST_UPDATE_HELP") == "1":
        head = HELP_MODULE.read_text("utf-8").split("TEXT = ", 1)[0]
        lines = "".join(  # double quotes, as ruff format wants them
            f"    {json.dumps(line, ensure_ascii=False)}\n"
            for line in rendered.output.splitlines(keepends=True)
        )
        HELP_MODULE.write_text(f"{head}TEXT = (\n{lines})\n", "utf-8")
        pytest.skip("crosspost/cli/_help.py rewritten")
    assert rendered.output == _help.TEXT, (
        "crosspost/cli/_help.py is stale: run CROSSPOST_UPDATE_HELP=1 pytest tests/test_cli.py "
        "-k fast_help"
    )


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("columns", ["100", "60"])
def test_the_script_prints_clicks_help_at_any_width(flag: str, columns: str) -> None:
    script = shutil.which("crosspost", path=str(Path(sys.executable).parent))
    assert script is not None
    env = {**os.environ, "COLUMNS": columns}
    shown = subprocess.run([script, flag], capture_output=True, text=True, env=env, check=True)
    assert shown.stdout == clicks_help(int(columns)).output
