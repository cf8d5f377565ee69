# SPDX-License-Identifier: MIT
"""cptkit: the codes US therapy clinics bill with, their units and their edits.

>>> import cptkit
>>> cptkit.Code.parse("97110").category
<Category.CPT_CATEGORY_I: 'CPT Category I'>

Importing cptkit opens no data file; the packaged dataset loads on first use.
"""

from __future__ import annotations

from .claims import Claim, ClaimLine
from .codes import Category, Code
from .diagnoses import Diagnosis
from .errors import (
    CptkitError,
    DatasetError,
    InvalidClaim,
    InvalidClaimLine,
    InvalidCode,
    InvalidDiagnosis,
    InvalidInput,
    InvalidModifier,
    InvalidPlaceOfService,
    InvalidRecord,
    UnknownCode,
    UnknownModifier,
    UnknownPlaceOfService,
)
from .modifiers import Modifier
from .places import PlaceOfService

__version__ = "0.1.0"

__all__ = [
    "Category",
    "Claim",
    "ClaimLine",
    "Code",
    "CptkitError",
    "DatasetError",
    "Diagnosis",
    "InvalidClaim",
    "InvalidClaimLine",
    "InvalidCode",
    "InvalidDiagnosis",
    "InvalidInput",
    "InvalidModifier",
    "InvalidPlaceOfService",
    "InvalidRecord",
    "Modifier",
    "PlaceOfService",
    "UnknownCode",
    "UnknownModifier",
    "UnknownPlaceOfService",
    "__version__",
]


def __dir__() -> list[str]:
    return list(__all__)
