"""Training, calibration fitting and evaluation of Sanad's models.

This package imports the serving code (``verify.stance``, ``verify.extract``, ``verify.verifier``) to train
and measure it; serving code never imports it (a ruff rule enforces that).
"""
