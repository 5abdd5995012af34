// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // "Available Centres": switch as soon as a centre is picked (the Switch button stays
  // for keyboard and no-script users).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit();
    }
  });

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
