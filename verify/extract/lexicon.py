"""Word lists for attribution, opinion, prediction and page-furniture cues, Arabic and English.

Arabic entries are written with folded letters (أ إ آ → ا, ى → ي, ة → ه) because matching runs
on ``match_view`` text, which folds them one character for one (offsets are kept).
"""

from evidence_store.text.normalize import fold_arabic_letters, fold_digits

# Past and present, masculine and feminine forms; an optional و / ف / ل prefix is allowed by the patterns.
REPORTING_VERBS_AR = frozenset(
    """
    قال قالت يقول تقول اكد اكدت يؤكد تؤكد صرح صرحت يصرح تصرح اشار اشارت يشير تشير راي رات يري تري
    اوضح اوضحت يوضح توضح كشف كشفت يكشف تكشف اضاف اضافت يضيف تضيف اعتبر اعتبرت يعتبر تعتبر اعلن اعلنت
    يعلن تعلن ذكر ذكرت يذكر تذكر نفي نفت ينفي تنفي شدد شددت يشدد تشدد لفت لفتت زعم زعمت يزعم تزعم ادعي
    ادعت يدعي حذر حذرت يحذر تحذر افاد افادت يفيد تفيد ابلغ ابلغت بينت اردف اردفت تابع تابعت اعترف
    اعترفت يعترف اتهم اتهمت يتهم تتهم اكدوا قالوا اشاروا اعلنوا اوضحوا كشفوا صرحوا راوا اضافوا نفوا
    """.split()
)
# Lower-case verb forms only, and no present forms that are more often nouns ("states", "reports", "claims").
REPORTING_VERBS_EN = frozenset(
    """
    said says say told tells stated added noted claimed argued argues warned warns announced announces
    insisted insists explained explains suggested suggests denied denies confirmed confirms revealed reveals
    reported wrote writes asserted asserts maintained acknowledged acknowledges admitted admits alleged
    alleges stressed stresses emphasized emphasised declared declares predicted accused accuses
    """.split()
)
# "according to X", "وفق X": the source is named after the cue.
SOURCE_CUES_AR = ("وفق", "وفقا ل", "وفقا لما", "بحسب", "حسب", "نقلا عن", "علي حد قول", "كما جاء علي لسان")
SOURCE_CUES_EN = ("according to", "citing", "as reported by", "as stated by")
# Trailing "as he said", "by his claim": the speaker is the one named earlier.
TRAILING_ATTRIBUTION_AR = (
    "كما صرح",
    "كما صرحت",
    "كما قال",
    "كما قالت",
    "كما اكد",
    "كما اكدت",
    "كما اضاف",
    "وفق زعمه",
    "وفق زعمها",
    "وفق زعمهم",
    "وفق تحليلاته",
    "وفق تعبيره",
    "وفق قوله",
    "حسب قوله",
    "علي حد تعبيره",
    "علي حد قوله",
)

OPINION_MARKERS_AR = (
    "اظن",
    "اعتقد",
    "نعتقد",
    "يعتقد",
    "تعتقد",
    "ارى",
    "اري",
    "نري",
    "في رايي",
    "برايي",
    "وجهه نظري",
    "يبدو",
    "ربما",
    "لعل",
    "اتمني",
    "نامل",
    "امل",
    "يجب",
    "ينبغي",
    "لا بد",
    "لابد",
)
PREDICTION_MARKERS_AR = ("من المتوقع", "من المرجح", "من المحتمل", "سوف", "قد لا", "قد ي", "قد ت", "سيكون", "ستكون")
OPINION_MARKERS_EN = (
    "i think",
    "i believe",
    "i feel",
    "we believe",
    "we think",
    "in my opinion",
    "in my view",
    "i don't think",
    "seems",
    "appears to",
    "probably",
    "perhaps",
    "maybe",
    "should",
    "must",
    "ought to",
    "we need to",
    "let's",
    "i hope",
    "we hope",
    "great",
    "terrible",
    "wonderful",
    "disgrace",
    "horrible",
)
PREDICTION_MARKERS_EN = (
    "will",
    "going to",
    "is expected to",
    "are expected to",
    "likely",
    "unlikely",
    "would",
    "could",
    "might",
    "forecast",
    "predict",
)
# An assessment of why or what something means (purpose, intent, significance): not a fact a report can show.
ASSESSMENT_MARKERS_AR = (
    "في اطار",
    "بهدف",
    "الهدف",
    "هدفها",
    "هدفه",
    "يهدف",
    "تهدف",
    "بغرض",
    "الغرض",
    "سعيا",
    "محاوله ل",
    "رمزي",
    "رمزيه",
    "يقتضي",
    "تقتضي",
    "رغبه",
    "مؤامره",
)
ASSESSMENT_MARKERS_EN = (
    "in order to",
    "aimed at",
    "aims to",
    "aim of",
    "intended to",
    "intends to",
    "meant to",
    "designed to",
    "seeks to",
    "seeking to",
    "purpose",
    "in an attempt to",
    "in a bid to",
    "so as to",
    "goal of",
    "symbolic",
    "conspiracy",
)
# Reporting verbs that introduce a view rather than a fact ("X considered that ...").
OPINION_VERBS_AR = ("راي", "رات", "يري", "تري", "راوا", "اعتبر", "اعتبرت", "يعتبر", "تعتبر", "اعتبروا", "وصف", "وصفت")
OPINION_VERBS_EN = tuple("believes believed thinks thought argued argues considers considered described".split())
# A party saying that something did not happen or is false.
DENIAL_MARKERS_AR = (
    "نفي",
    "نفت",
    "ينفي",
    "تنفي",
    "نفوا",
    "ترفض كل الاتهامات",
    "رفضت الاتهامات",
    "رفض الاتهامات",
    "بانه اشاعات",
    "بانها اشاعات",
    "مجرد اشاعات",
    "عار عن الصحه",
    "عاريه عن الصحه",
    "لا اساس له",
    "لا اساس لها",
)
DENIAL_MARKERS_EN = (
    "denied",
    "denies",
    "deny",
    "rejected the accusations",
    "rejected the allegations",
    "rejects the accusations",
    "rejects the allegations",
    "dismissed the allegations",
    "dismissed the accusations",
    "baseless",
    "unfounded",
)
QUESTION_WORDS_AR = ("هل", "ماذا", "لماذا", "كيف", "متي", "اين", "ما الذي", "من الذي", "الا يعني")
QUESTION_WORDS_EN = ("who", "what", "why", "how", "when", "where", "which", "is", "are", "do", "does", "did", "can")
FIRST_PERSON_AR = ("انا", "نحن", "لدينا", "لدي", "عندي", "بلادنا", "حكومتنا")
FIRST_PERSON_EN = ("i", "we", "my", "our", "me", "us")

# Magnitudes and units that make a number a statistic.
MAGNITUDES_AR = ("بالمئه", "بالمائه", "في المئه", "في المائه", "مليون", "ملايين", "مليار", "مليارات", "الف", "الاف")
MAGNITUDES_EN = ("percent", "per cent", "million", "billion", "trillion", "thousand", "hundred", "dozens")
COMPARATIVES_AR = ("اكثر من", "اقل من", "اعلي", "ادني", "اكبر", "اصغر", "ضعف", "ارتفع", "انخفض", "تراجع", "زياده")
COMPARATIVES_EN = (
    "more than",
    "less than",
    "fewer than",
    "highest",
    "lowest",
    "largest",
    "biggest",
    "increased",
    "decreased",
    "doubled",
    "tripled",
    "record",
    "rose",
    "fell",
)
MONTHS_AR = (
    "يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر "
    "كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين"
).split()
MONTHS_EN = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
# Titles and institutions: a cheap stand-in for named-entity recognition.
ENTITY_CUES_AR = (
    "رئيس الرئيس وزير الوزير وزاره حكومه الحكومه مجلس المتحدث اللواء الجنرال العميد عميد جيش الجيش قوات القوات "
    "شركه الشركه منظمه الامم البرلمان النائب السفير مدير نظام النظام جامعه حزب الحزب ولايه مدينه"
).split()
ENTITY_CUES_EN = (
    "president minister senator governor secretary spokesman spokeswoman spokesperson general army ministry "
    "government company agency council parliament congress university party"
).split()

# Page furniture, matched at the start of a line (folded letters, case-insensitive for English).
FURNITURE_PREFIXES_AR = (
    "اقرا ايضا",
    "اقرا المزيد",
    "اقرا كذلك",
    "شاهد ايضا",
    "شاهد ايضاً",
    "طالع ايضا",
    "انظر ايضا",
    "مواضيع ذات صله",
    "اخبار ذات صله",
    "ذات صله",
    "المزيد من",
    "شارك",
    "تابعونا",
    "تابعنا",
    "اشترك",
    "بقلم",
    "كتب:",
    "كتبت:",
    "تحرير:",
    "اعداد:",
    "تصوير",
    "الصوره:",
    "صوره:",
    "صوره ارشيفيه",
    "مصدر الصوره",
    "حقوق الصوره",
    "اخر تحديث",
    "تاريخ النشر",
    "نشر في",
    "اعلان",
    "جميع الحقوق محفوظه",
)
FURNITURE_PREFIXES_EN = (
    "read also",
    "also read",
    "read more",
    "see also",
    "related:",
    "related articles",
    "related stories",
    "recommended",
    "more from",
    "share this",
    "share on",
    "share:",
    "tweet",
    "follow us",
    "subscribe",
    "sign up",
    "by ",
    "written by",
    "reporting by",
    "editing by",
    "photo:",
    "photo by",
    "photograph:",
    "image:",
    "image credit",
    "credit:",
    "caption:",
    "advertisement",
    "updated",
    "published",
    "last modified",
    "all rights reserved",
    "copyright",
)
# Cues that are also ordinary sentence openings ("Share prices rose", "شارك الرئيس في"):
# furniture only when the line is very short.
WEAK_FURNITURE_PREFIXES = (
    "شارك",
    "تابعونا",
    "تابعنا",
    "اشترك",
    "المزيد من",
    "اعلان",
    "نشر في",
    "اخر تحديث",
    "tweet",
    "follow us",
    "subscribe",
    "sign up",
    "by ",
    "updated",
    "published",
    "advertisement",
    "recommended",
    "more from",
)
# Anywhere in a short line: consent banners and credits.
FURNITURE_ANYWHERE_AR = (
    "ملف تعريف الارتباط",
    "ملفات تعريف الارتباط",
    "الكوكيز",
    "سياسه الخصوصيه",
    "جميع الحقوق محفوظه",
    "(ارشيفيه)",
)
FURNITURE_ANYWHERE_EN = (
    "cookie",
    "we use cookies",
    "privacy policy",
    "accept all",
    "all rights reserved",
    "getty images",
    "(reuters photo)",
    "afp photo",
    "ap photo",
)
# Words that show a short line is a clause, not a heading.
CLAUSE_WORDS_AR = (
    frozenset("ان انه انها قد لقد لم لن ليس ليست كان كانت يكون تكون تم هو هي هم سوف لا".split()) | REPORTING_VERBS_AR
)
CLAUSE_WORDS_EN = (
    frozenset(
        """
        is are was were be been being has have had do does did will would can could should may might must
        not never no
        """.split()
    )
    | REPORTING_VERBS_EN
)


def match_view(text: str) -> str:
    """``text`` with Arabic letter variants and digits folded, one character for one (offsets kept)."""
    return fold_arabic_letters(fold_digits(text))
