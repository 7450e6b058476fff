"""Stance of evidence towards a claim: P(supports), P(refutes), P(neutral) per (claim, passage) pair."""
