"""The demo data shipped with Sanad: an evidence corpus of prior reporting and fact-checks relevant to the sample
article, and a social-media post on the same war that repeats a claim a published fact-check rated."""

from pathlib import Path

DEMO_CORPUS = Path(__file__).with_name("corpus.jsonl")
DEMO_POST = Path(__file__).with_name("post_ar.txt")
