"""The compatibility suite's driver, run by nox in each session's virtualenv
(``python tests/compat/run.py [CASE ...]``).

For every sample project under ``projects/`` (each with a ``case.json``) it runs, each
time in a fresh copy of the project:

- **passive**: ``pytest -p no:graduation`` (the reference) and ``pytest`` with the plugin
  loaded but no ``--graduation``, once per mode of ``passive`` (extra options such as
  ``-n 2``, ``--import-mode=importlib``, ``--lf``): both must log the same reports
  (node id, phase, outcome, subtest) and end with the same exit code;
- **gated**: each of ``gates`` serially, whose verdict and criterion statuses must be
  the expected ones, and again under ``-n 2``, which must judge exactly like the
  serial run.

``prepare`` (optional) is a run made in the copy before the measured one, with
``COMPAT_FIXED`` unset (the measured run has ``COMPAT_FIXED=1``): it records last
failures for ``--lf``, ``--ff`` and ``--sw``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"


def _common() -> list[str]:
    args = ["-p", "dump", "-q", "-o", "console_output_style=classic"]
    if importlib.util.find_spec("pytest_randomly"):
        args.append("--randomly-seed=1")  # the same order in both runs of a comparison
    return args


def _pytest(where: Path, args: list[str], fixed: bool, dump: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    env.pop("COMPAT_FIXED", None)
    # where it is set, pytest rewrites every plugin module again in each process
    # (tests/conftest.py says more); bytecode does not change what a run reports
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if fixed:
        env["COMPAT_FIXED"] = "1"
    if dump is not None:
        env["COMPAT_DUMP"] = str(dump)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *_common(), *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    result: dict[str, Any] = {"exit": done.returncode, "output": done.stdout + done.stderr}
    if dump is not None and dump.exists():
        result["dump"] = json.loads(dump.read_text(encoding="utf-8"))
    return result


def _in_copy(case: Path, spec: dict[str, Any], args: list[str], report: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"compat-{case.name}-") as tmp:
        where = Path(tmp) / case.name
        shutil.copytree(case, where)
        if spec.get("prepare") is not None:
            _pytest(where, [*spec.get("args", []), *spec["prepare"]], False, None)
        if report:
            args = [*args, f"--graduation-report={where / 'report.json'}"]
        result = _pytest(where, [*spec.get("args", []), *args], True, where / "dump.json")
        if report and (where / "report.json").exists():
            result["report"] = json.loads((where / "report.json").read_text(encoding="utf-8"))
        return result


def _diff(reference: dict[str, Any], passive: dict[str, Any]) -> list[str]:
    problems = []
    if "dump" not in reference or "dump" not in passive:
        return ["no report dump:\n" + reference["output"][-2000:] + passive["output"][-2000:]]
    if reference["exit"] != passive["exit"]:
        problems.append(f"exit code {passive['exit']}, reference {reference['exit']}")
    ref, got = reference["dump"]["reports"], passive["dump"]["reports"]
    missing = [r for r in ref if r not in got]
    extra = [r for r in got if r not in ref]
    if missing or extra or len(ref) != len(got):
        problems.append(f"{len(got)} reports, reference {len(ref)}")
        problems += [f"  only in reference: {r}" for r in missing[:10]]
        problems += [f"  only with the plugin: {r}" for r in extra[:10]]
    if problems:
        problems.append(passive["output"][-3000:])
    return problems


def _judged(result: dict[str, Any]) -> tuple[str, dict[str, str]]:
    report = result.get("report") or {}
    return report.get("verdict", "none"), {
        c["name"]: c["status"] for c in report.get("criteria", [])
    }


def _gate_problems(result: dict[str, Any], gate: dict[str, Any]) -> list[str]:
    verdict, statuses = _judged(result)
    problems = []
    if verdict != gate["verdict"]:
        problems.append(f"verdict {verdict}, expected {gate['verdict']}")
    for name, status in gate.get("criteria", {}).items():
        if statuses.get(name) != status:
            problems.append(f"{name}: {statuses.get(name)}, expected {status}")
    if problems:
        problems.append(result["output"][-3000:])
    return problems


def check_case(case: Path) -> list[str]:
    spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
    failures = []
    for mode in spec.get("passive", [[]]):
        reference = _in_copy(case, spec, ["-p", "no:graduation", *mode], report=False)
        passive = _in_copy(case, spec, mode, report=False)
        problems = _diff(reference, passive)
        print(f"{'FAIL' if problems else 'ok  '} {case.name}: passive {' '.join(mode)}", flush=True)
        failures += [f"{case.name}: passive {mode}: {p}" for p in problems]
    for gate in spec.get("gates", []):
        args = [f"--graduation={gate['level']}", *gate.get("args", [])]
        serial = _in_copy(case, spec, args, report=True)
        problems = _gate_problems(serial, gate)
        if not gate.get("serial_only"):
            distributed = _in_copy(case, spec, [*args, "-n", "2"], report=True)
            if _judged(distributed) != _judged(serial):
                problems.append(f"-n 2 judged {_judged(distributed)}, serially {_judged(serial)}")
                problems.append(distributed["output"][-3000:])
        print(f"{'FAIL' if problems else 'ok  '} {case.name}: gated {' '.join(args)}", flush=True)
        failures += [f"{case.name}: gated {args}: {p}" for p in problems]
    return failures


#: pytest runs at once (each case's checks run in a thread; pytest is a subprocess)
JOBS = int(os.environ.get("COMPAT_JOBS", "2"))


def main(names: list[str]) -> int:
    cases = sorted(p.parent for p in PROJECTS.glob("*/case.json"))
    if names:
        cases = [c for c in cases if c.name in names]
    if not cases:
        known = sorted(p.parent.name for p in PROJECTS.glob("*/case.json"))
        print(f"no case named {names}; cases: {known}")
        return 2
    import pytest

    print(f"python {sys.version.split()[0]}, pytest {pytest.__version__}", flush=True)
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        failures = [failure for found in pool.map(check_case, cases) for failure in found]
    for failure in failures:
        print(failure)
    print(f"compat: {len(failures)} problem(s) in {len(cases)} case(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
