"""Parsers that turn files, folders and URLs into ``DocumentInput`` records."""
