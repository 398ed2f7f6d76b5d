"""Publish one post file from Python, as a static-site build hook would.

The blog's own crosspost.toml is used, pointed at `crosspost.Sandbox` (every platform's fake on
127.0.0.1, throwaway tokens and records), so this runs anywhere without an account. For real,
leave the sandbox out: `crosspost.publish(POST)` finds the crosspost.toml nearest the post and
the tokens in CROSSPOST_<PLATFORM>_TOKEN or the keyring.

    python examples/publish_post.py
"""

from pathlib import Path

import crosspost

BLOG = Path(__file__).resolve().parent / "blog"
POST = BLOG / "src" / "content" / "posts" / "shell-comments-are-not-headings.md"


def main() -> int:
    config = crosspost.load_config(BLOG)  # site URL, permalinks, [platforms.*]
    with crosspost.Sandbox() as sandbox:
        report = crosspost.publish(POST, config=sandbox.configure(config))
    for result in report.results:  # one Result per platform
        print(f"{result.platform:<9} {result.status:<9} {result.url or result.message}")
    for notice in report.notices:  # what a platform shows differently (tags dropped, ...)
        print(f"warning: {notice}")
    return report.exit_code  # 0 all done, 1 a platform failed, 2 bad input, 3 check by hand


if __name__ == "__main__":
    raise SystemExit(main())
