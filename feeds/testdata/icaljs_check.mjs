// Reads an iCalendar file with ical.js and prints its airings.
//
// Usage: node icaljs_check.mjs PATH/TO/ical.js/dist/ical.js FILE
//
// Prints JSON: {"events": number of VEVENTs, "starts": [...], "ends": [...],
// "calendar": {...}} with one entry per airing, recurring events expanded
// by ical.js's own iterator. Times are UTC ("2000-05-01T16:30:00Z"), dates
// "2000-05-01". "calendar" holds what ical.js makes of the calendar's
// RFC 7986 properties: the values of COLOR, X-APPLE-CALENDAR-COLOR, URL,
// SOURCE and each IMAGE, "" for one that is absent.
// The calendar's VTIMEZONEs are registered first, so local times are
// read through them; a TZID without one, or a floating time, is an error.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, file] = process.argv.slice(2);
const ICAL = (await import(pathToFileURL(modulePath).href)).default;

const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const vtz of cal.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}

function text(t) {
  if (t.isDate) {
    return t.toString();
  }
  if (t.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`floating or unknown zone: ${t.toString()}`);
  }
  return new Date(t.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

// new ICAL.Event(vevent) looks through every VEVENT of the calendar for
// exceptions (those with a RECURRENCE-ID) to relate to the event, which
// makes reading a calendar quadratic in its events. Finding them once and
// handing them in relates the same ones.
const vevents = cal.getAllSubcomponents("vevent");
const exceptions = vevents.filter((v) => v.hasProperty("recurrence-id"));

let events = 0;
const pairs = [];
for (const vevent of vevents) {
  events++;
  const ev = vevent.hasProperty("recurrence-id") ? new ICAL.Event(vevent) : new ICAL.Event(vevent, { exceptions });
  if (!ev.isRecurring()) {
    pairs.push([text(ev.startDate), text(ev.endDate)]);
    continue;
  }
  const it = ev.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const d = ev.getOccurrenceDetails(next);
    pairs.push([text(d.startDate), text(d.endDate)]);
    if (pairs.length > 5e6) {
      throw new Error("runaway recurrence");
    }
  }
}
pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
const one = (name) => String(cal.getFirstPropertyValue(name) ?? "");
const calendar = {
  color: one("color"),
  apple_color: one("x-apple-calendar-color"),
  url: one("url"),
  source: one("source"),
  images: cal.getAllProperties("image").map((p) => String(p.getFirstValue())),
};
console.log(JSON.stringify({ events, starts: pairs.map((p) => p[0]), ends: pairs.map((p) => p[1]), calendar }));
