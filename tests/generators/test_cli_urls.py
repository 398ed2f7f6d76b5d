"""`check --urls` shows every post's canonical URL (or why it is held); `init` shows the URL it
computes for one real post, to compare with the live page (issue 19)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crosspost.cli.commands import main
from tests.generators.oracle import copy_site


def test_init_shows_one_posts_url_and_check_lists_every_url(tmp_path: Path) -> None:
    site = copy_site("hugo-yaml", tmp_path)
    runner = CliRunner()
    init = runner.invoke(main, ["init", str(site)])
    assert init.exit_code == 0, init.output
    # The newest post the site builds (by date; drafts, scheduled and expired posts have no page).
    assert "content/posts/escaped-slug.md would be cross-posted as " in init.output
    assert "https://example.org/2024/07/xayzz-w-k+l/: compare it with the live page" in (
        init.output
    )
    assert "7 of your 7 published posts are dated before since" in init.output
    check = runner.invoke(main, ["check", "--urls", str(site)])
    lines = [line for line in check.stdout.splitlines() if ": https://" in line]
    assert (
        "content/posts/Capitalised-File.md: https://example.org/2024/03/hello-world-hugos-title-slug/"
        in "\n".join(lines)
    )
    assert any(
        line.endswith(
            "expired.md: https://example.org/2024/01/gone-already/ (held: expired on "
            "2024-02-01 00:00 UTC: the site no longer builds it)"
        )
        for line in lines
    )
    assert len(lines) == 11
