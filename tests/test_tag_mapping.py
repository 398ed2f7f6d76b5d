"""The [tags] table end to end through the CLI: a site tag mapped to each platform's own name
(case-insensitively), the automatic rules for everything else, and an edit of the table
reaching the platforms it concerns."""

from __future__ import annotations

import json

from .blogs import crosspost_env, run_cli, sandbox_blog

ALL = ["devto", "hashnode", "medium", "mastodon"]
CANONICAL = "https://blog.example.com/posts/tagged/"
TAGS = (
    '\n[tags]\n"Social Media" = { devto = "social", hashnode = "socialmedia", mastodon = "SoMe" }\n'
)

POST = """---
title: "Tagged"
description: "A post with mapped tags."
date: 2024-03-01
tags: [Python, social media, Open Source]
---

Text.
"""


def test_custom_tag_names_per_platform(tmp_path, sandbox_factory):
    sandbox = sandbox_factory(ALL)
    root = sandbox_blog(tmp_path, sandbox, extra=TAGS)
    (root / "posts").mkdir()
    (root / "posts" / "tagged.md").write_text(POST, "utf-8")
    env = crosspost_env(sandbox)
    run = run_cli("publish", env=env, cwd=root)
    assert run.returncode == 0, run.stderr

    (article,) = sandbox.fakes["devto"].copies(CANONICAL)
    assert article["tags"] == ["python", "social", "opensource"]
    (post,) = sandbox.fakes["hashnode"].copies(CANONICAL)
    assert [(t["slug"], t["name"]) for t in post["tags"]] == [
        ("python", "Python"),
        ("socialmedia", "social media"),
        ("open-source", "Open Source"),
    ]
    (medium,) = sandbox.fakes["medium"].copies(CANONICAL)
    assert medium["tags"] == ["Python", "social media", "Open Source"], "no mapping: automatic"
    (toot,) = [r.json()["status"] for r in sandbox.fakes["mastodon"].requests if r.method == "POST"]
    assert toot.endswith("\n\n#Python #SoMe #OpenSource")

    config = root / "crosspost.toml"
    config.write_text(config.read_text("utf-8").replace('devto = "social"', 'devto = "sm"'))
    again = run_cli("publish", "--json", env=env, cwd=root)
    assert again.returncode == 0, again.stderr
    assert {r["platform"]: r["status"] for r in json.loads(again.stdout)["results"]} == {
        "devto": "updated",
        "hashnode": "unchanged",
        "medium": "unchanged",
        "mastodon": "unchanged",
    }
    (article,) = sandbox.fakes["devto"].copies(CANONICAL)
    assert article["tags"] == ["python", "sm", "opensource"]


LOSSY = """---
title: "Lossy"
description: "A post whose tags lose characters."
date: 2024-03-01
tags: [C++, Social Media, open-source]
---

Text.
"""


def test_a_tag_that_loses_characters_is_reported_with_the_tags_fix(tmp_path, sandbox_factory):
    """Issue 17 trial: `C++` silently became `c` on dev.to and `#C` on Mastodon and Bluesky.
    A tag whose automatic form loses more than case, spaces, hyphens and underscores is named
    with its result and the [tags] entry that names it by hand; one mapped in [tags] is not."""
    sandbox = sandbox_factory(["devto", "mastodon", "bluesky"])
    root = sandbox_blog(tmp_path, sandbox)
    (root / "posts").mkdir()
    (root / "posts" / "lossy.md").write_text(LOSSY, "utf-8")
    env = crosspost_env(sandbox)
    run = run_cli("check", env=env, cwd=root)
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stdout.splitlines() if "C++" in line]
    assert len(warned) == 3, run.stdout
    for platform, result in (("devto", "c"), ("mastodon", "C"), ("bluesky", "C")):
        (line,) = [w for w in warned if f"[{platform}]" in w]
        assert f"tag 'C++' becomes {result!r} here" in line
        assert f'[tags] "C++" = {{ {platform} = "..." }}' in line
    assert "Social Media" not in run.stdout and "open-source" not in run.stdout
    config = root / "crosspost.toml"
    config.write_text(config.read_text("utf-8") + '\n[tags]\n"C++" = { devto = "cpp" }\n')
    mapped = run_cli("check", env=env, cwd=root)
    assert mapped.returncode == 0, mapped.stderr
    assert "[devto]" not in mapped.stdout and "[mastodon]" in mapped.stdout
