# SPDX-License-Identifier: MIT
"""The fuzz run: hostile input to every public entry point, with a seed and a budget.

    python scripts/fuzz.py --inputs 100000 --seed 1        # the CI smoke run
    nice -n 19 python scripts/fuzz.py --inputs 5000000 --seed 7   # the long run

Each input goes to one entry point, chosen in turn with fixed weights: the shaped
``parse``/``is_valid``, the ``ClaimLine`` and ``Claim`` constructors, ``structure``, the lookups,
``search``, ``units.allocate``, ``validate``, ``x12.parse``/``parse_lines``/``write``,
``fhir.parse_item``, the readers of :mod:`cptkit.files` (CSV, JSON and NDJSON, from bytes),
the CMS overlay readers (MUE, PTP, AOC, HCPCS, descriptors) and ``cptkit check`` in-process.
Inputs are mutations of good seeds: bytes flipped, cut, repeated or spliced with known
triggers (numbers of thousands of digits, ``1e1000000``, deep nesting, lone surrogates, stray
quotes, CR, NUL, control characters, keys that are not text).

A ``CptkitError`` is the expected answer to bad input; any other exception (and any exception
at all from ``is_valid``) is a failure, counted by entry point and raise site. The run exits 1
if there is any failure. The same seed and budget give the same inputs.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import decimal
import io
import json
import random
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import cptkit  # noqa: E402
from cptkit import (  # noqa: E402
    Claim,
    ClaimLine,
    Code,
    CptkitError,
    Diagnosis,
    Modifier,
    PlaceOfService,
    _cms_files,
    fhir,
    files,
    units,
    x12,
)
from cptkit.cli import main as cli_main  # noqa: E402
from cptkit.serialization import structure  # noqa: E402

DATA = ROOT / "tests" / "data"

# -- hostile pieces ---------------------------------------------------------------------------

TRIGGERS: list[str] = [
    "9" * 4400,
    "1e1000000",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "1.5",
    "[" * 2000,
    "{" * 50,
    "\ud800",
    '"',
    '""',
    "\r",
    "\r\n",
    "\n",
    "\x00",
    "\x1b[8m",
    "\u2028",
    "\ufeff",
    "\t",
    ",",
    ";",
    "*",
    "~",
    ":",
    "=",
    "é",
    "２",
    "97110",
    "GP",
    "M54.50",
    "2026-02-30",
    "20241",
    "202411",
    "99999999",
    "",
]


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON-like (or Python-only) value meant to break a converter."""
    pick = rng.randrange(16)
    if pick == 0:
        return 10 ** rng.choice([3, 20, 4400, 5000])
    if pick == 1:
        return decimal.Decimal(rng.choice(["1e1000000", "-0", "NaN", "1e-50", "123.456", "sNaN"]))
    if pick == 2:
        return rng.choice([float("nan"), float("inf"), -1.0, 2.5, 1e300, 0.1])
    if pick == 3:
        return rng.choice(TRIGGERS)
    if pick == 4:
        nested: Any = []
        for _ in range(rng.choice([10, 500, 1500])):
            nested = [nested]
        return nested
    if pick == 5 and depth < 3:
        return {rng.choice(["code", 1, (1,), "x", None]): hostile_value(rng, depth + 1)}
    if pick == 6 and depth < 3:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if pick == 7:
        return rng.choice([True, False, None, b"97110", object(), datetime.datetime(2026, 3, 2)])
    if pick == 8:
        return rng.choice([-(10**30), -1, 0, 1, 12, 13, 999_999_999, 1_000_000_000])
    if pick == 9:
        return "".join(rng.choice(TRIGGERS[8:]) for _ in range(rng.randrange(1, 5)))
    if pick == 10:
        return datetime.date(rng.choice([1, 2026, 9999]), 1, 1)
    return mutate_text(rng, rng.choice(["97110", "GP", "11", "M54.50", "2026-03-02", "3"]))


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """*data* with one to four mutations."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pick = rng.randrange(7)
        at = rng.randrange(len(buf) + 1)
        if pick == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif pick == 1:
            end = min(len(buf), at + rng.randrange(1, 40))
            del buf[at:end]
        elif pick == 2 and buf:
            start = rng.randrange(len(buf))
            piece = buf[start : start + rng.randrange(1, 200)]
            buf[at:at] = piece * rng.randint(1, 3)
        elif pick == 3:
            buf[at:at] = rng.choice(TRIGGERS).encode("utf-8", "surrogatepass")
        elif pick == 4:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        elif pick == 5:
            del buf[at:]
        else:
            buf[at:at] = rng.choice([b"\r", b"\n", b'"', b",", b"\t", b"\xff\xfe", b"\xef\xbb\xbf"])
    return bytes(buf)


def mutate_text(rng: random.Random, text: str) -> str:
    return mutate_bytes(rng, text.encode("utf-8")).decode("utf-8", "surrogateescape")


# -- seeds ------------------------------------------------------------------------------------

LINE = {
    "code": "97110",
    "units": 2,
    "date_of_service": "2026-03-02",
    "modifiers": ["GP"],
    "place_of_service": "11",
    "minutes": 30,
    "diagnosis_pointers": [1],
    "charge": "125.00",
}
CLAIM = {"lines": [LINE], "diagnoses": ["M54.50"], "payer": "M", "claim_id": "C1"}
CSV_SEED = (
    b"claim_id,date_of_service,code,units,minutes,modifiers,diagnosis_pointers,diagnoses,payer\n"
    b"C1,2026-03-02,97110,2,30,GP,1,M54.50,Medicare\n"
    b"C1,2026-03-02,97140,1,8,GP,1,,Medicare\n"
    b"C2,2026-03-03,97530,1,15,GP 59,1,M54.50 M25.561,Medicare\n"
)
NDJSON_SEED = (
    json.dumps({**LINE, "claim_id": "C1", "diagnoses": ["M54.50"]}).encode()
    + b"\n"
    + json.dumps(CLAIM).encode()
    + b"\n"
)
JSON_SEED = b"[" + json.dumps(CLAIM).encode() + b"]"
GOOD_LINE = ClaimLine(**LINE)  # type: ignore[arg-type]
X12_SEED = x12.write_lines(Claim(lines=[GOOD_LINE, GOOD_LINE], diagnoses=["M54.50"]))
FHIR_SEED = fhir.write_item(GOOD_LINE)
SEED_FILES = {
    "mue": (DATA / "mue-cms-sample.csv").read_bytes(),
    "ptp": (DATA / "ptp-cms-sample.txt").read_bytes(),
    "descriptors": b"code,descriptor\n97110,Therapeutic exercise (own words)\n",
    "aoc": (
        b"Add-on Code,Primary Code,AOC Edit Type,AOC Edit Effective Date,"
        b"AOC Edit Deletion Date,Primary Code Deletion Date,Add-on Code Deletion Date\n"
        b"97546,97545,1,2024001,,,\n"
    ),
    "hcpcs": b"HCPC,RECID,SHORT DESCRIPTION,ADD DT,TERM DT\nG0283,3,Elec stim other,20020101,\n",
    "hcpcs-text": (DATA / "cms" / "HCPC2020_ANWEB_excerpt.txt").read_bytes(),
}


def mutate_mapping(rng: random.Random, data: dict[str, Any]) -> Any:
    """*data* with keys dropped, added or given hostile values (nested into lines)."""
    out: Any = dict(data)
    for _ in range(rng.randint(1, 3)):
        pick = rng.randrange(5)
        keys = list(out)
        if pick == 0 and keys:
            del out[rng.choice(keys)]
        elif pick == 1:
            out[rng.choice(["note", 1, "units", "x" * 100, (1,)])] = hostile_value(rng)
        elif pick == 2 and "lines" in out and type(out["lines"]) is list and out["lines"]:
            out["lines"] = [mutate_mapping(rng, LINE) for _ in range(rng.randrange(1, 4))]
        elif keys:
            out[rng.choice(keys)] = hostile_value(rng)
    if rng.randrange(30) == 0:
        return hostile_value(rng)
    return out


# -- entry points -----------------------------------------------------------------------------


def fuzz_shaped(rng: random.Random) -> None:
    cls = rng.choice([Code, Modifier, PlaceOfService, Diagnosis])
    value = hostile_value(rng)
    try:
        cls.is_valid(value)
    except Exception as err:  # is_valid never raises, not even a CptkitError
        raise AssertionError(f"{cls.__name__}.is_valid raised") from err
    cls.parse(value)


def mutate_values(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    """*data* with hostile values for some of its keys (a constructor's keywords are code,
    not input: unknown or missing ones are a caller's TypeError)."""
    out = dict(data)
    for key in rng.sample(list(out), rng.randint(1, 3)):
        out[key] = hostile_value(rng)
    return out


def fuzz_line(rng: random.Random) -> None:
    ClaimLine(**mutate_values(rng, LINE))


def fuzz_claim(rng: random.Random) -> None:
    data = mutate_values(rng, CLAIM)
    if rng.randrange(2):
        data["lines"] = [GOOD_LINE] * rng.choice([1, 2, 50, 51])
    Claim(**data)


def fuzz_structure(rng: random.Random) -> None:
    kind = rng.choice([ClaimLine, Claim])
    structure(mutate_mapping(rng, LINE if kind is ClaimLine else CLAIM), kind)


def fuzz_lookups(rng: random.Random) -> None:
    function = rng.choice(
        [
            cptkit.lookup,
            cptkit.lookup_modifier,
            cptkit.lookup_place_of_service,
            cptkit.lookup_diagnosis,
            cptkit.search,
        ]
    )
    on = hostile_value(rng) if rng.randrange(3) == 0 else None
    function(hostile_value(rng), on=on)


def fuzz_units(rng: random.Random) -> None:
    if rng.randrange(4) == 0:
        minutes: Any = hostile_value(rng)
    else:
        minutes = {
            rng.choice(["97110", "97140", "96130", "90837", "x", 97110, None]): hostile_value(rng)
            if rng.randrange(2)
            else rng.randrange(200)
            for _ in range(rng.randrange(1, 4))
        }
    units.allocate(minutes, rule=rng.choice(["cms", "ama", hostile_value(rng)]))


def fuzz_validate(rng: random.Random) -> None:
    lines = [
        ClaimLine(
            code=rng.choice(["97110", "97140", "97530", "97161", "G0283", "99999", "97153"]),
            units=rng.choice([1, 2, 8, 999_999_999]),
            date_of_service=datetime.date(rng.choice([1, 2019, 2026, 9999]), 3, 2),
            modifiers=rng.sample(["GP", "GO", "59", "KX", "CQ", "XU", "95"], rng.randrange(4)),
            minutes=rng.choice([None, 0, 8, 23, 999_999_999]),
            diagnosis_pointers=[rng.randint(1, 12)],
        )
        for _ in range(rng.randint(1, 6))
    ]
    cptkit.validate(Claim(lines=lines, diagnoses=["M54.50"] * rng.randint(1, 12)))


def fuzz_x12(rng: random.Random) -> None:
    text = mutate_text(rng, X12_SEED)
    if rng.randrange(2):
        x12.parse_lines(text, place_of_service=rng.choice([None, "11", "1"]))
    else:
        x12.parse(text.split("LX*2")[0])


def fuzz_x12_write(rng: random.Random) -> None:
    line = ClaimLine(**{**LINE, "charge": rng.choice([None, "0", "125.00", "1" * 15])})
    x12.write(line, number=rng.choice([1, 0, 999_999, 10**6]), default_charge=hostile_value(rng))


def fuzz_fhir(rng: random.Random) -> None:
    if rng.randrange(2):
        text = mutate_text(rng, json.dumps(FHIR_SEED))
        try:
            item = json.loads(text, parse_float=decimal.Decimal)
        except (ValueError, RecursionError, ArithmeticError):
            return  # not JSON (or a number Decimal refuses): nothing reaches cptkit
    else:
        item = mutate_mapping(rng, FHIR_SEED)
        if rng.randrange(2) and isinstance(item, dict):
            item["quantity"] = {"value": hostile_value(rng)}
    fhir.parse_item(item)


def fuzz_reader(rng: random.Random) -> None:
    kind, seed = rng.choice([("csv", CSV_SEED), ("ndjson", NDJSON_SEED), ("json", JSON_SEED)])
    data = mutate_bytes(rng, seed)
    reading = files.read(io.BytesIO(data), format=rng.choice([kind, None]))
    for _ in reading:
        pass
    counts = reading.counts
    if counts.rows != counts.checked + counts.rejected:
        raise AssertionError("rows read != rows checked + rows rejected")


class _Overlays:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cptkit-fuzz-"))

    def __call__(self, rng: random.Random) -> None:
        kind = rng.choice(sorted(SEED_FILES))
        path = self.folder / f"{kind}.txt"
        path.write_bytes(mutate_bytes(rng, SEED_FILES[kind]))
        if kind == "mue":
            _cms_files.read_mue_file(path)
        elif kind == "ptp":
            _cms_files.read_ptp_files([path])
        elif kind == "aoc":
            _cms_files.read_aoc_file(path)
        elif kind.startswith("hcpcs"):
            _cms_files.read_hcpcs_file(path, {})
        else:
            _cms_files.read_descriptors(path)
        if rng.randrange(4) == 0:
            _cms_files.recognise(path)


class _Workbooks:
    """CMS workbooks (``.xlsx``): one part's XML mutated and zipped again (so the XML reader
    sees it), or the zip's own bytes mutated (compressed data, headers)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cptkit-fuzz-xlsx-"))
        sys.path.insert(0, str(ROOT / "tests"))
        from xlsxkit import write_workbook

        seed = write_workbook(
            self.folder / "seed.xlsx",
            [
                ["Add-On Code", "Primary Code", "AOC Edit Type", "AOC Edit Effective Date",
                 "AOC Edit Deletion Date", "Primary Code Deletion Date",
                 "Add-On Code Deletion Date"],
                ["97546", "97545", 1, 2024001, None, None, None],
            ],
        )  # fmt: skip
        self.seed = seed.read_bytes()
        with zipfile.ZipFile(seed) as book:
            self.parts = {name: book.read(name) for name in book.namelist()}

    def __call__(self, rng: random.Random) -> None:
        path = self.folder / "AOC_V2027Q1-MCR.xlsx"
        if rng.randrange(4) == 0:
            path.write_bytes(mutate_bytes(rng, self.seed))
        else:
            parts = dict(self.parts)
            name = rng.choice(sorted(parts))
            parts[name] = mutate_bytes(rng, parts[name])
            with zipfile.ZipFile(
                path, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
            ) as book:
                for part, data in parts.items():
                    book.writestr(part, data)
        if rng.randrange(2):
            _cms_files.recognise(path)
        _cms_files.read_aoc_file(path)


class _Cli:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cptkit-fuzz-cli-"))

    def __call__(self, rng: random.Random) -> None:
        kind, seed = rng.choice([("csv", CSV_SEED), ("ndjson", NDJSON_SEED), ("json", JSON_SEED)])
        path = self.folder / f"claims.{kind}"
        path.write_bytes(mutate_bytes(rng, seed))
        fmt = rng.choice(["table", "json", "csv"])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli_main(["check", "--format", fmt, str(path)])
        if status not in (0, 1, 2) or "Traceback" in err.getvalue():
            raise AssertionError(f"cptkit check exited {status}")
        if "internal error" in err.getvalue():
            raise AssertionError("cptkit check: internal error")
        if fmt == "json":
            json.loads(out.getvalue())  # still one valid document


def entry_points() -> dict[str, tuple[Callable[[random.Random], None], int]]:
    """Entry point name -> (fuzz function, weight)."""
    return {
        "shaped parse/is_valid": (fuzz_shaped, 20),
        "ClaimLine": (fuzz_line, 12),
        "Claim": (fuzz_claim, 8),
        "structure": (fuzz_structure, 12),
        "lookups": (fuzz_lookups, 10),
        "units.allocate": (fuzz_units, 8),
        "validate": (fuzz_validate, 3),
        "x12.parse": (fuzz_x12, 8),
        "x12.write": (fuzz_x12_write, 3),
        "fhir.parse_item": (fuzz_fhir, 8),
        "files.read": (fuzz_reader, 6),
        "overlay readers": (_Overlays(), 1),
        "CMS workbooks": (_Workbooks(), 1),
        "cptkit check": (_Cli(), 1),
    }


def site(err: BaseException) -> str:
    """Where *err* was raised: the innermost frame in cptkit, else the innermost at all."""
    frames = traceback.extract_tb(err.__traceback__)
    inside = [f for f in frames if "cptkit" in f.filename and "scripts" not in f.filename]
    frame = (inside or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def run(inputs: int, seed: int, progress: bool = False) -> tuple[int, collections.Counter[str]]:
    """Try *inputs* inputs from *seed*; return the count and the failures by site."""
    rng = random.Random(seed)
    points = entry_points()
    names = list(points)
    weights = [points[name][1] for name in names]
    failures: collections.Counter[str] = collections.Counter()
    start = time.monotonic()
    for number in range(inputs):
        name = rng.choices(names, weights)[0]
        try:
            points[name][0](rng)
        except CptkitError:
            pass
        except Exception as err:
            key = f"{name}: {type(err).__name__} at {site(err)}"
            if not failures[key]:
                print(f"FAIL {key}: {str(err)[:120]!r}", file=sys.stderr)
            failures[key] += 1
        if progress and number and number % 100_000 == 0:
            rate = number / (time.monotonic() - start)
            print(f"  {number:,} inputs, {rate:,.0f}/s", file=sys.stderr, flush=True)
    return inputs, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="the budget (inputs tried)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--progress", action="store_true", help="a count every 100,000")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(1000)
    start = time.monotonic()
    tried, failures = run(args.inputs, args.seed, args.progress)
    seconds = time.monotonic() - start
    print(f"fuzz: seed {args.seed}, {len(entry_points())} entry points, {seconds:,.0f} s")
    for key, count in sorted(failures.items()):
        print(f"  {count:>8,}  {key}")
    print(f"inputs tried: {tried:,}; failing inputs: {sum(failures.values())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
