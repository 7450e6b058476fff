from datetime import UTC, datetime

import pytest

from evidence_store.ingest.records import RecordError, parse_date, record_to_document


def test_aliases_map_to_document_fields():
    doc = record_to_document(
        {"id": 7, "content": "Some text.", "source": "Reuters", "date": "2020-03-03", "lang": "en", "extra": [1]}
    )
    assert doc.external_id == "7"
    assert doc.text == "Some text."
    assert doc.publisher == "Reuters"
    assert doc.language == "en"
    assert doc.published_at == datetime(2020, 3, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-12-23", datetime(2016, 12, 23, tzinfo=UTC)),
        ("2020-03-03T10:00:00+02:00", datetime(2020, 3, 3, 8, tzinfo=UTC)),
        ("3 March 2020", datetime(2020, 3, 3, tzinfo=UTC)),
        ("Tue, 03 Mar 2020 10:00:00 GMT", datetime(2020, 3, 3, 10, tzinfo=UTC)),
        (1583229600, datetime(2020, 3, 3, 10, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_parsed_to_utc(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/31/2020", "yesterday-ish", [2020]])
def test_unparsable_dates_name_the_value(value):
    with pytest.raises(RecordError, match="unparsable date"):
        parse_date(value)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "x"}, "missing or empty 'text'"),
        ({"text": "   "}, "missing or empty 'text'"),
        ({"text": "ok", "title": {"a": 1}}, "'title' must be a string"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_bad_records_say_what_is_wrong(record, message):
    with pytest.raises(RecordError, match=message):
        record_to_document(record)
