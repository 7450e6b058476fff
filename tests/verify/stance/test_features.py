from verify.stance.features import FEATURE_NAMES, has_negation, numbers, pair_features


def _feature(vector, name):
    return float(vector[FEATURE_NAMES.index(name)])


def test_negation_in_english_and_arabic():
    assert has_negation("Cham Wings is not under US sanctions")
    assert has_negation("The ministry denied the report")
    assert has_negation("أجنحة الشام ليست خاضعة للعقوبات")
    assert has_negation("الوزارة لم تعلن عن أي رحلات")
    assert not has_negation("Cham Wings is under US sanctions")
    assert not has_negation("أجنحة الشام خاضعة للعقوبات الأمريكية")


def test_numbers_fold_arabic_indic_digits_and_separators():
    assert numbers("قتل ١٢ شخصا في ٢٠٢٣") == {"12", "2023"}
    assert numbers("1,500 people") == {"1500"}


def test_pair_features_flag_a_changed_number_and_year():
    passage = "In 2019 the airline ran 14 flights a week to Benghazi."
    same = pair_features("The airline ran 14 flights a week in 2019.", passage, 0.9)
    changed = pair_features("The airline ran 40 flights a week in 2021.", passage, 0.9)
    assert _feature(same, "numbers_missing") == 0.0 and _feature(same, "year_missing") == 0.0
    assert _feature(changed, "numbers_missing") == 1.0 and _feature(changed, "year_missing") == 1.0


def test_pair_features_flag_one_sided_negation_and_scale_similarity():
    vector = pair_features("The airline does not fly to Libya.", "The airline flies to Libya.", 0.95)
    assert _feature(vector, "negation_mismatch") == 1.0
    assert _feature(vector, "similarity") > _feature(pair_features("a", "b", 0.75), "similarity")
    assert vector.shape == (len(FEATURE_NAMES),)


def test_a_number_replaced_by_another_is_a_conflict_not_just_a_missing_number():
    passage = "The earthquake killed 12 people in Hama on Tuesday."
    assert _feature(pair_features("The earthquake killed 300 people.", passage, 0.9), "numbers_conflict") == 1.0
    assert _feature(pair_features("The earthquake killed 12 people.", passage, 0.9), "numbers_conflict") == 0.0
    assert _feature(pair_features("It killed 300 people.", "The earthquake hit Hama.", 0.9), "numbers_conflict") == 0.0
    assert _feature(pair_features("قتل ٣٠٠ شخص", passage, 0.9), "numbers_conflict") == 1.0


def test_cross_script_marks_arabic_against_english_only():
    arabic, english = "فرضت الولايات المتحدة عقوبات على أجنحة الشام", "The US sanctioned Cham Wings."
    assert _feature(pair_features(arabic, english, 0.85), "cross_script") == 1.0
    assert _feature(pair_features(english, arabic, 0.85), "cross_script") == 1.0
    assert _feature(pair_features(arabic, "عقوبات أمريكية على أجنحة الشام (Cham Wings)", 0.9), "cross_script") == 0.0
    assert _feature(pair_features(english, "Cham Wings was sanctioned in 2016.", 0.9), "cross_script") == 0.0
