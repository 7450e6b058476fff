from verify.training.baseline import fit_thresholds


def test_thresholds_separate_three_similarity_bands():
    similarities = [0.70, 0.72, 0.74, 0.85, 0.86, 0.87, 0.93, 0.94, 0.95]
    gold = ["unverified"] * 3 + ["disputed"] * 3 + ["supported"] * 3
    thresholds = fit_thresholds(similarities, gold)
    assert [thresholds.predict(s) for s in similarities] == gold
    assert thresholds.predict(0.5) == "unverified"
