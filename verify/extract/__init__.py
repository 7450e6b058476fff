"""Claim extraction: article intake and cleaning, attribution, check-worthiness, ranked claims."""
