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

  // Country and language pickers (varde.web.widgets.CodePicker): a search field above the <select>
  // finds an entry by its Bokmål or English name, another common name or its code, narrows the list
  // to the matches and chooses the best one. Matches rank as in varde.persons.codes._rank: the code
  // itself, a whole name, the start of a name, the start of a word, anywhere inside; then list order.
  var FOLD = { "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "’": "'" };

  function fold(text) {
    return text.toLowerCase().replace(/[øæœßđłı’]/g, function (c) { return FOLD[c]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  function rank(query, option) {
    if (query === option.value.toLowerCase()) { return 0; }
    var names = (option.getAttribute("data-names") || "").split("|");
    var best = null;
    for (var i = 0; i < names.length; i++) {
      var name = names[i];
      var r = null;
      if (!name) { continue; }
      if (name === query) { return 1; }
      if (name.indexOf(query) === 0) {
        r = 2;
      } else if (name.split(/[^0-9a-z]+/).some(function (w) { return w.indexOf(query) === 0; })) {
        r = 3;
      } else if (name.indexOf(query) !== -1) {
        r = 4;
      }
      if (r !== null && (best === null || r < best)) { best = r; }
    }
    return best;
  }

  function filterPicker(select, input, status) {
    var query = fold(input.value);
    var options = Array.prototype.slice.call(select.querySelectorAll("option"));
    var ranks = options.map(function (o) { return query && o.value ? rank(query, o) : null; });
    var best = null;
    var bestRank = null;
    options.forEach(function (o, i) {
      if (ranks[i] !== null && (bestRank === null || ranks[i] < bestRank)) { best = o; bestRank = ranks[i]; }
    });
    // Nothing matches (or nothing typed): the whole list again, the choice as it was.
    options.forEach(function (o, i) { o.hidden = best !== null && ranks[i] === null; });
    select.querySelectorAll("optgroup").forEach(function (g) {
      g.hidden = !g.querySelector("option:not([hidden])");
    });
    if (!query) {
      status.textContent = "";
    } else if (best === null) {
      status.textContent = select.getAttribute("data-picker-none");
    } else {
      if (select.value !== best.value) {
        select.value = best.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      status.textContent = select.getAttribute("data-picker-chosen").replace("%(name)s", best.textContent);
    }
  }

  function enhancePickers(root) {
    root.querySelectorAll("select[data-picker]:not([data-picker-ready])").forEach(function (select) {
      select.setAttribute("data-picker-ready", "");
      var hint = select.getAttribute("data-picker-label");
      var label = select.labels && select.labels.length ? select.labels[0].textContent.trim() : "";
      var input = document.createElement("input");
      input.type = "search";
      input.id = select.id + "_search";
      input.className = "ds-input varde-picker__search";
      input.placeholder = hint;
      input.autocomplete = "off";
      input.spellcheck = false;
      input.setAttribute("aria-label", label ? label + ": " + hint : hint);
      input.setAttribute("aria-controls", select.id);
      var status = document.createElement("p");
      status.id = select.id + "_search_status";
      status.className = "ds-paragraph varde-picker__status";
      status.setAttribute("data-size", "sm");
      status.setAttribute("role", "status");
      input.setAttribute("aria-describedby", status.id);
      select.parentNode.insertBefore(input, select);
      select.parentNode.insertBefore(status, select);
      input.addEventListener("input", function () { filterPicker(select, input, status); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }  // keep the choice; do not send the form
        if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    syncDependents();
    enhancePickers(document);
    document.addEventListener("change", function (event) {
      if (event.target.matches('input[type="checkbox"]')) { syncDependents(); }
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    focusErrorSummary(document);
    enhancePickers(document);
  });
})();
