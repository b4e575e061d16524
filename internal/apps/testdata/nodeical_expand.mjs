// Reads iCalendar files with node-ical, the parser of MagicMirror's
// calendar module, and prints every airing it finds in them.
//
// Usage: TZ=UTC node nodeical_expand.mjs PATH/TO/node_modules/node-ical FILE...
//
// Prints one JSON object: for each FILE, the number of VEVENTs node-ical
// returns ("events") and every instance ("instances"), recurring events
// expanded with node-ical's own expandRecurringEvent (EXDATE and
// RECURRENCE-ID applied), sorted, each as [start, end, summary]: times
// in UTC ("2004-02-27T16:30:00Z"), all-day dates as "2004-02-27". TZ=UTC
// keeps all-day dates, which node-ical makes local midnights, on their
// day.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const [modulePath, ...files] = process.argv.slice(2);
const ical = createRequire(import.meta.url)(modulePath);

const text = (d, dateOnly) =>
  dateOnly ? d.toISOString().slice(0, 10) : d.toISOString().replace(".000Z", "Z");

const out = {};
for (const file of files) {
  const data = ical.sync.parseICS(readFileSync(file, "utf8"));
  let events = 0;
  const instances = [];
  for (const e of Object.values(data)) {
    if (e.type !== "VEVENT") {
      continue;
    }
    events++;
    const dateOnly = e.datetype === "date";
    if (!e.rrule) {
      instances.push([text(e.start, dateOnly), text(e.end, dateOnly), String(e.summary ?? "")]);
      continue;
    }
    for (const i of ical.expandRecurringEvent(e, { from: new Date("1900-01-01"), to: new Date("2200-01-01") })) {
      instances.push([text(i.start, i.isFullDay), text(i.end, i.isFullDay), String(i.summary ?? "")]);
    }
  }
  instances.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  out[file] = { events, instances };
}
console.log(JSON.stringify(out));
