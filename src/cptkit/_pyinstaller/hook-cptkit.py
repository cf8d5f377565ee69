# SPDX-License-Identifier: MIT
"""PyInstaller hook: bundle cptkit's packaged data (the CSV tables and their manifest) and the
modules it imports lazily."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("cptkit")
hiddenimports = collect_submodules("cptkit", filter=lambda name: "_pyinstaller" not in name)
