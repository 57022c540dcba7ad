"""The derandomized Hypothesis profile while gating."""

from __future__ import annotations

import pytest
from hypothesis import settings

from conftest import Project
from pytest_graduation.determinism.hypothesis_profile import PROFILE

CONFIG = """
[tool.graduation.criteria.alpha]
determinism_runs = 3
"""

PROPERTY = """
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

@pytest.mark.deterministic
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(), st.text())
def test_examples(observe, number, text):
    observe([number, text])
"""


def test_a_property_test_gives_identical_observations_while_gating(
    project: Project, dist: list[str]
) -> None:
    project.config(CONFIG)
    project.write("test_det_prop.py", PROPERTY)
    before = settings.get_current_profile_name()
    result, report = project.gate("alpha", "-v", *dist)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"hypothesis profile '{PROFILE}' -> *derandomize=True*"])
    assert report["verdict"] == "ready"
    assert settings.get_current_profile_name() == before  # restored after the session


def test_an_explicit_hypothesis_profile_is_left_alone(project: Project) -> None:
    project.config(CONFIG)
    project.write("test_det_prop.py", PROPERTY)
    result, _ = project.gate("alpha", "-v", "--hypothesis-profile=default")
    # random examples differ from run to run: that is what the derived profile prevents
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*not deterministic: run 2 differs from run 1*"])
    assert PROFILE not in result.stdout.str()


@pytest.mark.parametrize("seed", [[], ["--hypothesis-seed=7"]])
def test_passive_runs_derandomize_unless_a_seed_is_given(project: Project, seed: list[str]) -> None:
    project.write("test_det_prop.py", PROPERTY)
    result = project.run("-v", "--determinism-runs=2", *seed)
    result.assert_outcomes(passed=1)  # a fixed seed repeats the examples as well
    assert (PROFILE in result.stdout.str()) == (not seed)


def test_without_determinism_or_gating_the_profile_is_untouched(project: Project) -> None:
    project.write("test_det_prop.py", PROPERTY)
    result = project.run("-v")
    result.assert_outcomes(passed=1)
    assert PROFILE not in result.stdout.str()


def test_hypothesis_imported_by_a_test_module_gets_the_profile_before_its_decorators(
    project: Project,
) -> None:
    project.write("test_det_prop.py", PROPERTY)
    # a fresh interpreter: Hypothesis is first imported by the test module itself
    result = project.pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "--determinism-runs=3"
    )
    result.assert_outcomes(passed=1)
