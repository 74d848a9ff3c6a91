// dandang: small behaviours only; every page works without it.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  });
  // Forms that need a second thought carry data-confirm.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f && f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
      e.preventDefault();
    }
  }, true);
  // Print buttons of generated documents (no inline handlers under the CSP).
  document.addEventListener("click", function (e) {
    if (e.target && e.target.matches && e.target.matches("[data-print]")) window.print();
    if (e.target && e.target.matches && e.target.matches("[data-back]") && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
  // Export links follow the filters currently chosen on the page.
  document.addEventListener("htmx:afterSettle", function () {
    var link = document.getElementById("export-link");
    if (link) link.href = "/cadres/export.xlsx" + window.location.search;
  });
})();
