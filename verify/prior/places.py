"""Names of countries and cities, Arabic and English, for telling a claim about one place from the same
claim about another ("a video of the celebrations in Gaza" vs "in Yemen"): a rumour often travels with
its place changed."""

import re

from evidence_store.text.normalize import normalize_arabic

_ARABIC = """
ليبيا تونس الجزائر المغرب موريتانيا مصر السودان اليمن سوريا سورية لبنان العراق الأردن فلسطين غزة الضفة
السعودية الإمارات قطر الكويت البحرين عمان إيران تركيا إسرائيل روسيا أوكرانيا أمريكا أميركا فرنسا ألمانيا
بريطانيا إيطاليا إسبانيا الصين الهند باكستان أفغانستان أوروبا آسيا أفريقيا إفريقيا
طرابلس بنغازي درنة سبها مصراتة سرت دمشق حلب إدلب حمص حماة اللاذقية بيروت صيدا صور طرابلس بغداد الموصل البصرة
القاهرة الإسكندرية الخرطوم صنعاء عدن تعز الحديدة الرياض جدة مكة المدينة دبي أبوظبي الدوحة القدس رفح خانيونس
جنين نابلس حيفا يافا موسكو كييف باريس لندن واشنطن نيويورك برلين روما إسطنبول أنقرة طهران عمّان
"""
_ENGLISH = """
libya tunisia algeria morocco mauritania egypt sudan yemen syria lebanon iraq jordan palestine gaza
saudi emirates uae qatar kuwait bahrain oman iran turkey israel russia ukraine america usa france germany
britain uk italy spain china india pakistan afghanistan europe asia africa
tripoli benghazi derna sabha misrata sirte damascus aleppo idlib homs hama latakia beirut sidon tyre baghdad
mosul basra cairo alexandria khartoum sanaa aden taiz hodeidah riyadh jeddah mecca medina dubai doha jerusalem
rafah khan younis jenin nablus haifa jaffa moscow kyiv kiev paris london washington york berlin rome istanbul
ankara tehran
"""
_ARABIC_PLACES = frozenset(normalize_arabic(name) for name in _ARABIC.split())
_ENGLISH_PLACES = frozenset(_ENGLISH.split())
# a conjunction and a preposition or article joined to a name: "وغزة", "بغزة", "لليبيا", "ولليبيا", "والجزائر"
_CONJUNCTIONS = ("و", "ف")
_PREFIXES = ("ال", "لل", "ب", "ل", "ك")
_WORD = re.compile(r"[^\W_]+")


def _stems(word: str) -> set[str]:
    """The word and what is left of it without a joined conjunction, preposition or article."""
    forms = {word} | {word[len(c) :] for c in _CONJUNCTIONS if word.startswith(c) and len(word) - len(c) >= 3}
    return forms | {
        form[len(p) :] for form in forms for p in _PREFIXES if form.startswith(p) and len(form) - len(p) >= 3
    }


def _arabic_place(word: str) -> str | None:
    for stem in sorted(_stems(word), key=len, reverse=True):
        for form in (stem, "ال" + stem):
            if form in _ARABIC_PLACES:
                return form
    return None


def places(text: str) -> set[str]:
    """The places of the list that ``text`` names (normalised)."""
    found = set()
    for word in _WORD.findall(normalize_arabic(text.casefold())):
        place = word if word in _ENGLISH_PLACES else _arabic_place(word)
        if place:
            found.add(place)
    return found
