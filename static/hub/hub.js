// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Tick or untick every box named by data-select-all="name".
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute("data-select-all");
    if (!name) return;
    var form = event.target.form || document;
    form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      if (!box.disabled) box.checked = event.target.checked;
    });
  });
})();
