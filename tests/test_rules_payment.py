# SPDX-License-Identifier: MIT
"""The payment-status rule (cptkit.validation.rules.payment): code-not-payable. Statuses typed
from the CMS PFS Relative Value Files (PPRRVU 2022A-2024C, RVU25D, RVU26C) and the CY2018 PFS
final rule (97127 status I, G0515 used instead, 2018-2019)."""

from __future__ import annotations

import datetime
import io
import re

import pytest

from cptkit import DatasetError, _pfs_status, rulesets
from cptkit._pfs_status import status_on
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

CASES: list[Case] = [
    (
        # 97014 is status I in every PFS file cptkit has; Medicare pays G0283.
        "status-i-names-the-medicare-code",
        claim(line("97014", modifiers=["GP"])),
        {},
        "code-not-payable",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97014 is not valid for Medicare (PFS status I)",
                "bill G0283, the code Medicare uses",
            )
        ],
    ),
    (
        "status-i-in-2022",
        claim(line("97014", modifiers=["GP"], date_of_service="2022-02-01")),
        {},
        "code-not-payable",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97014 is not valid for Medicare (PFS status I)",
                "bill G0283, the code Medicare uses",
            )
        ],
    ),
    (
        # CY2018 PFS final rule: 97127 not recognized, G0515 in its place (2018-2019).
        "97127-in-2018-takes-g0515",
        claim(line("97127", modifiers=["GO"], date_of_service="2018-06-01")),
        {},
        "code-not-payable",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97127 is not valid for Medicare (PFS status I)",
                "bill G0515, the code Medicare uses",
            )
        ],
    ),
    (
        "g0515-in-2018-is-paid",
        claim(line("G0515", modifiers=["GO"], minutes=15, date_of_service="2018-06-01")),
        {},
        "code-not-payable",
        [],
    ),
    (
        "status-b-bundled-97010",
        claim(line("97010", modifiers=["GP"]), line("97110", 1, minutes=15, modifiers=["GP"])),
        {},
        "code-not-payable",
        [
            (
                0,
                "error",
                "CO-97",
                "code",
                "97010 is bundled: Medicare never pays it separately (PFS status B)",
                "do not bill it separately; its payment is in the day's other services",
            )
        ],
    ),
    (
        "status-n-non-covered",
        claim(line("97169", modifiers=["GP"])),
        {},
        "code-not-payable",
        [
            (
                0,
                "error",
                "CO-96",
                "code",
                "97169 is not covered by Medicare (PFS status N)",
                "do not bill it to Medicare, or add GY if a secondary payer needs Medicare's"
                " denial",
            )
        ],
    ),
    ("status-n-with-gy", claim(line("97169", modifiers=["GY"])), {}, "code-not-payable", []),
    # The RVU files' documentation: X, a statutory exclusion (not a "physician service" in the
    # statute's sense), and E, excluded by regulation: no payment under the PFS, but Medicare
    # may pay the service under another payment system (home health for G0151-G0161, a fee
    # schedule of its own for laboratory tests), so a warning without a CARC.
    (
        "status-x-statutory-exclusion",
        claim(line("G0151", 1, minutes=15, modifiers=["GP"])),
        {},
        "code-not-payable",
        [
            (
                0,
                "warning",
                None,
                "code",
                "G0151 is not paid under the Medicare Physician Fee Schedule (PFS status X:"
                " excluded by statute)",
                "Medicare pays it, if at all, outside the PFS (home health, hospital outpatient"
                " or a fee schedule of its own): bill it there, or add GY if a secondary payer"
                " needs Medicare's denial",
            )
        ],
    ),
    (
        "status-e-excluded-by-regulation",
        claim(line("G0157", 1, minutes=15, modifiers=["GP"], date_of_service="2022-02-01")),
        {},
        "code-not-payable",
        [
            (
                0,
                "warning",
                None,
                "code",
                "G0157 is not paid under the Medicare Physician Fee Schedule (PFS status E:"
                " excluded by regulation)",
                "Medicare pays it, if at all, outside the PFS (home health, hospital outpatient"
                " or a fee schedule of its own): bill it there, or add GY if a secondary payer"
                " needs Medicare's denial",
            )
        ],
    ),
    (
        "status-x-with-gy",
        claim(line("G0151", 1, minutes=15, modifiers=["GP", "GY"])),
        {},
        "code-not-payable",
        [],
    ),
    (
        "status-a-is-paid",
        claim(line("97110", 1, minutes=15, modifiers=["GP"])),
        {},
        "code-not-payable",
        [],
    ),
    (
        # The commercial rule set does not apply Medicare's payment status.
        "commercial-does-not-judge-medicare-status",
        claim(line("97014")),
        {"rules": rulesets.commercial()},
        "code-not-payable",
        [],
    ),
    (
        # No status is known for 97014 before 2022 (no PFS file, no hand row): nothing is said.
        "no-status-known-no-finding",
        claim(line("97014", modifiers=["GP"], date_of_service="2021-06-01")),
        {},
        "code-not-payable",
        [],
    ),
    (
        # The MUE of 0 ("CMS Policy") encodes the status: its advice is not to appeal.
        "mue-zero-by-cms-policy-is-not-appealed",
        claim(line("97014", modifiers=["GP"])),
        {},
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97014: 1 unit on one date exceeds the MUE of 0 per day (MAI 3)",
                "Medicare does not pay this code as billed (CMS policy); do not appeal",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_payment_rules(case: Case) -> None:
    assert_case(case)


def test_every_payment_rule_has_a_failing_and_a_passing_case() -> None:
    failing, passing = covered(CASES)
    assert failing >= FAMILIES["payment"] and passing >= FAMILIES["payment"]


# (code, date, status) typed from the PFS files: PPRRVU 2022-2024, RVU25D, RVU26C.
STATUSES = [
    ("97014", "2024-03-09", "I"),
    ("97014", "2025-07-01", "I"),
    ("97010", "2026-03-02", "B"),
    ("97110", "2026-03-02", "A"),
    ("97169", "2023-05-01", "N"),
    ("97014", "2024-11-15", "I"),  # 2024Q4: no release in the raw data; both sides agree
    ("G0151", "2026-03-02", "X"),
    ("92558", "2024-05-01", "X"),
    ("G0157", "2025-06-01", "E"),
]


@pytest.mark.parametrize(("code", "day", "status"), STATUSES)
def test_status_on(code: str, day: str, status: str) -> None:
    found = status_on(code, datetime.date.fromisoformat(day))
    assert found is not None and found.status == status


def test_no_status_before_the_files() -> None:
    assert status_on("97110", datetime.date(2021, 12, 31)) is None
    assert status_on("99999", datetime.date(2026, 1, 1)) is None


HEAD = "code,status,effective,through,use,source\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("97014,II,2022-01-01,2022-12-31,,x", "status 'II' is invalid (one letter)"),
        ("97014,1,2022-01-01,2022-12-31,,x", "status '1' is invalid (one letter)"),
        ("97014,I,2022-01-01,2021-12-31,,x", "through '2021-12-31' is invalid"),
        ("97014,I,,2021-12-31,,x", "through '2021-12-31' is invalid"),
        ("97014,I,2022-01-01,2022-12-31,G02,x", "use 'G02' is invalid"),
    ],
)
def test_a_bad_status_row_names_its_line(row: str, message: str) -> None:
    with pytest.raises(DatasetError, match=re.escape(f"fixture.csv line 2: {message}")):
        _pfs_status.build(io.StringIO(HEAD + row + "\n"), "fixture.csv")


def test_status_rows_are_indexed_in_date_order() -> None:
    index = _pfs_status.build(
        io.StringIO(
            HEAD + "97014,I,2023-01-01,2023-12-31,G0283,x\n97014,A,2022-01-01,2022-12-31,,x\n"
        )
    )
    assert [span.status for span in index["97014"]] == ["A", "I"]
