# SPDX-License-Identifier: MIT
"""Sphinx configuration for the cptkit documentation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import cptkit

project = "cptkit"
author = "cptkit developers"
copyright = "2026, cptkit developers"
release = cptkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# The build machines have no network: intersphinx inventories are not fetched, and
# references to the standard library stay plain text instead of failing the -W build.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = False

html_theme = "alabaster"
html_title = f"cptkit {release}"
