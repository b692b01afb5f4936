"""Property-based tests (bounded): archive reading and frontmatter parsing never raise anything but
their declared errors, never return a path that leaves the archive, and keep member contents intact."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillscan.loaders.archive import ArchiveError, read_archive, safe_member_path
from skillscan.loaders.files import Limits
from skillscan.loaders.frontmatter import parse_frontmatter

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMITS = Limits(max_files=50, max_file_bytes=4096, max_total_bytes=64 * 1024)

segment = st.sampled_from(["a", "b", "..", ".", "", "SKILL.md", "x y", "/", "\\", "C:", "é", "~"])
member_name = st.lists(segment, min_size=1, max_size=5).map("/".join)
members = st.lists(st.tuples(member_name, st.binary(max_size=300)), min_size=0, max_size=8)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            if name:
                zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def _tar(entries: list[tuple[str, bytes]], mode: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in entries:
            if name:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _check(data: bytes, entries: list[tuple[str, bytes]], kind: str) -> None:
    contents = read_archive(data, LIMITS)  # well-formed and small: must be readable
    expected: dict[str, bytes] = {}
    rejected = 0
    for name, body in entries:
        if not name:
            continue
        safe = safe_member_path(name)
        if kind == "zip" and name.endswith("/") and safe is not None:
            continue  # a directory entry
        if safe is None:
            rejected += 1
        else:
            expected[safe] = body  # the last member of a name wins
    got = {f.path: f.data for f in contents.files}
    for path in got:
        assert not path.startswith("/") and ".." not in path.split("/") and "\\" not in path
    # a path that is also a directory of another member cannot be both: keep only leaf comparisons
    leaves = {p: b for p, b in expected.items() if not any(q.startswith(p + "/") for q in expected)}
    for path, body in leaves.items():
        assert got.get(path) == body, path
    assert sum("leaves the archive" in s for s in contents.skipped) == rejected


@SETTINGS
@given(members)
def test_zip_members_stay_inside(entries: list[tuple[str, bytes]]) -> None:
    _check(_zip(entries), entries, "zip")


@SETTINGS
@given(members, st.sampled_from(["w", "w:gz"]))
def test_tar_members_stay_inside(entries: list[tuple[str, bytes]], mode: str) -> None:
    _check(_tar(entries, mode), entries, "tar")


@SETTINGS
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=2000))
def test_corrupted_archives_fail_cleanly(noise: bytes, cut: int) -> None:
    base = _zip([("pkg/SKILL.md", b"---\nname: a\n---\n"), ("pkg/run.sh", b"echo hi\n")])
    for data in (noise, base[:cut], base[:cut] + noise, b"PK\x03\x04" + noise, b"\x1f\x8b" + noise,
                 _tar([("p/a", noise)], "w")[:cut]):
        try:
            read_archive(data, LIMITS, "x.tar")
        except ArchiveError:
            pass


@SETTINGS
@given(st.text(max_size=400))
def test_frontmatter_never_raises(body: str) -> None:
    for text in (body, f"---\n{body}\n---\nrest", f"---\n{body}"):
        fm = parse_frontmatter(text)
        assert isinstance(fm.data, dict)
        assert fm.present == text.lstrip("\ufeff").split("\n", 1)[0].strip().startswith("---") or not fm.present
        if fm.present and not fm.error:
            assert all(isinstance(k, str) for k in fm.data)


yaml_scalar = st.one_of(st.text(alphabet="abc xyz:-#&*!|>'\"[]{},", max_size=12), st.integers(), st.booleans())


@SETTINGS
@given(st.dictionaries(st.text(alphabet="abcdefgh-_", min_size=1, max_size=8), yaml_scalar, max_size=6))
def test_frontmatter_round_trips_simple_mappings(data: dict[str, object]) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nBody\n"
    fm = parse_frontmatter(text)
    assert fm.present and not fm.error
    assert fm.data == {str(k): v for k, v in data.items()}
    for key in data:
        assert key in fm.key_lines or key.startswith(("-", "'", '"'))
