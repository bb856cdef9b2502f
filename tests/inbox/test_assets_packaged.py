"""The wheel carries the inbox: its package, its script and its style sheet."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info")


def test_the_wheel_carries_the_inbox_assets(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building here leaves the checkout alone
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for folder in ("mock_efidem", "scenarios"):
        shutil.copytree(ROOT / folder, source / folder, ignore=IGNORED)
    options = ["--no-deps", "--no-index", "--no-build-isolation", "--quiet"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *options, "--wheel-dir", str(tmp_path), "."],
        check=True,
        timeout=300,
        cwd=source,
    )
    wheel = next(tmp_path.glob("mock_efidem-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("inbox.js", "inbox.css"):
        assert f"mock_efidem/control/static/{asset}" in names
    assert "mock_efidem/control/inbox/__init__.py" in names
