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

  // R-NEW-1: warn before an idle session ends; "Stay logged in" renews it.
  var body = document.body;
  var total = parseInt(body.getAttribute("data-session-seconds") || "0", 10);
  var box = document.getElementById("session-warning");
  if (total > 0 && box) {
    var lead = parseInt(body.getAttribute("data-session-warning-seconds") || "300", 10);
    var button = box.querySelector("[data-session-keepalive]");
    var token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    var timer = null;
    var schedule = function () {
      box.hidden = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        box.hidden = false;
        button.focus();
      }, Math.max(total - lead, 0) * 1000);
    };
    button.addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      }).then(function (response) {
        // 204: renewed. Anything else (already logged out): show the login page.
        if (response.status === 204) schedule(); else window.location.reload();
      });
    });
    // Every htmx request renews the session on the server too.
    body.addEventListener("htmx:afterRequest", schedule);
    schedule();
  }
})();
