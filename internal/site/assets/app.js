// backstage: a few lines for static hosts, which cannot answer ?date= or
// ?episode=. The forms go straight to the page of the answer; an episode
// the site has no page for (one outside a replay window) is answered in
// the form instead, as a static host has no page that could say so. The
// webcal:// links, which need an absolute address, are made from this
// page's. In replay mode, the airings of today and this week are marked
// "On now" and "Next" by this browser's clock. Without script, "backstage
// serve" answers the forms itself and the calendars and the day links
// reach every page.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  // has reports whether n is in ranges such as "1-3 5 815-821".
  function has(ranges, n) {
    return ranges.split(" ").some(function (r) {
      var ends = r.split("-"), lo = parseInt(ends[0], 10), hi = parseInt(ends[ends.length - 1], 10);
      return n >= lo && n <= hi;
    });
  }

  // say shows text under the form, where a screen reader announces it.
  function say(form, text) {
    var p = form.querySelector(".said");
    if (!p) {
      p = document.createElement("p");
      p.className = "said";
      p.setAttribute("role", "status");
      form.appendChild(p);
    }
    p.textContent = text;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target, to = form.getAttribute("data-to"), input = form.querySelector("input");
    if (!to || !input || !form.checkValidity()) {
      return;
    }
    var value = input.value.trim();
    e.preventDefault();
    if (to === "episodes") {
      var n = parseInt(value, 10), ranges = form.getAttribute("data-have");
      value = String(n);
      if (ranges && !has(ranges, n)) {
        say(form, "Episode " + n + " " + form.getAttribute("data-missing"));
        return;
      }
    }
    window.location.href = root + to + "/" + encodeURIComponent(value) + ".html";
  });

  // The link's text may break after a slash, never inside a name, as
  // the page's own URLs do.
  function breakable(a, text) {
    var cut = text.indexOf("://") + 3;
    a.textContent = text.slice(0, cut);
    text.slice(cut).split(/(?<=\/)/).forEach(function (part, i) {
      if (i > 0) {
        a.appendChild(document.createElement("wbr"));
      }
      a.appendChild(document.createTextNode(part));
    });
  }

  document.querySelectorAll("a[data-webcal]").forEach(function (a) {
    var u = new URL(a.getAttribute("data-webcal"), window.location.href);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      return;
    }
    a.href = "webcal://" + u.host + u.pathname;
    breakable(a, a.href);
    a.parentNode.hidden = false;
  });

  // On now and next: the airings carry their start and end, and the page
  // every start of the window, so that "Next" is the channel's next
  // airing even on a page that lists only some of them.
  var timed = document.querySelectorAll("[data-start]"), now = Date.now(), next = Infinity;
  var starts = (document.body.getAttribute("data-starts") || "").split(" ");
  timed.forEach(function (el) {
    starts.push(el.getAttribute("data-start"));
  });
  starts.forEach(function (s) {
    var start = Date.parse(s);
    if (start > now && start < next) {
      next = start;
    }
  });
  timed.forEach(function (el) {
    var start = Date.parse(el.getAttribute("data-start")), end = Date.parse(el.getAttribute("data-end"));
    var on = start <= now && now < end;
    if (!on && start !== next) {
      return;
    }
    var badge = document.createElement("strong");
    badge.className = on ? "badge now" : "badge";
    badge.textContent = on ? "On now" : "Next";
    el.insertBefore(badge, el.firstChild);
  });
})();
