"""The demo evidence corpus shipped with Sanad: prior reporting relevant to the sample article."""

from pathlib import Path

DEMO_CORPUS = Path(__file__).with_name("corpus.jsonl")
