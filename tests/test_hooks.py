"""The public extension hooks: custom criteria and the final report."""

from __future__ import annotations

from conftest import Project, criterion, serial_only

CUSTOM = """
    from pytest_graduation import Criterion, CriterionResult

    class ChangelogMentionsVersion(Criterion):
        name = "changelog"

        def evaluate(self, run):
            names = sorted(t.nodeid for t in run.tests if "smoke" in t.markers)
            if run.level == "stable":
                return CriterionResult.unmet(0, 1, ["CHANGELOG.md has no entry"] + names)
            return CriterionResult.met(1, 1)

    class Broken(Criterion):
        name = "broken"

        def evaluate(self, run):
            raise ValueError("boom")

    class WrongType:
        name = "wrong"

        def evaluate(self, run):
            return True

    def pytest_graduation_criteria(config):
        return [ChangelogMentionsVersion(), Broken(), WrongType()]

    def pytest_graduation_report(config, report):
        seen = f"{report.verdict} {report.to_dict()['verdict']} {report.to_dict()['level']}"
        (config.rootpath / "seen.txt").write_text(seen)
"""


@serial_only
def test_custom_criteria_are_judged_and_reported(project: Project, dist: list[str]) -> None:
    project.write("conftest.py", CUSTOM)
    project.config('[tool.pytest.ini_options]\nmarkers = ["smoke"]\n')
    project.write("test_x.py", "import pytest\n\n@pytest.mark.smoke\ndef test_ok():\n    pass\n")
    result, report = project.gate("stable", *dist)
    assert result.ret == 1
    changelog = criterion(report, "changelog")
    assert changelog["status"] == "unmet"
    assert changelog["details"] == ["CHANGELOG.md has no entry", "test_x.py::test_ok"]
    assert criterion(report, "broken")["details"] == ["criterion 'broken' raised ValueError: boom"]
    assert criterion(report, "wrong")["details"] == [
        "criterion 'wrong' returned bool, expected a CriterionResult"
    ]
    assert (project.path / "seen.txt").read_text() == "not-ready not-ready stable"


def test_custom_criteria_can_be_waived(project: Project) -> None:
    project.write(
        "conftest.py",
        """
        from pytest_graduation import Criterion, CriterionResult

        class Docs(Criterion):
            name = "docs"
            def evaluate(self, run):
                return CriterionResult.unmet("missing", "present", ["docs/ is empty"])

        def pytest_graduation_criteria(config):
            yield Docs()
        """,
    )
    project.config(
        """
        [[tool.graduation.waivers]]
        criterion = "docs"
        reason = "docs sprint next month"
        expires = 2999-01-01
        """
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result, report = project.gate("beta")
    assert result.ret == 0
    assert criterion(report, "docs")["status"] == "waived"


def test_custom_criterion_name_clash_is_a_usage_error(project: Project) -> None:
    project.write(
        "conftest.py",
        """
        from pytest_graduation import Criterion, CriterionResult

        class Mine(Criterion):
            name = "tests"
            def evaluate(self, run):
                return CriterionResult.met()

        def pytest_graduation_criteria(config):
            return [Mine()]
        """,
    )
    project.write("test_x.py", "def test_ok():\n    pass\n")
    result = project.run("--graduation=beta")
    assert result.ret == 4
    assert "custom criterion name 'tests' is already taken" in result.stderr.str()


def test_object_without_evaluate_is_a_usage_error(project: Project) -> None:
    project.write(
        "conftest.py",
        "def pytest_graduation_criteria(config):\n    return [object()]\n",
    )
    result = project.run("--graduation=beta")
    assert result.ret == 4
    assert "a criterion needs a non-empty str `name` and `evaluate(run)`" in result.stderr.str()
