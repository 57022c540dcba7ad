"""golden.check: types, file layout, missing and mismatching goldens, custom serializers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from conftest import Project

GOLDEN = Path("golden") / "test_render"


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_missing_golden_fails_with_the_exact_message_and_writes_nothing(project: Project) -> None:
    project.write("test_render.py", "def test_page(golden):\n    golden.check('hi')\n")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Failed: golden file missing: golden/test_render/test_page.txt "
            "— run pytest --update-goldens to create it"
        ]
    )
    assert not (project.path / "golden").exists()


def test_update_creates_one_file_per_type_with_the_documented_layout(project: Project) -> None:
    project.write(
        "test_render.py",
        """
        import dataclasses
        import pytest

        @dataclasses.dataclass
        class Point:
            x: float
            tags: tuple

        def test_page(golden):
            golden.check("line 1\\nline 2\\n")
            golden.check(b"\\x00\\xff")
            golden.check({"b": Point(1.5, ("t",)), "a": [None, True, 3]})
            golden.check("second unnamed")
            golden.check([1, 2], name="stats")

        @pytest.mark.parametrize("case", ["plain", "a/b c", "CON"])
        def test_case(golden, case):
            golden.check(case)

        class TestGroup:
            def test_member(self, golden):
                golden.check(0.25)
        """,
    )
    project.run("--update-goldens").assert_outcomes(passed=5)
    folder = project.path / GOLDEN
    names = files_under(folder)
    assert names[:2] == ["TestGroup.test_member.json", "test_case[CON].txt"]
    assert "test_case[plain].txt" in names
    assert [n for n in names if n.startswith("test_case[a_b_c]-")]  # sanitized + hash
    assert {"test_page.txt", "test_page.2.bin", "test_page.3.json", "test_page.4.txt"} <= set(names)
    assert "test_page.stats.json" in names
    assert (folder / "test_page.2.bin").read_bytes() == b"\x00\xff"
    assert (folder / "test_page.3.json").read_text(encoding="utf-8") == (
        '{\n  "a": [\n    null,\n    true,\n    3\n  ],\n'
        '  "b": {\n    "tags": [\n      "t"\n    ],\n    "x": 1.5\n  }\n}\n'
    )
    project.run().assert_outcomes(passed=5)


def test_json_is_compared_as_data_with_float_tolerance(project: Project) -> None:
    project.write(
        "test_render.py",
        """
        def test_data(golden):
            golden.check({"x": 1.0 + 1e-12, "y": [1, 2]}, rtol=1e-9)

        def test_exact(golden):
            golden.check({"x": 1.0 + 1e-12})
        """,
    )
    folder = project.path / GOLDEN
    folder.mkdir(parents=True)
    # hand-written: other key order, other formatting
    (folder / "test_data.json").write_text('{"y":[1,2],  "x": 1.0}', encoding="utf-8")
    (folder / "test_exact.json").write_text('{"x": 1.0}', encoding="utf-8")
    result = project.run()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*golden file mismatch: golden/test_render/test_exact.json"])
    result.stdout.fnmatch_lines(["*$.x: expected 1.0, got 1.000000000001*"])


def test_mismatch_shows_a_unified_diff_with_real_line_numbers(project: Project) -> None:
    project.write(
        "test_render.py",
        "def test_page(golden):\n    golden.check(''.join(f'line {i}\\n' for i in range(50)))\n",
    )
    folder = project.path / GOLDEN
    folder.mkdir(parents=True)
    text = "".join(f"line {i}\n" for i in range(50)).replace("line 30\n", "line thirty\n")
    (folder / "test_page.txt").write_text(text, encoding="utf-8")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*golden file mismatch: golden/test_render/test_page.txt",
            "*first difference at line 31, column 6",
            "*--- golden",
            "*+++ received",
            "*@@ -28,7 +28,7 @@",
            "*-line thirty",
            "*+line 30",
            "*run pytest --update-goldens to accept the received value",
        ]
    )
    assert "full received value" not in result.stdout.str()


def test_large_mismatch_is_truncated_and_the_full_value_saved(project: Project) -> None:
    project.write(
        "test_render.py",
        "def test_page(golden):\n"
        "    golden.check(''.join(f'row {i}\\n' for i in range(200_000)))\n",
    )
    folder = project.path / GOLDEN
    folder.mkdir(parents=True)
    (folder / "test_page.txt").write_text(
        "".join(f"ROW {i}\n" for i in range(200_000)), encoding="utf-8"
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "... diff truncated" in out
    assert out.count("\n") < 400
    saved = [line.split("written to ", 1)[1] for line in out.splitlines() if "written to " in line]
    assert saved, out
    received = Path(saved[0].strip())
    assert received.read_text(encoding="utf-8") == "".join(f"row {i}\n" for i in range(200_000))
    assert project.path not in received.parents  # under pytest's temp dir, not the project


LONG_MISMATCH = (
    "def test_page(golden):\n"
    "    golden.check({'rows': [*range(3), 'new', *range(3, 2999), 'last']})\n"
)


def _long_json_golden(project: Project) -> None:
    project.write("test_render.py", LONG_MISMATCH)
    folder = project.path / GOLDEN
    folder.mkdir(parents=True)
    (folder / "test_page.json").write_text(json.dumps({"rows": list(range(3000))}))


def test_a_long_mismatch_without_pytests_tmpdir_plugin_keeps_its_diff_and_saves_the_value(
    project: Project,
    dist: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # -p no:tmpdir removes tmp_path_factory; the received value must still be saved.
    # It goes to the system's temporary folder, kept for the user after the run: point
    # that folder (in this process and in xdist workers) at one of this test's own, so
    # the suite leaves nothing in /tmp
    system_temp = tmp_path_factory.mktemp("system-temp")
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    monkeypatch.setenv("TMPDIR", str(system_temp))
    _long_json_golden(project)
    result = project.run("-p", "no:tmpdir", *dist)
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "AttributeError" not in out and "not found" not in out
    # one insertion in the list is one difference, not 2,997 shifted indexes
    for line in (
        "  $.rows[3]: inserted (got 'new')",
        "  $.rows[2999]: expected 2999, got 'last'",
        '+    "new",',
        "... diff truncated",
    ):
        assert line in out
    assert "$.rows[4]" not in out
    saved = [line.split("written to ", 1)[1] for line in out.splitlines() if "written to " in line]
    assert saved, out
    received = Path(saved[0].strip())
    assert json.loads(received.read_text(encoding="utf-8"))["rows"][3] == "new"
    assert project.path not in received.parents
    assert received.parent.parent.parent == system_temp, received
    assert received.parent.parent.name.startswith("pytest-graduation-received-")
    assert files_under(project.path / "golden") == ["test_render/test_page.json"]


def test_a_received_value_that_cannot_be_saved_still_shows_the_diff(project: Project) -> None:
    _long_json_golden(project)
    project.write("blocker", "a file where the temporary folder should be\n")
    project.write(
        "conftest.py",
        "import pathlib, tempfile, pytest\n"
        "@pytest.fixture(autouse=True)\n"
        "def no_temp_folder(monkeypatch):\n"
        "    blocker = pathlib.Path(__file__).parent / 'blocker'\n"
        "    monkeypatch.setattr(tempfile, 'tempdir', str(blocker))\n",
    )
    result = project.run("-p", "no:tmpdir")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*golden file mismatch: golden/test_render/test_page.json",
            "*$.rows[[]3[]]: inserted (got 'new')",
            "*full received value not saved: *",
            "*run pytest --update-goldens to accept the received value",
        ]
    )


def test_binary_mismatch_shows_a_hex_dump(project: Project) -> None:
    project.write("test_render.py", "def test_blob(golden):\n    golden.check(b'abcdef')\n")
    folder = project.path / GOLDEN
    folder.mkdir(parents=True)
    (folder / "test_blob.bin").write_bytes(b"abcXef")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*golden has 6 bytes, received 6 bytes; first difference at offset 3 (0x3)",
            "*-00000000  61 62 63 58 65 66 * |abcXef|",
            "*+00000000  61 62 63 64 65 66 * |abcdef|",
        ]
    )


def test_unsupported_type_fails_only_that_test_naming_the_type(project: Project) -> None:
    project.write(
        "test_render.py",
        """
        def test_set(golden):
            golden.check({"a": {1, 2}})

        def test_ok(golden):
            golden.check("fine")
        """,
    )
    (project.path / GOLDEN).mkdir(parents=True)
    (project.path / GOLDEN / "test_ok.txt").write_text("fine", encoding="utf-8")
    result = project.run()
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert (
        "TypeError: cannot serialize a value of type dict (set is not JSON data at $['a'])" in out
    )
    assert "pytest_graduation_serializers hook" in out


def test_tolerance_on_text_and_bad_tolerances_are_errors(project: Project) -> None:
    project.write(
        "test_render.py",
        """
        import pytest

        def test_bad(golden):
            with pytest.raises(ValueError, match="rtol/atol apply to JSON data only"):
                golden.check("text", rtol=0.1)
            with pytest.raises(ValueError, match="atol must be a finite number >= 0"):
                golden.check({}, atol=-1)
            with pytest.raises(TypeError, match="rtol must be a number"):
                golden.check({}, rtol="big")
        """,
    )
    project.run().assert_outcomes(passed=1)


CUSTOM = """
    import fractions
    from pytest_graduation import Serializer

    class FractionSerializer(Serializer):
        suffix = ".frac"

        def accepts(self, value):
            return isinstance(value, fractions.Fraction)

        def serialize(self, value):
            return f"{value.numerator}/{value.denominator}\\n"

    def pytest_graduation_serializers(config):
        return [FractionSerializer()]
"""


def test_custom_serializers_come_from_the_hook(project: Project) -> None:
    project.write("conftest.py", CUSTOM)
    project.write(
        "test_render.py",
        "import fractions\n\ndef test_frac(golden):\n    golden.check(fractions.Fraction(3, 6))\n",
    )
    project.run("--update-goldens").assert_outcomes(passed=1)
    assert (project.path / GOLDEN / "test_frac.frac").read_text(encoding="utf-8") == "1/2\n"
    project.run().assert_outcomes(passed=1)
    (project.path / GOLDEN / "test_frac.frac").write_text("2/3\n", encoding="utf-8")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*-2/3", "*+1/2"])


def test_a_bad_serializer_from_the_hook_is_reported(project: Project) -> None:
    project.write(
        "conftest.py",
        """
        class Bad:
            suffix = "../x"
            def accepts(self, value): return True
            def serialize(self, value): return ""

        def pytest_graduation_serializers(config):
            return [Bad()]
        """,
    )
    project.write("test_render.py", "def test_x(golden):\n    golden.check(object())\n")
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*`suffix` must be a str like '.csv'*"])


def test_fixture_works_in_passive_mode_and_while_gating(project: Project) -> None:
    project.write("test_render.py", "def test_page(golden):\n    golden.check({'k': 1})\n")
    project.run("--update-goldens").assert_outcomes(passed=1)
    result, report = project.gate("alpha")
    result.assert_outcomes(passed=1)
    assert report["verdict"] == "ready"
    data = json.loads((project.path / GOLDEN / "test_page.json").read_text(encoding="utf-8"))
    assert data == {"k": 1}


@pytest.mark.parametrize("golden_dir", ["snapshots", "gold.en"])
def test_golden_dir_is_configurable(project: Project, golden_dir: str) -> None:
    project.config(f'[tool.graduation]\ngolden_dir = "{golden_dir}"\n')
    project.write("sub/test_render.py", "def test_page(golden):\n    golden.check('x')\n")
    project.run("--update-goldens").assert_outcomes(passed=1)
    assert (project.path / "sub" / golden_dir / "test_render" / "test_page.txt").is_file()


def test_golden_values_are_recorded_as_observations(project: Project) -> None:
    project.write(
        "conftest.py",
        """
        import pytest
        from pytest_graduation.observations import ObservationLog, observations_key

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_call(item):
            log = item.stash[observations_key] = ObservationLog()
            result = yield
            print("OBSERVED", log.entries)
            return result
        """,
    )
    project.write(
        "test_render.py",
        "def test_page(golden):\n    golden.check('a')\n    golden.check([1], name='n')\n",
    )
    result = project.run("--update-goldens", "-s")
    expected = [("golden:test_page.txt", "a"), ("golden:test_page.n.json", "[\n  1\n]\n")]
    assert f"OBSERVED {expected!r}" in result.stdout.str()
