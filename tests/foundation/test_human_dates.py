"""One date format on every page (templating.human_date, the `date` filter)."""
from datetime import date, datetime, timedelta, timezone

from templating import human_date


def test_days_and_moments_read_the_same_way_everywhere():
    assert human_date(date(2026, 12, 1)) == "1 Dec 2026"
    assert human_date(datetime(2026, 12, 1, 14, 5, tzinfo=timezone.utc)) == "1 Dec 2026, 14:05 UTC"
    assert human_date(datetime(2026, 12, 1, 9, 5, tzinfo=timezone(timedelta(hours=-5)))) == "1 Dec 2026, 14:05 UTC"
    assert human_date(None) == ""
