// backstage: a few lines for static hosts, which cannot answer ?date= or
// ?episode=. The forms go straight to the page of the answer, and the
// webcal:// links, which need an absolute address, are made from this
// page's. Without script, "backstage serve" answers the forms itself and
// the picture and the day links reach every page.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  document.addEventListener("submit", function (e) {
    var form = e.target, to = form.getAttribute("data-to"), input = form.querySelector("input");
    if (!to || !input || !form.checkValidity()) {
      return;
    }
    var value = input.value.trim();
    if (to === "episodes") {
      value = String(parseInt(value, 10));
    }
    e.preventDefault();
    window.location.href = root + to + "/" + encodeURIComponent(value) + ".html";
  });
  document.querySelectorAll("a[data-webcal]").forEach(function (a) {
    var u = new URL(a.getAttribute("data-webcal"), window.location.href);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      return;
    }
    a.href = "webcal://" + u.host + u.pathname;
    a.textContent = a.href;
    a.parentNode.hidden = false;
  });
})();
