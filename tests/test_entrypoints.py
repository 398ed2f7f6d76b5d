"""`crosspost.entrypoints` against the oracle it stands in for, `importlib.metadata`.

The reader must give exactly what `importlib.metadata.entry_points(group=…)` gives (names,
values, order, the first distribution of a name winning), on this environment and on generated
installations: folders of `.dist-info` and `.egg-info` distributions whose names differ in case
and separators, spread over several `sys.path` entries, with `entry_points.txt` files written
every way the format allows. Where it hands over to `importlib.metadata` (a zip on the path, an
upper-case suffix, a line that is not `name = value`, bytes that are not UTF-8), the answer,
or the error, is still the oracle's.
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crosspost.entrypoints
from crosspost.entrypoints import entry_points

GROUP = "crosspost.adapters"


def oracle(group: str) -> list[tuple[str, str, str]]:
    return [(e.name, e.value, e.group) for e in importlib.metadata.entry_points(group=group)]


def ours(group: str) -> list[tuple[str, str, str]]:
    return [(e.name, e.value, e.group) for e in entry_points(group)]


@pytest.mark.parametrize("group", ["crosspost.adapters", "console_scripts", "pytest11", "none"])
def test_this_environment_reads_as_importlib_metadata_reads_it(group: str) -> None:
    assert ours(group) == oracle(group)
    if group == "crosspost.adapters":
        assert {"devto", "hashnode", "medium", "mastodon", "bluesky"} <= {
            n for n, _, _ in ours(group)
        }


def test_this_environment_is_read_without_importlib_metadata(tmp_path: Path) -> None:
    """The point of the module: on an ordinary installation the oracle is not consulted. Asked
    of a fresh interpreter, as a run starts: this one may have imported keyring, whose
    `importlib_metadata` backport puts a distribution finder of its own on sys.meta_path (one
    the reader rightly leaves to `importlib.metadata`)."""
    code = (
        "import sys, crosspost.entrypoints as e\n"
        f"found = e._read({GROUP!r})\n"
        "assert {'devto', 'mastodon'} <= {ep.name for ep in found}, found\n"
        "assert 'importlib.metadata' not in sys.modules, 'importlib.metadata was imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)


# A distribution's folder name: a few projects, each written several ways (case, `-`, `_`, `.`
# and runs of them between words), so that the same project often appears twice: the first
# one found must win, however its name is written.
names = st.sampled_from(
    ["cross_post", "Cross.Post", "cross-post", "CROSS__post", "cross_.post", "extra", "Extra"]
)
suffixes = st.sampled_from([".dist-info", ".egg-info"])
entry_names = st.sampled_from(["devto", "extra", "a b", "x", "Extra", "devto "])
values = st.sampled_from(
    ["pkg:Adapter", "pkg.mod:Cls.attr", "pkg", "pkg:A [extra]", " spaced : x "]
)
groups = st.sampled_from([GROUP, "console_scripts", f" {GROUP}", f"[{GROUP}]", ""])


@st.composite
def entry_points_txt(draw: st.DrawFn) -> str | None:
    """An entry_points.txt as packaging tools and hands write them, or None for none."""
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("stray = before:Section")  # before any section: ignored
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"[{draw(groups)}]")
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.integers(0, 9))
            if kind == 0:
                lines.append("# a comment = not:entry")
            elif kind == 1:
                lines.append("   ")
            elif kind == 2:
                lines.append("; not a comment = for:this")
            else:
                spacing = draw(st.sampled_from(["=", " = ", "  =", "= "]))
                lines.append(f"{draw(entry_names)}{spacing}{draw(values)}")
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@st.composite
def installations(draw: st.DrawFn) -> list[list[tuple[str, str | None]]]:
    """sys.path entries, each a list of (distribution folder, its entry_points.txt)."""
    return draw(
        st.lists(
            st.lists(
                st.tuples(
                    st.builds(lambda n, s: f"{n}-1.0{s}", names, suffixes), entry_points_txt()
                ),
                max_size=4,
                unique_by=lambda d: d[0],
            ),
            min_size=1,
            max_size=3,
        )
    )


def install(root: Path, layout: list[list[tuple[str, str | None]]]) -> list[str]:
    entries = []
    for i, dists in enumerate(layout):
        folder = root / f"path{i}"
        folder.mkdir()
        for name, text in dists:
            info = folder / name
            info.mkdir()
            if text is not None:
                (info / "entry_points.txt").write_bytes(text.encode())
        entries.append(str(folder))
    return entries


def same_as_oracle(monkeypatch: pytest.MonkeyPatch, path: list[str], group: str) -> None:
    monkeypatch.setattr(sys, "path", path)
    try:
        expected: object = oracle(group)
    except Exception as exc:  # the oracle's own error: ours must be the same
        with pytest.raises(type(exc)):
            ours(group)
        return
    assert ours(group) == expected


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=installations(), group=st.sampled_from([GROUP, "console_scripts"]))
def test_generated_installations_read_as_importlib_metadata_reads_them(
    layout: list[list[tuple[str, str | None]]],
    group: str,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path_factory.mktemp("site")
    with monkeypatch.context() as patch:
        same_as_oracle(patch, [*install(root, layout), str(root / "missing")], group)


def one_plugin(folder: Path, name: str = "extra-1.0.dist-info", text: bytes | None = None) -> Path:
    info = folder / name
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_bytes(text or f"[{GROUP}]\nextra = pkg:Extra\n".encode())
    return folder


@pytest.mark.parametrize(
    "case",
    ["zip", "egg", "upper-suffix", "no-equals", "not-utf-8", "a-file-named-entry-points"],
)
def test_what_the_reader_does_not_model_is_the_oracles_answer(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = str(one_plugin(tmp_path / "plain"))
    odd = tmp_path / "odd"
    if case == "zip":
        odd = tmp_path / "plugins.zip"
        with zipfile.ZipFile(odd, "w") as archive:
            archive.writestr("zipped-1.0.dist-info/entry_points.txt", f"[{GROUP}]\nz = z:Z\n")
    elif case == "egg":
        egg = tmp_path / "odd" / "thing-1.0.egg"
        (egg / "EGG-INFO").mkdir(parents=True)
        (egg / "EGG-INFO" / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: thing\n")
        (egg / "EGG-INFO" / "entry_points.txt").write_text(f"[{GROUP}]\negg = e:E\n")
        odd = egg
    elif case == "upper-suffix":
        one_plugin(odd, "Upper-1.0.DIST-INFO")
        (odd / "Upper-1.0.DIST-INFO" / "METADATA").write_text("Metadata-Version: 2.1\nName: up\n")
    elif case == "no-equals":
        one_plugin(odd, "broken-1.0.dist-info", f"[{GROUP}]\nno equals sign here\n".encode())
    elif case == "not-utf-8":
        one_plugin(odd, "latin-1.0.dist-info", f"[{GROUP}]\ncaf\xe9 = c:C\n".encode("latin-1"))
    else:
        (odd / "dir-1.0.dist-info" / "entry_points.txt").mkdir(parents=True)
    same_as_oracle(monkeypatch, [plain, str(odd)], GROUP)


def test_another_distribution_finder_is_the_oracles_to_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finder on sys.meta_path that finds distributions (a custom importer) knows of
    distributions no folder shows: the reader asks `importlib.metadata`, which asks it."""

    hidden = importlib.metadata.PathDistribution(
        one_plugin(tmp_path / "hidden") / "extra-1.0.dist-info"
    )

    class Finder:
        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(*args: object) -> list[importlib.metadata.Distribution]:
            return [hidden]

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert ("extra", "pkg:Extra", GROUP) in ours(GROUP)
    assert ours(GROUP) == oracle(GROUP)


def test_an_entry_point_loads_what_its_value_names() -> None:
    from crosspost.adapters.devto import DevTo

    (devto,) = [e for e in entry_points(GROUP) if e.name == "devto"]
    assert devto.load() is DevTo
    assert (
        crosspost.entrypoints.EntryPoint("x", "os.path:join", GROUP).load()
        is __import__("os").path.join
    )
    with pytest.raises(ValueError, match="is not `module` or `module:attribute`"):
        crosspost.entrypoints.EntryPoint("x", "not a value!", GROUP).load()


def test_a_path_object_on_sys_path_is_read_as_the_folder_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sys.path.insert(0, Path(...))` works for imports and for `importlib.metadata`, which
    lists the folder the object names, never the current one."""
    plugins = one_plugin(tmp_path / "plugins")
    here = f"[{GROUP}]\nhere = pkg:Here\n".encode()
    monkeypatch.chdir(one_plugin(tmp_path / "cwd", "other-1.0.dist-info", here))
    monkeypatch.setattr(sys, "path", [plugins])
    assert ours(GROUP) == oracle(GROUP) == [("extra", "pkg:Extra", GROUP)]


@pytest.mark.parametrize("folder", ["-1.0.dist-info", ".dist-info", "..dist-info"])
def test_a_distribution_folder_without_a_name_is_named_by_its_metadata(
    folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`importlib.metadata` takes a distribution's name from its folder's name when it has one,
    else from its METADATA: here `extra` again, so the first `extra` wins and this one is not
    read."""
    nameless = one_plugin(tmp_path / "nameless", folder, f"[{GROUP}]\nsecond = p:S\n".encode())
    (nameless / folder / "METADATA").write_text("Metadata-Version: 2.1\nName: extra\n")
    same_as_oracle(monkeypatch, [str(one_plugin(tmp_path / "first")), str(nameless)], GROUP)


def test_without_the_path_finder_no_distribution_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`importlib.metadata` asks the finders of sys.meta_path: without `PathFinder` (an embedding
    application's own import system), no folder of sys.path is searched."""
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if f is not importlib.machinery.PathFinder]
    )
    same_as_oracle(monkeypatch, [str(one_plugin(tmp_path / "plain"))], GROUP)
