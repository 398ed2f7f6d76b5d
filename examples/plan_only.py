"""What would be published, without publishing: no request is sent, no file is written.

`crosspost.plan` reads the posts and the records and renders every platform's payload, so it
also shows what each platform would receive. No token is needed. The same plan is what
`crosspost publish --dry-run` prints.

    python examples/plan_only.py
"""

import json
from pathlib import Path

import crosspost

BLOG = Path(__file__).resolve().parent / "blog"


def main() -> int:
    config = crosspost.load_config(BLOG)
    plan = crosspost.plan(config=config)  # default: every post in the content folder
    for action in plan.actions:
        post = Path(action.post).relative_to(config.content_dir)
        print(f"{action.kind:<6} {action.platform:<9} {post}  ({action.reason})")
    for error in plan.errors:  # posts that cannot be read: file, line, field, what to do
        print(f"error: {error}")
    first = next(a for a in plan.actions if a.kind == "create" and a.platform == "devto")
    assert first.payload is not None
    print("dev.to would receive:", json.dumps(first.payload.body)[:100], "...")
    return 2 if plan.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
