"""Golden files against the snapshot tools users would otherwise pick.

* 1,000 tests, each checking a 60-key dict: ``golden.check`` vs syrupy's
  ``JSONSnapshotExtension`` vs pytest-regressions' ``data_regression``;
* one 50 MB text golden that mismatches, vs a test that only reads that file;
* peak RSS of 200 checks of 1 MB values (JSON data and text), vs syrupy
  (``JSONSnapshotExtension``, and ``SingleFileSnapshotExtension`` in text mode).

Golden files and snapshots are written by an untimed run first (``--update-goldens``,
``--snapshot-update``, ``--force-regen``); the timed runs compare.

    python bench/bench_goldens.py [--quick] [--only dict|large|memory]
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    Contender,
    Finding,
    Outcome,
    added,
    cli,
    compare,
    only,
    prepare,
    ratio,
    report,
    rounds_for,
)

PER_FILE = 100

DICT_VALUE = '''
def value(n):
    """60 keys: ints, floats, strings, short lists and small nested dicts."""
    out = {}
    for k in range(60):
        kind = k % 5
        if kind == 0:
            out[f"key_{k:02d}"] = n * 1000 + k
        elif kind == 1:
            out[f"key_{k:02d}"] = (n + k) / 7
        elif kind == 2:
            out[f"key_{k:02d}"] = f"value {n} of key {k}"
        elif kind == 3:
            out[f"key_{k:02d}"] = [n, k, n + k]
        else:
            out[f"key_{k:02d}"] = {"id": k, "ok": n % 2 == 0, "name": f"n{n}"}
    return out
'''

DICT_TESTS = {
    "graduation": ("", "def test_{n}(golden):\n    golden.check(value({n}))\n"),
    "syrupy": (
        "from syrupy.extensions.json import JSONSnapshotExtension\n",
        "def test_{n}(snapshot):\n"
        "    assert snapshot(extension_class=JSONSnapshotExtension) == value({n})\n",
    ),
    "regressions": ("", "def test_{n}(data_regression):\n    data_regression.check(value({n}))\n"),
    "plain": ("", "def test_{n}():\n    assert value({n})\n"),
}

UPDATE = {
    "graduation": "--update-goldens",
    "syrupy": "--snapshot-update",
    "regressions": "--force-regen",
}


def write_suite(root: Path, tests: int, header: str, helper: str, test: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    for start in range(0, tests, PER_FILE):
        body = "".join(
            test.format(n=n) + "\n\n" for n in range(start, min(start + PER_FILE, tests))
        )
        text = f"{header}{helper}\n\n{body}"
        (root / f"test_gen_{start // PER_FILE:03d}.py").write_text(text)


def dict_checks(quick: bool) -> Outcome:
    tests, rounds = 200 if quick else 1000, rounds_for(1, 7)
    with tempfile.TemporaryDirectory(prefix="bench-goldens-") as folder:
        root = Path(folder)
        for tool, (header, test) in DICT_TESTS.items():
            write_suite(root / tool, tests, header, DICT_VALUE, test)
            if tool in UPDATE:
                prepare([*only(tool), UPDATE[tool]], root / tool)
        names = {
            "graduation": "pytest-graduation golden.check",
            "syrupy": "syrupy JSONSnapshotExtension",
            "regressions": "pytest-regressions data_regression",
            "plain": "no comparison (value built only)",
        }
        contenders = [
            Contender(
                names[tool], only(*([tool] if tool in UPDATE else [])), tests, cwd=root / tool
            )
            for tool in DICT_TESTS
        ]
        compare(contenders, root, rounds)
    versus_syrupy = ratio(contenders, names["graduation"], names["syrupy"])
    versus_regressions = ratio(contenders, names["graduation"], names["regressions"])
    subject = f"{tests} tests, `golden.check` of a 60-key dict"
    return Outcome(
        [report(f"{tests} golden checks of a 60-key dict", contenders, names["syrupy"])],
        [
            Finding(
                subject,
                "syrupy `JSONSnapshotExtension`",
                f"{versus_syrupy:.3f}",
                "≤ 0.9",
                None if quick else versus_syrupy <= 0.9,
            ),
            Finding(
                subject,
                "pytest-regressions `data_regression`",
                f"{versus_regressions:.3f}",
                "≤ 0.7",
                None if quick else versus_regressions <= 0.7,
            ),
        ],
    )


LARGE_COMMON = '''
import os
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "test_large_golden" / "test_large.txt"


def value():
    """About {megabytes} MB of text, one line changed in the middle unless preparing."""
    lines = [f"line {{i:08d}} " + "abcdefghij" * 5 + "\\n" for i in range({lines})]
    if not os.environ.get("BENCH_PREPARE"):
        lines[len(lines) // 2] = "this line differs from the golden file\\n"
    return "".join(lines)
'''

LARGE_GOLDEN = """

def test_large(golden):
    golden.check(value())
"""

LARGE_READ = """

def test_large():
    received = value()
    expected = GOLDEN.read_text(encoding="utf-8")
    assert len(expected) > 0 and len(received) > 0
"""


def large_golden(quick: bool) -> Outcome:
    megabytes, rounds = 5 if quick else 50, rounds_for(1, 7)
    lines = megabytes * 1_000_000 // 64  # each line is 64 characters
    with tempfile.TemporaryDirectory(prefix="bench-large-golden-") as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
        common = LARGE_COMMON.format(megabytes=megabytes, lines=lines)
        (root / "test_large_golden.py").write_text(common + LARGE_GOLDEN)
        (root / "test_large_read.py").write_text(common + LARGE_READ)
        prepare(
            [*only("graduation"), "--update-goldens", "test_large_golden.py"],
            root,
            {"BENCH_PREPARE": "1"},
        )
        size = (root / "golden" / "test_large_golden" / "test_large.txt").stat().st_size
        reading = "reading the golden file (test passes)"
        checking = "golden.check, mismatching (test fails)"
        contenders = [
            Contender(reading, [*only(), "test_large_read.py"], 1),
            Contender(
                checking,
                [*only("graduation"), "test_large_golden.py"],
                0,
                expect_exit=1,
                expect_failed=1,
            ),
        ]
        compare(contenders, root, rounds)
    extra = added(contenders, checking, reading)
    title = f"A {size / 1e6:.0f} MB text golden, mismatching in the middle"
    return Outcome(
        [report(title, contenders, reading) + f"\nAdded by the check: {extra:+.3f} s (median).\n"],
        [
            Finding(
                f"a {size / 1e6:.0f} MB text golden, mismatching",
                "reading the file",
                f"{extra:+.2f} s",
                "< 1 s added",
                None if quick else extra < 1.0,
            )
        ],
    )


MEMORY_VALUES = '''
def json_value(n):
    """About 1 MB of JSON data: 16,000 short strings."""
    return [f"item {{n:04d}}-{{i:06d}} " + "x" * 36 for i in range({items})]


def text_value(n):
    """About 1 MB of text."""
    return "".join(f"line {{n:04d}}-{{i:06d}} " + "y" * 42 + "\\n" for i in range({items}))
'''

MEMORY_TESTS = {
    ("graduation", "json"): ("", "def test_{n}(golden):\n    golden.check(json_value({n}))\n"),
    ("graduation", "text"): ("", "def test_{n}(golden):\n    golden.check(text_value({n}))\n"),
    ("syrupy", "json"): (
        "from syrupy.extensions.json import JSONSnapshotExtension\n",
        "def test_{n}(snapshot):\n"
        "    assert snapshot(extension_class=JSONSnapshotExtension) == json_value({n})\n",
    ),
    ("syrupy", "text"): (
        textwrap.dedent(
            """\
            from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


            class TextSnapshot(SingleFileSnapshotExtension):
                _write_mode = WriteMode.TEXT
                file_extension = "txt"
            """
        ),
        "def test_{n}(snapshot):\n"
        "    assert snapshot(extension_class=TextSnapshot) == text_value({n})\n",
    ),
    ("plain", "json"): ("", "def test_{n}():\n    assert json_value({n})\n"),
    ("plain", "text"): ("", "def test_{n}():\n    assert text_value({n})\n"),
}


def memory(quick: bool) -> Outcome:
    tests, rounds = 40 if quick else 200, rounds_for(1, 5)
    items = 16_000
    sections: list[str] = []
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="bench-goldens-memory-") as folder:
        root = Path(folder)
        helper = MEMORY_VALUES.format(items=items)
        for kind in ("json", "text"):
            contenders: list[Contender] = []
            for tool in ("plain", "syrupy", "graduation"):
                header, test = MEMORY_TESTS[(tool, kind)]
                suite = root / f"{tool}-{kind}"
                write_suite(suite, tests, header, helper, test)
                plugins = only(*([tool] if tool in UPDATE else []))
                if tool in UPDATE:
                    prepare([*plugins, UPDATE[tool]], suite)
                contenders.append(Contender(f"{tool} ({kind})", plugins, tests, cwd=suite))
            compare(contenders, root, rounds)
            ours, theirs = f"graduation ({kind})", f"syrupy ({kind})"
            rss = ratio(contenders, ours, theirs, "peak_rss_kib")
            title = f"Peak RSS: {tests} golden checks of 1 MB {kind} values"
            sections.append(report(title, contenders, theirs, rss=True))
            findings.append(
                Finding(
                    f"memory: {tests} golden checks of 1 MB {kind} values",
                    "syrupy" + (" JSON extension" if kind == "json" else " single-file text"),
                    f"peak RSS ratio {rss:.3f}",
                    "≤ 1.0",
                    None if quick else rss <= 1.0,
                )
            )
    return Outcome(sections, findings)


BENCHMARKS = {"dict": dict_checks, "large": large_golden, "memory": memory}


if __name__ == "__main__":
    cli(BENCHMARKS, __doc__)
