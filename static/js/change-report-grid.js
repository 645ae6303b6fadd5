/* The change report's grid (templates/reports/change_report_grid.html): saving a draft that
   already has signatures asks first; "same as last month" only fills a row, so it does not ask. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm-save]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "same_as_before") { return; }
      if (!window.confirm(form.getAttribute("data-confirm-save"))) {
        event.preventDefault();
      }
    });
  });
}());
