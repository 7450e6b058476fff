"""Helpers shared by the test modules: paths, fake servers, embedders, factories, strategies, crash children."""
