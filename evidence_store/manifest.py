"""The store's index manifest: which segments are live, the generation they match, how far they cover.

Written atomically and last in every index change, so that whatever it lists is complete on disk.
Passages with ids below ``covered_to`` are in a listed segment or were removed; those from it up are
not indexed yet (a commit the indexes did not catch up with) and are indexed from DuckDB on open.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evidence_store.atomic import write_text_atomic

MANIFEST_FILE = "manifest.json"
FORMAT = 2


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SegmentEntry(_Frozen):
    """A segment folder under ``segments/``: the passage id range it covers and what it holds."""

    name: str = Field(pattern=r"^[0-9a-z-]+$")
    first_id: int = Field(ge=0)
    end_id: int = Field(ge=0)  # one past the last id it covers
    vectors: int = Field(ge=0)  # passages indexed when it was written, removed ones since included
    kind: str


class IndexManifest(_Frozen):
    """``manifest.json``."""

    format: Literal[2] = FORMAT
    model: str
    dimension: int
    index_type: str  # the store's kind for its size: what ``stats().index_type`` says
    passages: int
    documents: int
    generation: int
    covered_to: int
    segments: tuple[SegmentEntry, ...]
    updated_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())


def read_manifest(folder: Path) -> IndexManifest | None:
    """The manifest in ``folder``; None when there is none, or it is unreadable or of another format."""
    try:
        return IndexManifest.model_validate(json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return None


def write_manifest(folder: Path, manifest: IndexManifest) -> None:
    write_text_atomic(folder / MANIFEST_FILE, json.dumps(manifest.model_dump(mode="json"), indent=2))
