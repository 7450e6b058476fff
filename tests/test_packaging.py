"""A non-editable install carries every data file the serving code loads (the package-data globs cover them)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("verify/models", "evidence_store/demo")  # models, model cards and the demo's data


def test_package_data_covers_every_data_file():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    covered = {
        path for package, patterns in globs.items() for pattern in patterns for path in (ROOT / package).glob(pattern)
    }
    data = {
        path
        for folder in DATA_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
    }
    assert data, "no data files found"
    assert not data - covered, sorted(str(path.relative_to(ROOT)) for path in data - covered)
