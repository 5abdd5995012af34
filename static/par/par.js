// Pages of tick boxes (PAR, Select Units to Pass on Batch): warn before leaving with ticks
// that are not saved yet (R-NEW-1). A form is unsaved while any box differs from how the
// page was served: ticked since, or unticked since.
(function () {
  "use strict";
  var dirty = new Set();

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-unsaved-guard]");
    if (!form || event.target.type !== "checkbox") return;
    var boxes = form.querySelectorAll('input[type="checkbox"][name]:not([data-select-all])');
    var changed = Array.prototype.some.call(boxes, function (box) {
      return box.checked !== box.defaultChecked;
    });
    if (changed) dirty.add(form); else dirty.delete(form);
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
