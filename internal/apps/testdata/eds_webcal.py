"""Subscribes evolution-data-server's webcal backend to calendar URLs, as
GNOME Calendar does, and prints what it reads.

Usage (in a D-Bus session of its own, with HOME and the XDG folders in a
temporary folder, so that the registry starts empty):

    dbus-run-session -- /usr/bin/python3 eds_webcal.py FROM TO URL...

FROM and TO are Unix times. Prints one JSON object: for each URL, the
number of events the backend holds ("events") and every instance from
FROM to TO that libical expands them to ("instances"), sorted, each as
[start UTC, end UTC, summary, start in its zone, end in its zone, zone],
with times as "2004-02-27T16:30:00Z" and "20040227T183000".
"""
import datetime
import json
import sys
import time

import gi

gi.require_version("EDataServer", "1.2")
gi.require_version("ECal", "2.0")
gi.require_version("ICalGLib", "3.0")
from gi.repository import ECal, EDataServer, GLib  # noqa: E402

start, end, urls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
registry = EDataServer.SourceRegistry.new_sync(None)


def subscribe(url):
    """Adds a webcal calendar for url, as GNOME Calendar's "add a calendar
    from the web" does, and returns a client connected to it."""
    source = EDataServer.Source.new(None, None)
    source.set_parent("webcal-stub")
    source.set_display_name(url)
    source.get_extension(EDataServer.SOURCE_EXTENSION_CALENDAR).set_backend_name("webcal")
    webdav = source.get_extension(EDataServer.SOURCE_EXTENSION_WEBDAV_BACKEND)
    webdav.set_uri(GLib.Uri.parse(url, GLib.UriFlags.NONE))
    registry.commit_source_sync(source, None)
    # The webcal backend never reports itself "connected": wait a second
    # for it, then read what it has downloaded.
    return ECal.Client.connect_sync(source, ECal.ClientSourceType.EVENTS, 1, None)


def utc(t):
    zone = t.get_timezone()
    secs = t.as_timet_with_zone(zone) if zone else t.as_timet()
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read(client):
    # The download runs in the background: wait until the events are there
    # and their number holds, at most 60 s.
    count, deadline = -1, time.monotonic() + 60
    while True:
        _, comps = client.get_object_list_as_comps_sync("#t", None)
        if (comps and len(comps) == count) or time.monotonic() > deadline:
            break
        count = len(comps)
        time.sleep(0.25)
    instances = []

    def add(comp, istart, iend, *_):
        zone = istart.get_timezone()
        instances.append([utc(istart), utc(iend), comp.get_summary() or "",
                          istart.as_ical_string(), iend.as_ical_string(),
                          zone.get_tzid() if zone else ""])
        return True

    client.generate_instances_sync(start, end, None, add)
    instances.sort()
    return {"events": len(comps), "instances": instances}


clients = [(url, subscribe(url)) for url in urls]
print(json.dumps({url: read(client) for url, client in clients}))
