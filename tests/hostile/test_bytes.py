"""Files that are not UTF-8 text posts: binary, other encodings, NUL bytes, broken UTF-8.

Each is refused with exit 2 and an error naming the file and the line of the first bad byte,
nothing is sent anywhere, and the records (of a post published before) are left byte for byte as
they were. The real script, given all of them at once, lists each and prints no traceback. A
BOM and CRLF line ends are fine.
"""

from __future__ import annotations

import pytest

from .conftest import GOOD_POST, HostileBlog, refusal

POST = "---\ntitle: Café\ndate: 2024-03-01\n---\n\nBody.\n"

CASES = {
    "png-image": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 3, "NUL byte"),
    "latin-1": (POST.encode("latin-1"), 2, "not UTF-8 text (byte 0xe9)"),
    "utf-16-le-bom": (POST.encode("utf-16"), 1, "UTF-16"),
    "utf-16-be-bom": (b"\xfe\xff" + POST.encode("utf-16-be"), 1, "UTF-16"),
    "utf-16-no-bom": (POST.encode("utf-16-le"), 1, "NUL byte"),
    "nul-in-front-matter": (b"---\ntitle: A\x00B\ndate: 2024-03-01\n---\nB\n", 2, "NUL byte"),
    "nul-in-body": (b"---\ntitle: A\ndate: 2024-03-01\n---\n\nline\n\x00\n", 7, "NUL byte"),
    "surrogate-as-utf-8": (b"---\ntitle: \xed\xa0\x80\n---\nB\n", 2, "not UTF-8"),
    "overlong-slash": (b"---\ntitle: T\n---\n\n\xc0\xaf etc/passwd\n", 5, "not UTF-8"),
    "truncated-sequence": (b"---\ntitle: T\n---\n\nend \xe2\x82", 5, "not UTF-8"),
}


@pytest.mark.parametrize(("data", "line", "words"), CASES.values(), ids=list(CASES))
def test_a_file_that_is_not_utf8_text_is_refused(
    published: HostileBlog, data: bytes, line: int, words: str
) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    path = published.write("hostile.md", data)
    message = refusal(published.publish(), path)
    assert message.startswith(f"{path}:{line}: ") and words in message, message
    assert "UTF-8" in message, "the message says what to do"
    assert len(published.writes()) == writes, "nothing is sent for a refused post"
    assert published.records_bytes() == before, "the records are left as they were"


def test_the_script_lists_every_bad_file_without_a_traceback(published: HostileBlog) -> None:
    before, writes = published.records_bytes(), len(published.writes())
    paths = {published.write(f"{name}.md", data): line for name, (data, line, _) in CASES.items()}
    result = published.cli("publish")
    for path, line in paths.items():
        published.assert_refused(result, path, f"{path}:{line}:")
    assert len(published.writes()) == writes
    assert published.records_bytes() == before


def test_bom_and_crlf_are_fine(blog: HostileBlog) -> None:
    blog.write("windows.md", b"\xef\xbb\xbf" + GOOD_POST.replace("\n", "\r\n").encode())
    report = blog.publish()
    assert report.exit_code == 0, report.results
    assert {r.status.value for r in report.results} == {"created"}
