/* Assessment form: keep the "ticked" counts per element and in all up to date while ticking.
   An enhancement only: the server renders the same counts, and the form works without this file. */
(function () {
  "use strict";

  function update(form) {
    var total = 0;
    form.querySelectorAll("[data-element]").forEach(function (element) {
      var ticked = element.querySelectorAll('input[name="indicators"]:checked').length;
      total += ticked;
      var count = element.querySelector("[data-element-count]");
      if (count) { count.textContent = String(ticked); }
    });
    var all = form.querySelector("[data-ticked-total]");
    if (all) { all.textContent = String(total); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-assessment-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target.matches('input[name="indicators"]')) { update(form); }
      });
    });
  });
})();
