"""Quotes and SQL injection strings, for the tests that pass them as ids, filters and text."""

HOSTILE = [
    "x'); DROP TABLE documents; --",
    "' OR '1'='1",
    '"; DELETE FROM passages; --',
    "doc\\'--",
    "$1",
    "?",
    "it's",
    "\u202e'; --",
]
