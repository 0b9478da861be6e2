"""Time as QBO shows it: timestamps in the company's time zone with its UTC offset."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "America/Los_Angeles"

_shift = timedelta(0)  # tests may move the sandbox clock (e.g. token expiry, CDC windows)


def set_shift(delta: timedelta) -> None:
    global _shift
    _shift = delta


def shift() -> timedelta:
    return _shift


def utcnow() -> datetime:
    return datetime.now(timezone.utc) + _shift


def zone(tz_name: str | None) -> ZoneInfo:
    return ZoneInfo(tz_name or DEFAULT_TZ)


def local_now(tz_name: str | None) -> datetime:
    return utcnow().astimezone(zone(tz_name))


def today(tz_name: str | None) -> date:
    return local_now(tz_name).date()


def _offset_text(moment: datetime) -> str:
    text = moment.strftime("%z")  # -0700
    return text[:3] + ":" + text[3:]


def meta_time(moment: datetime, tz_name: str | None) -> str:
    """`2020-09-29T05:58:16-07:00`, the MetaData format (whole seconds)."""
    local = moment.astimezone(zone(tz_name))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + _offset_text(local)


def response_time(tz_name: str | None) -> str:
    """`2020-09-29T05:58:16.187-07:00`, the `time` field at the end of every JSON body."""
    local = local_now(tz_name)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + _offset_text(local)


def utc_key(moment: datetime) -> str:
    """Sortable UTC text stored in indexed columns."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def parse_timestamp(text: str, tz_name: str | None) -> datetime:
    """Parse a query/CDC timestamp; values without an offset are in the company's zone."""
    text = text.strip()
    if len(text) == 10:
        text += "T00:00:00"
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz_name))
    return moment
