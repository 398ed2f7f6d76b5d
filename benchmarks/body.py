"""The body transform on pathological post shapes at 1 MB and 4 MB: time, memory, growth.

Issue 15's goal: any 1 MB post in ≤ 1 s and ≤ 200 MB, and time growing linearly (4 MB ≤ 4.5× the
1 MB time). Each shape is a plausible post taken to extremes: repeated MDX components, lines
starting with `#`, dense and sparse links, nested brackets, backtick runs, HTML blocks with URLs,
images as HTML tags, an ordinary prose post, script links, list items, quotes and table rows;
then the corpus's real posts one after another (`corpus`), and `EVERYDAY`: ordinary block
syntax repeated to a megabyte (quotes, items, definitions, fences...), hundreds of thousands of
tiny blocks, where markdown-it-py's own parse takes seconds.
Each measurement runs in a fresh process (peak memory is that process's, less what the imports
alone take). Times are CPU seconds of that process (wall time on a shared machine mostly measures
the neighbours); wall seconds are shown beside. The baseline, measured in the same run, is one
CommonMark parse of the same text by markdown-it-py (the parser the transform is built on): the
"× parse" column says how many such parses the transform costs. Prints figures; asserts
nothing.

    python benchmarks/body.py [--sizes 1 4] [--shapes mdx hashtags ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PROSE = (
    "A paragraph of *ordinary* prose with a [relative link](../other-post/), an image "
    "![figure](./figure.png), `inline code` and a footnote.[^1]\n\n"
    "```python\nprint('[not](./a-link)')\n```\n\n"
)

SHAPES: dict[str, tuple[str, str]] = {
    "prose": (PROSE, ".md"),
    "mdx-components": ("<Note>\nSome *text* with a [link](./x/).\n</Note>\n", ".mdx"),
    "hashtags": ("\n#x", ".md"),
    "dense-links": ("[a link](./some/path/) and ", ".md"),
    "sparse-links": ("word " * 3000 + "[link](./x/) ", ".md"),
    "brackets": ("[" * 50 + "](" * 50 + "\n", ".md"),
    "backticks": ("`a ``b ", ".md"),
    "html-blocks": ('<div>\n<img src="./a.png">\n</div>\n\n', ".md"),
    # Shapes found by review (issue 15): script links without openers (each one searched back
    # for its `[`), brackets ending in a `:` (each `[` tried as a definition's label), a line of
    # definition-like text (each one's line read back to its start), `#x` lines
    # after one list item (the paragraphs-only parse is all or nothing), and posts of list
    # items, quotes and table rows (markdown-it's own block parse is the cost there).
    "script-links": ("](javascript:x)", ".md"),
    "labels": ("[[[[[[[[[[:", ".md"),
    "definitions": ("a [x]: javascript:y ", ".md"),
    "list-hashtags": ("- item\n\n" + "#x\n" * 100_000 + "\n", ".md"),
    "list-items": ("- item\n", ".md"),
    "quote-lines": ("> a quoted line\n", ".md"),
    "table-rows": ("| a | b |\n|---|---|\n" + "| [a](./x/) | b |\n" * 100_000, ".md"),
    "bare-rows": ("a | b\n--|--\n" + "[a](./x/) | b\n" * 100_000, ".md"),
    # Everyday list shapes taken to a megabyte (issue 15, second round): items with code spans
    # and links, a loose list, a task list, a list in a blockquote, items nested one under
    # another, items with inline HTML.
    "list-code": ("- `--flag`: does *this* and [that](./x/)\n", ".md"),
    "loose-items": ("- item\n\n", ".md"),
    "task-items": ("- [ ] task\n", ".md"),
    "quoted-list": ("> - a quoted item\n", ".md"),
    "nested-items": ("- a\n  - b\n", ".md"),
    "list-html": ("- <kbd>x</kbd> item\n", ".md"),
    # Found by review (issue 15, third round): one row of another width in a long table kept
    # the whole table from the shortcut, and a loose list in a blockquote was not a run.
    "quoted-loose": ("> - a quoted item\n>\n", ".md"),
    "uneven-rows": (
        "| a | b |\n|---|---|\n" + ("| [a](./x/) | b |\n" * 5_000 + "| c | d | e |\n") * 20,
        ".md",
    ),
    # Everyday shapes of many small blocks (issue 15's note): headings between paragraphs and
    # paragraphs of one image each, read without the parser but then block by block by every
    # rule (over a second a megabyte before the rules read the whole text where they can);
    # quotes nested in turn, which markdown-it-py reads line by line (about one parse; lines
    # continuing a paragraph in a blockquote are not given to it since); ordered items with a
    # bullet nested under each (runs of siblings since).
    "headings": ("## Heading\n\ntext\n\n", ".md"),
    "image-paragraphs": ("![alt](./img.png)\n\n", ".md"),
    "nested-quotes": ("> a\n>> b\n", ".md"),
    "ordered-nested": ("1. a\n   - b\n", ".md"),
    # Found by review (issue 15, fourth round): ordered numbers changing width at every other
    # item, a bullet nested under each; each width change read the rest of the list again.
    "ordered-widths": ("8. a\n    - b\n9. a\n    - b\n10. a\n    - b\n11. a\n    - b\n", ".md"),
    # Found by review (issue 15, fifth round): bullets nested four levels, ordered items nested
    # three, one line each; runs of groups two or three lines long could not hold them.
    "nested-four": ("- a\n  - b\n    - c\n      - d\n", ".md"),
    "ordered-three": ("1. a\n   1. b\n      1. c\n", ".md"),
    "broken-list": ("- item\n" * 4 + "- <b>\n", ".md"),
    # Found by review (issue 15, sixth round): quoted lines ending in `)` and opening with `(`,
    # which may end or open a link definition's title and so stopped a run of blockquote
    # continuations (1.9 s a megabyte); they stop one only where a `]:` is in reach since. And
    # nested items with blank lines between, nested ordered items counting up, items nested
    # seven levels, once left to markdown-it-py's own block parse (about one parse, 4.2 to 4.7 s
    # a megabyte, a loose nested list 447 MB); runs of periodic groups since (an item and the
    # lines under it, each group repeating the one above).
    "loose-nested": ("- a\n\n  - b\n\n", ".md"),
    "ordered-counted": ("1. a\n   1. b\n   2. c\n", ".md"),
    "nested-seven": ("".join(f"{'  ' * level}- {chr(97 + level)}\n" for level in range(7)), ".md"),
    "quoted-parens": ("> a)\n>> (b\n", ".md"),
    # Images as HTML tags between blank lines (issue 15, speed session): kind-7 HTML blocks, a
    # whole block parse for one token each before runs of them were read without the parser.
    "image-tags": ('<img src="./a.png">\n\n', ".md"),
    # Blank lines before a line that may open an HTML block and does not: read once (a pattern
    # that read the blank lines before a run again from each of them took 8.6 s for 40,000).
    "blank-lines-tag": ("\n" * 200_000 + "<b>x\n", ".md"),
    # Paragraphs beginning with `<` that open no HTML block (a tag left open, text after a tag):
    # once block lines to the paragraph runs, so a whole block parse (issue 15, blank15 session).
    "open-tag-paragraphs": ("<a\n\n", ".md"),
    "tag-text-paragraphs": ('<img src="./a.png">x\n\n', ".md"),
    # Blocks with inline tags and runs mixing paragraphs with HTML blocks (issue 15, tags15
    # session): paragraphs of a tag and text, inline-parsed for their raw HTML until blocks of
    # tags and plain links were read without the parser; a paragraph whose second line is one
    # tag (kind 7 interrupts no paragraph); text paragraphs between one-tag HTML blocks
    # (neither a run of paragraphs nor one of HTML blocks); kind-6 blocks holding a `|`, which
    # runs of HTML blocks refused for the table it might head.
    "inline-tags": ("\n<b>x\n", ".md"),
    "text-then-tag": ('a\n<img src="./a.png">\n\n', ".md"),
    "text-between-tags": ('text\n\n<img src="./a.png">\n\n', ".md"),
    "div-pipe": ("<div>|\n\n", ".md"),
    # Paragraphs of one character (issue 15, tiny15 session): 350,000 a megabyte, read without
    # the parser but then a token trio each for every rule to walk (1.40 s, 413 MB); a body of
    # paragraphs and headings only is one run of blocks since, read block by block only where a
    # rule needs it.
    "tiny-paragraphs": ("x\n\n", ".md"),
    # The real posts of ../shared/corpus (106 posts of ten generators, front matter removed),
    # one after another until the size is reached: the nearest thing to a long real post.
    "corpus": ("", ".md"),
    # One-character paragraphs with a link every 30 KB (an attacker's shape): a run of blocks
    # whose text holds a link is read block by block, a token made only for a block with one.
    "paragraphs-a-link": ("x\n\n" * 10_000 + "y [a](./b/)\n\n", ".md"),
    # Definitions between excerpt markers (an attacker's shape): the parse after the markers are
    # emptied, told from the parse before, moves each definition back by the lines above it.
    "markers-definitions": ("```\nc\n```\n[a]: ./u\n<!--more-->\n", ".md"),
    # One plain link, then a code span and images (an attacker's shape): the images after the
    # code span are inline-parsed.
    "code-then-images": ("[a](./b) `x` " + "![i](./a.png)\n" * 5_000 + "\n", ".md"),
    # One list item, then a megabyte of one-word paragraphs (issue 15, fold15 session; one item
    # every 1.2 MB): one block other than a paragraph kept the body from being one run of
    # blocks, and the run of paragraphs cut from it came back a token trio for every block.
    "item-then-paragraphs": ("- item\n\n" + "word\n\n" * 200_000, ".md"),
}

EVERYDAY: dict[str, tuple[str, str]] = {
    # Ordinary block syntax repeated to a megabyte (found by a hunt over 40 everyday forms,
    # issue 15, fourth round): each block a few bytes, so the post is hundreds of thousands of
    # blocks, and markdown-it-py's own block parse of most of them takes 2-7 s a megabyte.
    "quotes-apart": ("> q\n\n", ".md"),
    "empty-quote-lines": (">\n", ".md"),
    "items-two-lines": ("- a\n  b\n", ".md"),
    "items-paragraph-under": ("1. a\n\n   b\n\n", ".md"),
    "setext-headings": ("a\n---\n", ".md"),
    "atx-then-text": ("# h\n\nx\n\n", ".md"),
    "emphasis-paragraphs": ("*a*\n\n", ".md"),
    "thematic-breaks": ("---\n\n", ".md"),
    "pipe-lines": ("| a |\n", ".md"),
    "definition-lines": ("[x]: ./y\n", ".md"),
    "reference-links": ("[a][x]\n\n[x]: ./y\n\n", ".md"),
    "footnotes": ("[^1]\n\n[^1]: n\n\n", ".md"),
    "fences": ("```\nx\n```\n\n", ".md"),
    "indented-code": ("    code\n\n", ".md"),
    "math-blocks": ("$$\nx\n$$\n\n", ".md"),
    "text-br": ("a<br>\n", ".md"),
    "text-between-br": ("a\n\n<br>\n\n", ".md"),
    "autolinks": ("<http://x.y> ", ".md"),
    "image-lines": ("![i](./a.png)\n", ".md"),
}


ALL = {**SHAPES, **EVERYDAY}
assert len(ALL) == len(SHAPES) + len(EVERYDAY), "a shape name in both groups"


def body(shape: str, megabytes: float) -> str:
    unit = ALL[shape][0] or _corpus()
    size = int(megabytes * (1 << 20))
    return (unit * (size // len(unit) + 1))[:size]


def _corpus() -> str:
    """The bodies of the corpus's real posts (its constructed hard cases left out), each after
    a blank line; read in place (it is shared, never copied into the repository), their front
    matter split off by crosspost's own reader (a post it refuses is left out)."""
    from crosspost.errors import CrosspostError
    from crosspost.front_matter import read

    bodies: list[str] = []
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    posts = sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix in (".md", ".markdown", ".mdx") and "constructed" not in p.parts
    )
    for post in posts:
        text = post.read_text(encoding="utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
        try:
            bodies.append(read(text, path=post).body)
        except CrosspostError:
            continue
    return "\n\n".join(bodies)


def measure(shape: str, megabytes: float, what: str) -> dict[str, float]:
    """Run in a child process: import, build the body, then time `what` on it."""
    from markdown_it import MarkdownIt

    from crosspost.transform import transform

    text = body(shape, megabytes)
    suffix = ALL[shape][1]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    if what == "transform":
        transform(
            text,
            page_url="https://blog.example.com/posts/p/",
            site_url="https://blog.example.com",
            path=Path("post" + suffix),
        )
    else:
        MarkdownIt("commonmark").parse(text)
    wall, seconds = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {"seconds": seconds, "wall": wall, "megabytes": peak / 1024}


def child(shape: str, megabytes: float, what: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", shape, str(megabytes), what],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--sizes", type=float, nargs="+", default=[1.0, 4.0])
    options.add_argument("--shapes", nargs="+", default=list(ALL), choices=list(ALL))
    options.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.child:
        shape, megabytes, what = args.child
        print(json.dumps(measure(shape, float(megabytes), what)))
        return
    small, large = min(args.sizes), max(args.sizes)
    print(
        f"{'shape':<22}{'MB':>5}{'CPU s':>8}{'wall s':>8}{'peak MB':>9}{'× parse':>9}{'growth':>8}"
    )
    for shape in args.shapes:
        times: dict[float, float] = {}
        for size in args.sizes:
            result = child(shape, size, "transform")
            baseline = child(shape, size, "parse")
            times[size] = result["seconds"]
            growth = ""
            if size == large and small in times and large != small:
                growth = f"{times[large] / times[small]:.2f}×"
            print(
                f"{shape:<22}{size:>5g}{result['seconds']:>8.2f}{result['wall']:>8.2f}"
                f"{result['megabytes']:>9.0f}{result['seconds'] / baseline['seconds']:>9.2f}"
                f"{growth:>8}",
                flush=True,
            )
    print(f"growth: CPU time at {large:g} MB over {small:g} MB (linear: {large / small:g}×)")


if __name__ == "__main__":
    main()
