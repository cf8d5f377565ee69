# SPDX-License-Identifier: MIT
"""PyInstaller support: the folder of cptkit's hook, found through the ``pyinstaller40``
entry point, so that an app that imports cptkit bundles its data files without
``--collect-data cptkit``. Nothing here imports PyInstaller; it is read only when PyInstaller
builds an app."""

from __future__ import annotations

import os

__all__ = ["get_hook_dirs"]


def get_hook_dirs() -> list[str]:
    """The folders holding cptkit's PyInstaller hooks (``hook-cptkit.py``)."""
    return [os.path.dirname(__file__)]
