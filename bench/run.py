# SPDX-License-Identifier: MIT
"""cptkit's benchmark: every figure measured in one run, side by side, as ratios.

    python bench/run.py [--lines 1000000] [--smoke] [--json bench/results/latest.json]

Figures (each the best of --repeat runs):

1. floor: reading the CSV with ``csv.DictReader`` and doing nothing else;
2. read: the same rows into cptkit ``ClaimLine``/``Claim`` values;
3. validate: reading plus full validation with the Medicare rule set (and, derived from 2 and
   3, checking alone: what the rules add to reading);
3b. columnar: reading plus the full Medicare check with ``cptkit.columnar.check_file`` (needs
   polars, the ``fast`` extra), against the floor and against polars' own ``read_csv`` (all
   columns as text), with the peak memory of ``check_file`` over the whole file (which holds
   every finding) and of the streaming engine over N and 2N lines;
4. pydantic: the same rows structured by a pydantic v2 model of the same fields (needs the
   ``bench`` extra; skipped if pydantic is missing);
5. import time of ``cptkit`` against ``attrs`` + ``cattrs``; first and warm lookups;
   ``units.allocate`` for a typical visit and per 1,000 codes;
6. peak memory while streaming N and 2N lines (it must not grow with file length).

``--smoke`` runs a small version (CI runs it: every figure must be produced).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import decimal
import json
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

import cptkit  # noqa: E402
from cptkit import Claim  # noqa: E402
from cptkit.files import read_claims as claims_of  # noqa: E402


def read_claims(path: Path) -> Iterator[Claim]:
    """Rows -> claims with the public streaming reader (as ``cptkit check``)."""
    return claims_of(path, on_rejected=lambda rejected: None)


def claims_file(path: Path | None, folder: str, lines: int) -> Path:
    """*path*, or the seeded generated file of *lines* lines (``generate.py --seed 7``) written
    in *folder*; with cptkit's tables loaded, so that loading them is not timed."""
    if path is None:
        path = Path(folder) / "claims.csv"
        generate.write(path, lines, seed=7)
    cptkit.catalog().ptp("97110", "97140")
    cptkit.catalog().mue("97110")
    return path


def floor(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as stream:
        return sum(1 for _ in csv.DictReader(stream))


def read(path: Path) -> int:
    return sum(len(claim.lines) for claim in read_claims(path))


def validate(path: Path) -> int:
    return sum(len(report.findings) for report in cptkit.validate_many(read_claims(path)))


def columnar(path: Path) -> int:
    from cptkit.columnar import check_file

    return check_file(path).height


def columnar_stream(path: Path) -> int:
    """The columnar engine as ``cptkit check`` runs it: batch by batch, nothing kept."""
    from cptkit.columnar import check_events
    from cptkit.files import read
    from cptkit.validation import Checker

    return sum(batch.findings.height for batch in check_events(read(path), Checker()))


def polars_read(path: Path) -> int:
    import polars

    return polars.read_csv(path, infer_schema=False).height


def _has_polars() -> bool:
    import importlib.util

    return importlib.util.find_spec("polars") is not None


def pydantic_structure(path: Path) -> int | None:
    try:
        import pydantic
    except ImportError:
        return None

    class Line(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(frozen=True, strict=False)
        code: str = pydantic.Field(pattern=r"^([0-9]{5}|[0-9]{4}[AFMTU]|[A-V][0-9]{4})$")
        units: int = pydantic.Field(ge=1)
        date_of_service: datetime.date
        modifiers: tuple[str, ...]
        place_of_service: str | None
        minutes: int | None
        diagnosis_pointers: tuple[int, ...]
        charge: decimal.Decimal | None

    count = 0
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            Line(
                code=row["code"],
                units=row["units"],
                date_of_service=row["date_of_service"],
                modifiers=row["modifiers"].split(),
                place_of_service=row["place_of_service"] or None,
                minutes=row["minutes"] or None,
                diagnosis_pointers=row["diagnosis_pointers"].split(),
                charge=row["charge"] or None,
            )
            count += 1
    return count


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _compile_bytecode() -> None:
    """Write cptkit's .pyc files first, as ``pip install`` does: the timings are of an installed
    package, not of compiling its sources (which PYTHONDONTWRITEBYTECODE would force)."""
    import compileall

    compileall.compile_dir(str(Path(cptkit.__file__).parent), quiet=1)


def _timed_in_fresh_process(setup: str, statement: str, repeat: int) -> float:
    """Milliseconds *statement* takes after *setup* in a new interpreter (best of *repeat*)."""
    code = f"{setup}; import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return min(runs) * 1000


def import_ms(statement: str, repeat: int) -> float:
    return _timed_in_fresh_process("pass", statement, repeat)


def first_lookup_ms(repeat: int) -> float:
    return _timed_in_fresh_process("import cptkit", "cptkit.lookup('97110')", repeat)


def own_peak_kib() -> int:
    """This process's peak resident memory in KiB (``VmHWM``; ``ru_maxrss`` elsewhere)."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kib(path: Path, how: str = "validate") -> int:
    """Peak memory (KiB) of a new process that runs *how* (``validate``, ``columnar``) over
    *path*."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and
    # exec, so a child would report this (large) benchmark process's peak as its own.
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[2]); import run;"
        " getattr(run, sys.argv[3])(__import__('pathlib').Path(sys.argv[1]));"
        " print(run.own_peak_kib())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path), str(HERE), how],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


def _columnar_ratios(
    results: dict[str, float | int | str | None], floor_s: float
) -> dict[str, float | None]:
    """The columnar figures as ratios (``None`` without polars)."""

    def number(key: str) -> float:
        value = results[key]
        assert isinstance(value, (int, float))
        return float(value)

    if results["columnar_s"] is None:
        names = ("columnar_vs_floor", "columnar_vs_polars_read", "columnar_rss_growth_2n_vs_n")
        return dict.fromkeys(names)
    return {
        "columnar_vs_floor": number("columnar_s") / floor_s,
        "columnar_vs_polars_read": number("columnar_s") / number("polars_read_s"),
        "columnar_rss_growth_2n_vs_n": number("columnar_peak_rss_kib_2n")
        / number("columnar_peak_rss_kib_n"),
    }


def _line(key: str, value: object, target: float | None) -> str:
    if value is None:
        return f"{key:28} n/a"
    shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
    if target is None or not isinstance(value, (int, float)):
        return f"{key:28} {shown}"
    verdict = "met" if value <= target else "NOT met"
    return f"{key:28} {shown} (target <= {target:g}: {verdict})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--rss-lines", type=int, default=100_000, help="N for the memory check (N against 2N)"
    )
    parser.add_argument("--smoke", action="store_true", help="a small, fast run (CI)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args(argv)
    lines = 2_000 if args.smoke else args.lines
    repeat = 1 if args.smoke else args.repeat
    with tempfile.TemporaryDirectory() as folder:
        path, single, double = (Path(folder) / f"claims{n}.csv" for n in (0, 1, 2))
        generate.write(path, lines, seed=7)
        rss_lines = lines if args.smoke else args.rss_lines
        generate.write(single, rss_lines, seed=7)
        generate.write(double, 2 * rss_lines, seed=7)
        cptkit.lookup("97110")
        cptkit.catalog().ptp("97110", "97140")
        cptkit.catalog().mue("97110")
        results: dict[str, float | int | str | None] = {"lines": lines}
        results["floor_s"] = best(lambda: floor(path), repeat)
        results["read_s"] = best(lambda: read(path), repeat)
        results["validate_s"] = best(lambda: validate(path), repeat)
        fast = _has_polars()
        results["columnar_s"] = best(lambda: columnar(path), repeat) if fast else None
        results["polars_read_s"] = best(lambda: polars_read(path), repeat) if fast else None
        has_pydantic = pydantic_structure(path) is not None
        results["pydantic_s"] = (
            best(lambda: pydantic_structure(path), repeat) if has_pydantic else None
        )
        results["rss_lines"] = rss_lines
        results["peak_rss_kib_n"] = peak_rss_kib(single)
        results["peak_rss_kib_2n"] = peak_rss_kib(double)
        results["columnar_peak_rss_kib"] = peak_rss_kib(path, "columnar") if fast else None
        # Streaming (as `cptkit check` runs it): memory must not grow with the file.
        results["columnar_peak_rss_kib_n"] = (
            peak_rss_kib(single, "columnar_stream") if fast else None
        )
        results["columnar_peak_rss_kib_2n"] = (
            peak_rss_kib(double, "columnar_stream") if fast else None
        )
    _compile_bytecode()
    results["import_attrs_cattrs_ms"] = import_ms("import attrs, cattrs", 3 if args.smoke else 7)
    results["import_cptkit_ms"] = import_ms("import cptkit", 3 if args.smoke else 7)
    results["first_lookup_ms"] = first_lookup_ms(3 if args.smoke else 7)
    number = 1000 if args.smoke else 100_000
    results["warm_lookup_us"] = (
        min(timeit.repeat(lambda: cptkit.lookup("97110"), number=number, repeat=3)) / number * 1e6
    )
    visit = {"97110": 33, "97140": 7, "97112": 24, "97530": 12, "97161": 40}
    results["allocate_visit_us"] = (
        min(timeit.repeat(lambda: cptkit.units.allocate(visit), number=number // 10, repeat=3))
        / (number // 10)
        * 1e6
    )
    every = {
        str(info.code): 20
        for info in cptkit.catalog().codes()
        if info.timing is not cptkit.Timing.BAND
    }
    per_call = min(timeit.repeat(lambda: cptkit.units.allocate(every), number=5, repeat=3)) / 5
    results["allocate_per_1000_codes_ms"] = per_call * 1000 / len(every) * 1000
    floor_s = float(results["floor_s"])  # type: ignore[arg-type]
    ratios = {
        "read_vs_floor": float(results["read_s"]) / floor_s,  # type: ignore[arg-type]
        "validate_vs_floor": float(results["validate_s"]) / floor_s,  # type: ignore[arg-type]
        # Checking alone, estimated as (reading + checking) - reading: what the rules add.
        "check_only_vs_floor": (float(results["validate_s"]) - float(results["read_s"]))  # type: ignore[arg-type]
        / floor_s,
        "read_vs_pydantic": (
            float(results["read_s"]) / float(results["pydantic_s"])  # type: ignore[arg-type]
            if results["pydantic_s"]
            else None
        ),
        "import_overhead_ms": float(results["import_cptkit_ms"])
        - float(results["import_attrs_cattrs_ms"]),  # type: ignore[arg-type]
        "rss_growth_2n_vs_n": int(results["peak_rss_kib_2n"]) / int(results["peak_rss_kib_n"]),  # type: ignore[arg-type]
        **_columnar_ratios(results, floor_s),
    }
    targets = {
        "validate_vs_floor": 6.0,  # the per-claim engine (#14)
        "columnar_vs_floor": 2.0,  # the columnar engine (#18)
        "read_vs_pydantic": 1.5,
        "import_overhead_ms": 15.0,
        "first_lookup_ms": 30.0,
        "warm_lookup_us": 2.0,
        "allocate_visit_us": 20.0,
        "allocate_per_1000_codes_ms": 10.0,
    }
    report = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cptkit": cptkit.__version__,
        "smoke": args.smoke,
        "results": results,
        "ratios": ratios,
        "targets": targets,
    }
    for key, value in {**results, **ratios}.items():
        print(_line(key, value, targets.get(key)))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
