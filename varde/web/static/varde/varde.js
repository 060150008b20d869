/* Varde's progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Move focus to the first error summary so that keyboard and screen-reader users hear it first.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-focus-on-load]");
    if (summary) {
      var details = summary.closest("details");
      if (details) { details.open = true; }
      summary.focus();
    }
  }

  // Show sub-questions only when their form of exploitation is ticked (they stay visible without JS).
  function syncDependents() {
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      var value = el.getAttribute("data-show-when");
      var box = document.querySelector('input[type="checkbox"][value="' + value + '"]');
      if (!box) { return; }
      var control = el.querySelector("select, input, textarea");
      var hasValue = control && control.value;
      el.hidden = !box.checked && !hasValue;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    syncDependents();
    document.addEventListener("change", function (event) {
      if (event.target.matches('input[type="checkbox"]')) { syncDependents(); }
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    focusErrorSummary(document);
  });
})();
