"""Reads an iCalendar file with python3-icalendar and prints its airings.

Usage: /usr/bin/python3 ical_check.py FILE

Prints JSON: {"events": number of VEVENTs, "starts": [...], "ends": [...],
"calendar": {...}} with one entry per airing, recurring events expanded
with python3-dateutil (RRULE, RDATE, EXDATE). Times are UTC
("2000-05-01T16:30:00Z"), dates "2000-05-01". A floating time (no TZID, no
Z) is an error. "calendar" holds what the library makes of the calendar's
RFC 7986 properties: the values of COLOR, X-APPLE-CALENDAR-COLOR, URL,
SOURCE and each IMAGE, "" for one that is absent.
"""
import datetime
import json
import sys

from dateutil.rrule import rrulestr
from icalendar import Calendar


def values(prop):
    """The datetimes or dates of an RDATE or EXDATE property (or list of them)."""
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    return [v.dt for p in props for v in p.dts]


def as_datetime(v):
    if isinstance(v, datetime.datetime):
        return v
    return datetime.datetime(v.year, v.month, v.day)


def relocalize(dt, tz):
    # dateutil copies DTSTART's tzinfo, which pytz fixes to one offset;
    # localizing again gives each instance its own.
    if tz is not None and hasattr(tz, "localize"):
        return tz.localize(dt.replace(tzinfo=None))
    return dt


def text(v, is_date):
    if is_date:
        return v.strftime("%Y-%m-%d")
    if v.tzinfo is None:
        raise SystemExit("floating time %s" % v)
    return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_properties(cal):
    def one(name):
        v = cal.get(name)
        return "" if v is None else str(v)
    images = cal.get("IMAGE")
    if images is None:
        images = []
    elif not isinstance(images, list):
        images = [images]
    return {
        "color": one("COLOR"),
        "apple_color": one("X-APPLE-CALENDAR-COLOR"),
        "url": one("URL"),
        "source": one("SOURCE"),
        "images": [str(v) for v in images],
    }


def main():
    with open(sys.argv[1], "rb") as f:
        cal = Calendar.from_ical(f.read())
    events, pairs = 0, []
    for ev in cal.walk("VEVENT"):
        events += 1
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        is_date = not isinstance(start, datetime.datetime)
        length = as_datetime(end) - as_datetime(start)
        instances = {as_datetime(start)}
        if "RRULE" in ev:
            rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=as_datetime(start))
            tz = getattr(start, "tzinfo", None)
            instances |= {relocalize(dt, tz) for dt in rule}
        instances |= {as_datetime(v) for v in values(ev.get("RDATE"))}
        for v in values(ev.get("EXDATE")):
            v = as_datetime(v)
            if v not in instances:
                raise SystemExit("EXDATE %s excludes nothing" % v)
            instances.discard(v)
        for dt in instances:
            s, e = (dt.date(), (dt + length).date()) if is_date else (dt, dt + length)
            pairs.append((text(s, is_date), text(e, is_date)))
    pairs.sort()
    json.dump({"events": events, "starts": [p[0] for p in pairs], "ends": [p[1] for p in pairs],
               "calendar": calendar_properties(cal)}, sys.stdout)


main()
