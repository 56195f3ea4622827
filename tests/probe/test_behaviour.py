"""The probe's verdicts on real wheels built from C, on real 3.13t and 3.14t interpreters."""

from __future__ import annotations

from pathlib import Path

from tests.probe.conftest import ProbeWheel
from tracker.models import Culprit, ModuleOutcome, Status
from tracker.pythons.discover import Interpreter


def outcomes(result: object) -> dict[str, ModuleOutcome]:
    return {m.name: m.outcome for m in result.modules}  # type: ignore[attr-defined]


def test_declared_module_is_ready(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["good"], target_interpreter
    )
    assert result.status is Status.READY
    assert result.culprits == ()
    assert outcomes(result) == {"ftgood": ModuleOutcome.OK, "ftgood._core": ModuleOutcome.OK}
    assert result.interpreter == target_interpreter.version
    assert result.sandbox == "bwrap"
    assert result.target == target_interpreter.target.name


def test_undeclared_module_reenables_gil(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["bad"], target_interpreter
    )
    assert result.status is Status.GIL_REENABLED
    assert result.culprits == (Culprit("ftbad._core", "ftbad"),)
    assert outcomes(result)["ftbad._core"] is ModuleOutcome.GIL_REENABLED


def test_single_phase_with_setgil_is_ready(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["single"], target_interpreter
    )
    assert result.status is Status.READY
    assert outcomes(result) == {"ftsingle": ModuleOutcome.OK}


def test_every_culprit_is_named_not_only_the_first(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["mixed"], target_interpreter
    )
    assert result.status is Status.GIL_REENABLED
    assert {c.module for c in result.culprits} == {"ftmixed.b", "ftmixed.d"}
    found = outcomes(result)
    assert found["ftmixed.a"] is ModuleOutcome.OK
    assert found["ftmixed.c"] is ModuleOutcome.OK
    assert found["ftmixed.b"] is ModuleOutcome.GIL_REENABLED
    assert found["ftmixed.d"] is ModuleOutcome.GIL_REENABLED


def test_crash_is_pinned_and_others_still_judged(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["crash"], target_interpreter
    )
    found = outcomes(result)
    assert result.status is Status.CRASHED
    assert found["ftcrash.boom"] is ModuleOutcome.CRASHED
    assert "SIGSEGV" in {m.name: m.detail for m in result.modules}["ftcrash.boom"]
    assert found["ftcrash.gil"] is ModuleOutcome.GIL_REENABLED
    assert found["ftcrash.fine"] is ModuleOutcome.OK
    assert [c.module for c in result.culprits] == ["ftcrash.gil"]


def test_pure_wheel_is_ready_without_extension_modules(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["pure"], target_interpreter
    )
    assert result.status is Status.READY
    assert [m for m in result.modules if m.extension] == []


def test_culprit_owned_by_a_dependency(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["dependent"], target_interpreter
    )
    assert result.status is Status.GIL_REENABLED
    assert result.culprits == (Culprit("ftbad._core", "ftbad"),)
    assert outcomes(result)["ftdependent"] is ModuleOutcome.GIL_REENABLED
    assert "ftbad._core (ftbad)" in result.modules[0].detail


def test_module_raising_on_import(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["raise"], target_interpreter
    )
    assert result.status is Status.IMPORT_FAILED
    detail = {m.name: m.detail for m in result.modules}["ftraise._core"]
    assert "RuntimeError: refusing to load" in detail


def test_wheel_for_the_gil_build_only_fails_to_install(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["gilonly"], target_interpreter
    )
    assert result.status is Status.INSTALL_FAILED
    assert result.modules == ()
    assert "ftgilonly" in result.detail or "not compatible" in result.detail.lower()


def test_optional_modules_are_reported_but_do_not_decide(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["optional"], target_interpreter
    )
    assert result.status is Status.READY
    assert result.culprits == ()
    found = {m.name: m for m in result.modules}
    assert found["ftoptional.tests._helper"].outcome is ModuleOutcome.GIL_REENABLED
    assert found["ftoptional.tests._broken"].outcome is ModuleOutcome.IMPORT_FAILED
    assert found["_ftoptional_pytestplugin"].outcome is ModuleOutcome.IMPORT_FAILED
    assert all(found[n].optional for n in ("ftoptional.tests._helper", "_ftoptional_pytestplugin"))
    assert not found["ftoptional._core"].optional


def test_a_module_inside_an_import_cycle_is_imported_the_normal_way(
    target_interpreter: Interpreter,
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        behaviour_wheels[target_interpreter.target.name]["cycle"], target_interpreter
    )
    assert outcomes(result) == {"ftcycle": ModuleOutcome.OK, "ftcycle._core": ModuleOutcome.OK}
    assert result.status is Status.READY


def test_probes_run_side_by_side(
    interpreters: dict[str, Interpreter],
    behaviour_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    """Two probe threads, as the tracker's pool runs them: each reaps only its own processes."""
    from concurrent.futures import ThreadPoolExecutor

    interpreter = interpreters["3.14t"]
    names = ["good", "bad", "crash", "mixed", "single", "raise"]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda n: probe_wheel(behaviour_wheels["3.14t"][n], interpreter), names)
        )
    assert [r.status for r in results] == [
        Status.READY, Status.GIL_REENABLED, Status.CRASHED, Status.GIL_REENABLED, Status.READY,
        Status.IMPORT_FAILED,
    ]  # fmt: skip
