// PAR pages: warn before leaving with ticked units that are not saved yet (R-NEW-1).
(function () {
  "use strict";
  var dirty = new Set();

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-unsaved-guard]");
    if (!form || event.target.type !== "checkbox") return;
    var ticked = form.querySelector('input[type="checkbox"][name]:checked:not([data-select-all])');
    if (ticked) dirty.add(form); else dirty.delete(form);
  });

  document.addEventListener("submit", function (event) {
    dirty.delete(event.target);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
