"""The file criteria: line_limit, compile and source_rules, judged through real sessions."""

from __future__ import annotations

import os

import pytest

from conftest import Project, criterion, serial_only

PASSING_TEST = "def test_ok():\n    pass\n"


def _lines(count: int) -> str:
    return "".join(f"x{i} = {i}\n" for i in range(count))


@serial_only
def test_line_limit_met(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "src/**/*.py" = 5, "templates/*" = 2 }
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/pkg/a.py", _lines(5))
    project.write("src/b.py", _lines(3))
    project.write("templates/page.html", "<p>\n</p>\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 0
    line_limit = criterion(report, "line_limit")
    assert line_limit["status"] == "met"
    assert line_limit["measured"] == {"src/**/*.py": 5, "templates/*": 2}
    assert line_limit["required"] == {"src/**/*.py": 5, "templates/*": 2}
    assert line_limit["details"] == ["checked 3 files"]


@serial_only
def test_line_limit_unmet_lists_offenders_sorted(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "src/**/*.py" = 3, "docs/*.md" = 10 }
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/z.py", _lines(4))
    project.write("src/deep/er/a.py", _lines(9))
    project.write("src/ok.py", _lines(3))
    (project.path / "src/crlf.py").write_bytes(b"a = 1\r\nb = 2\r\nc = 3\r\nd = 4")
    (project.path / "src/latin.py").write_bytes(b"x = '\xff'\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    line_limit = criterion(report, "line_limit")
    assert line_limit["status"] == "unmet"
    assert line_limit["measured"] == {"src/**/*.py": 9, "docs/*.md": None}
    details = line_limit["details"]
    assert details[:2] == ["checked 5 files", "docs/*.md: no file matches this glob"]
    assert details[2:4] == ["src/crlf.py: 4 lines (limit 3)", "src/deep/er/a.py: 9 lines (limit 3)"]
    assert details[4].startswith("src/latin.py: cannot decode as utf-8")
    assert details[5:] == ["src/z.py: 4 lines (limit 3)"]
    result.stdout.fnmatch_lines(["line_limit*unmet*", "*src/z.py: 4 lines (limit 3)"])


@serial_only
def test_compile_met_writes_no_bytecode(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        compile = ["src", "tool.py"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/pkg/__init__.py", "")
    project.write("src/pkg/mod.py", "def f(x):\n    return x * 2\n")
    # a coding cookie is honoured; a SyntaxWarning is no failure even under -W error
    (project.path / "src/pkg/latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nX = '\xe9'\n")
    project.write("src/pkg/warns.py", "PATTERN = '\\d+'\nassert (1, 'x')\n")
    project.write("tool.py", "print('hi')\n")
    result, report = project.gate("alpha", "-W", "error", *dist)
    assert result.ret == 0, result.stdout.str()
    compiled = criterion(report, "compile")
    assert compiled["status"] == "met"
    assert compiled["measured"] == "5/5 compile"
    assert compiled["details"] == ["checked 5 files"]
    # pytest caches the test modules it rewrote (tagged "-pytest-") unless
    # PYTHONDONTWRITEBYTECODE is set; the criterion itself writes no bytecode
    assert not [p for p in project.path.rglob("__pycache__/*.pyc") if "-pytest-" not in p.name]
    assert not list((project.path / "src").rglob("__pycache__"))


@serial_only
def test_compile_unmet_names_file_line_and_message(project: Project, dist: list[str]) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        compile = ["src", "missing", "empty", "../outside"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/good.py", "x = 1\n")
    project.write("src/bad.py", "x = 1\ndef f(:\n    pass\n")
    project.write("src/indent.py", "if True:\npass\n")
    (project.path / "src/nul.py").write_bytes(b"x = 1\ny = 2\0\n")
    (project.path / "empty").mkdir()
    project.write("empty/notes.txt", "no python here\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    compiled = criterion(report, "compile")
    assert compiled["status"] == "unmet"
    assert compiled["measured"] == "1/4 compile"
    details = compiled["details"]
    assert details[:4] == [
        "checked 4 files",
        "missing: no such file or folder",
        "empty: no .py file to compile",
        "../outside: not a path inside the rootdir",
    ]
    assert details[4].startswith("src/bad.py:2: ")
    assert (
        details[5] == "src/indent.py:2: expected an indented block after 'if' statement on line 1"
    )
    assert details[6].startswith("src/nul.py:2: ")
    assert "null" in details[6]


def test_compile_remembers_sources_that_compiled(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        compile = ["src"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/a.py", "x = 1\n")
    args = ("-p", "no:randomly", "--graduation=alpha")
    assert project.pytester.runpytest(*args).ret == 0
    cached = list((project.path / ".pytest_cache/v/graduation/compiled").iterdir())
    assert len(cached) == 1
    # an edited file is compiled again: the cache is keyed by content, not by path
    project.write("src/a.py", "x = (\n")
    result = project.pytester.runpytest(*args)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*src/a.py:1: '(' was never closed"])


RULES = """
    [[tool.graduation.criteria.alpha.source_rules]]
    name = "no-print"
    files = "src/**/*.py"
    pattern = "^\\\\s*print\\\\("
    message = "use logging"

    [[tool.graduation.criteria.alpha.source_rules]]
    name = "no-todo"
    files = "src/**"
    pattern = "TODO|FIXME"
    message = "open a ticket instead"
"""


@serial_only
def test_source_rules_met(project: Project, dist: list[str]) -> None:
    project.config(RULES)
    project.write("tests/test_ok.py", "def test_ok():\n    print('fine in tests')  # TODO\n")
    project.write("src/a.py", "import logging\nlogging.info('x')\nblueprint('y')\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 0
    rules = criterion(report, "source_rules")
    assert rules["status"] == "met"
    assert (rules["measured"], rules["required"]) == (0, 0)
    assert rules["details"] == ["checked 1 file"]


@serial_only
def test_source_rules_unmet_lists_every_hit_in_file_order(
    project: Project, dist: list[str]
) -> None:
    project.config(RULES)
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/b.py", "x = 1\n    print('a')  # TODO\n")
    project.write("src/a/c.py", "# FIXME\nprint(1)\n")
    project.write("src/notes.txt", "TODO: write notes\n")
    (project.path / "src/latin.py").write_bytes(b"x = 1\n'\xff'\n")
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    rules = criterion(report, "source_rules")
    assert rules["status"] == "unmet"
    assert rules["measured"] == 5
    assert rules["details"][:5] == [
        "checked 4 files",
        "src/a/c.py:1: no-todo: open a ticket instead",
        "src/a/c.py:2: no-print: use logging",
        "src/b.py:2: no-print: use logging",
        "src/b.py:2: no-todo: open a ticket instead",
    ]
    assert rules["details"][5].startswith("src/latin.py:2: cannot decode as utf-8")
    assert rules["details"][6:] == ["src/notes.txt:1: no-todo: open a ticket instead"]


def test_source_rule_matching_no_file_is_unmet(project: Project) -> None:
    project.config(
        """
        [[tool.graduation.criteria.alpha.source_rules]]
        name = "no-eval"
        files = "scr/**/*.py"
        pattern = "eval\\\\("
        message = "no eval"
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "source_rules")["details"] == [
        "checked 0 files",
        "rule 'no-eval': no file matches this glob",
    ]


def test_bad_rule_regex_is_a_usage_error(project: Project) -> None:
    project.config(
        """
        [[tool.graduation.criteria.alpha.source_rules]]
        name = "broken"
        files = "src/*.py"
        pattern = "print(("
        message = "never"
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    result, _ = project.gate("alpha")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*source_rules[[]0[]].pattern*valid regular expression*"])


def test_walk_skips_excluded_folders_and_outside_symlinks(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "**/*.py" = 2 }
        compile = ["."]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    long_and_broken = _lines(5) + "def (:\n"
    for folder in ("build", "dist", "node_modules", ".tox", "pkg.egg-info", "env", "__pycache__"):
        project.write(f"{folder}/x.py", long_and_broken)
    project.write("env/pyvenv.cfg", "home = /usr\n")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "far.py").write_text(long_and_broken, encoding="utf-8")
    try:
        os.symlink(outside / "far.py", project.path / "far.py")
        os.symlink(outside, project.path / "linked")
        os.symlink(project.path / "tests", project.path / "loop")
    except OSError:  # pragma: no cover - platforms without symlinks
        pytest.skip("symlinks are not available")
    result, report = project.gate("alpha")
    assert result.ret == 0, criterion(report, "line_limit")
    assert criterion(report, "compile")["measured"] == "1/1 compile"


def test_build_and_dist_packages_below_the_rootdir_are_checked(project: Project) -> None:
    # the default exclude names the rootdir's build/ and dist/, not packages deeper down
    project.config(
        """
        [tool.graduation.criteria.alpha]
        line_limit = { "src/**/*.py" = 2 }
        compile = ["src", "."]

        [[tool.graduation.criteria.alpha.source_rules]]
        name = "no-todo"
        files = "src/**"
        pattern = "TODO"
        message = "open a ticket"
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/mypkg/build/__init__.py", "def (:\n")
    project.write("src/mypkg/dist/long.py", _lines(3))
    project.write("src/mypkg/build/notes.txt", "TODO\n")
    project.write("build/lib/gen.py", _lines(5) + "def (:\n  # TODO\n")
    project.write("dist/old.py", "def (:\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    compiled = criterion(report, "compile")
    assert compiled["status"] == "unmet"
    assert compiled["measured"] == "2/3 compile"
    assert compiled["details"][0] == "checked 3 files"
    assert compiled["details"][1].startswith("src/mypkg/build/__init__.py:1: ")
    assert criterion(report, "line_limit")["details"] == [
        "checked 2 files",
        "src/mypkg/dist/long.py: 3 lines (limit 2)",
    ]
    assert criterion(report, "source_rules")["details"] == [
        "checked 3 files",
        "src/mypkg/build/notes.txt:1: no-todo: open a ticket",
    ]


def test_exclude_replaces_the_default(project: Project) -> None:
    project.config(
        """
        [tool.graduation]
        exclude = ["generated/**", "src/*_pb2.py"]

        [tool.graduation.criteria.alpha]
        compile = ["."]
        line_limit = { "generated/**" = 1 }
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("generated/deep/x.py", "def (:\n")
    project.write("src/api_pb2.py", "def (:\n")
    project.write("src/pkg/api_pb2.py", "x = 1\n")  # `*` stays in one folder: checked
    project.write("build/lib/x.py", "x = 1\n")  # no longer excluded: checked
    project.write("venv/pyvenv.cfg", "home = /usr\n")  # a virtualenv is always skipped
    project.write("venv/lib/site.py", "def (:\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    compiled = criterion(report, "compile")
    assert (compiled["status"], compiled["measured"]) == ("met", "3/3 compile")
    assert compiled["details"] == ["checked 3 files"]
    # a glob whose files are all excluded measured nothing: unmet, never met
    line_limit = criterion(report, "line_limit")
    assert line_limit["status"] == "unmet"
    assert line_limit["details"] == ["checked 0 files", "generated/**: no file matches this glob"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"build/**"', "tool.graduation.exclude: expected an array of strings, got string"),
        ('["ok/**", 3]', "tool.graduation.exclude[1]: expected a non-empty string, got integer 3"),
        ('[""]', "tool.graduation.exclude[0]: expected a non-empty string"),
    ],
)
def test_bad_exclude_is_a_usage_error(project: Project, value: str, message: str) -> None:
    project.config(f"[tool.graduation]\nexclude = {value}\n")
    project.write("tests/test_ok.py", PASSING_TEST)
    result, report = project.gate("alpha")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert report == {}


def test_compile_that_checks_nothing_is_unmet(project: Project) -> None:
    project.config(
        """
        [tool.graduation.criteria.alpha]
        compile = []

        [tool.graduation.criteria.beta]
        compile = ["build", "src/mypkg/__pycache__"]
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("build/gen.py", "x = 1\n")
    project.write("src/mypkg/__pycache__/stale.py", "x = 1\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    compiled = criterion(report, "compile")
    assert compiled["status"] == "unmet"
    assert compiled["details"] == ["checked 0 files", "nothing to compile: compile = []"]
    result, report = project.gate("beta")
    assert result.ret == 1
    assert criterion(report, "compile")["details"] == [
        "checked 0 files",
        "build: no .py file to compile (excluded)",
        "src/mypkg/__pycache__: no .py file to compile (excluded)",
    ]


ALLOWING_RULES = """
    [[tool.graduation.criteria.alpha.source_rules]]
    name = "no-print"
    files = "src/**/*.py"
    exclude = ["src/pkg/__main__.py", "src/scripts/**"]
    pattern = "print\\\\("
    message = "use logging"

    [[tool.graduation.criteria.alpha.source_rules]]
    name = "no-todo"
    files = "src/**/*.py"
    pattern = "TODO"
    message = "open a ticket"
"""


@serial_only
def test_source_rules_exclude_files_and_allow_lines_inline_and_count_both(
    project: Project, dist: list[str]
) -> None:
    project.config(ALLOWING_RULES)
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/pkg/__main__.py", "print('usage')\n")
    project.write("src/scripts/tool.py", "print(1)\nprint(2)\n")
    project.write(
        "src/pkg/core.py",
        "print(banner)  # graduation: allow no-print\n"
        "print(x)  # TODO later  // graduation: allow no-print, no-todo\n"
        "log(1)\n",
    )
    result, report = project.gate("alpha", *dist)
    rules = criterion(report, "source_rules")
    assert (rules["status"], rules["measured"]) == ("met", 0), rules
    # __main__.py and tool.py are excluded from no-print only, so no-todo checks them
    assert rules["details"] == ["checked 3 files; 2 files excluded, 2 lines allowed inline"]
    assert result.ret == 0


@serial_only
def test_an_inline_allowance_allows_only_the_rule_it_names_at_the_end_of_the_line(
    project: Project, dist: list[str]
) -> None:
    project.config(ALLOWING_RULES)
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write(
        "src/core.py",
        "print(1)  # TODO  # graduation: allow no-todo\n"  # no-print is not allowed
        "print(2)  # graduation: allow no-print because it is fine\n"
        "print(3)  # graduation: allow no-prin\n"
        "print('# graduation: allow no-print')\n"  # a string, not a closing comment
        "print(4)  # graduation: allow no-print\n",
    )
    result, report = project.gate("alpha", *dist)
    assert result.ret == 1
    rules = criterion(report, "source_rules")
    assert rules["status"] == "unmet"
    assert rules["measured"] == 4
    assert rules["details"] == [
        "checked 1 file; 0 files excluded, 2 lines allowed inline",
        *(f"src/core.py:{line}: no-print: use logging" for line in (1, 2, 3, 4)),
    ]


def test_a_source_rule_whose_files_are_all_excluded_checks_nothing_so_is_unmet(
    project: Project,
) -> None:
    project.config(
        """
        [[tool.graduation.criteria.alpha.source_rules]]
        name = "no-eval"
        files = "src/*.py"
        exclude = ["src/**"]
        pattern = "eval\\\\("
        message = "no eval"
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    project.write("src/a.py", "eval('1')\n")
    result, report = project.gate("alpha")
    assert result.ret == 1
    assert criterion(report, "source_rules")["details"] == [
        "checked 0 files; 1 file excluded",
        "rule 'no-eval': every file matching 'src/*.py' is excluded",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"src/a.py"', "source_rules[0].exclude: expected an array of strings"),
        ("[1]", "source_rules[0].exclude[0]: expected a non-empty string"),
    ],
)
def test_a_source_rule_exclude_that_is_not_an_array_of_strings_is_a_usage_error(
    project: Project, value: str, message: str
) -> None:
    project.config(
        f"""
        [[tool.graduation.criteria.alpha.source_rules]]
        name = "no-eval"
        files = "src/*.py"
        exclude = {value}
        pattern = "eval"
        message = "no eval"
        """
    )
    project.write("tests/test_ok.py", PASSING_TEST)
    result, _ = project.gate("alpha")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
