// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Tick or untick every box named by data-select-all="name": within the nearest
  // data-select-all-scope (one learner's units, say), else within the form.
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute("data-select-all");
    if (!name) return;
    var scope = event.target.closest("[data-select-all-scope]") || event.target.form || document;
    scope.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      if (!box.disabled) box.checked = event.target.checked;
    });
  });

  // A form marked data-busy shows it is working once sent: its buttons are disabled and the
  // one pressed says "Saving…" (or its data-busy-label), so a second click cannot send it
  // again. Disabled only after this event: the pressed button's value still goes with it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy") || event.defaultPrevented) return;
    if (form.hasAttribute("aria-busy")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var pressed = event.submitter;
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type === "submit" && !el.disabled) {
          el.disabled = true;
          el.setAttribute("data-busy-disabled", el.textContent);
        }
      });
      if (pressed) pressed.textContent = pressed.getAttribute("data-busy-label") || "Saving…";
    }, 0);
  });
  // Back to a page kept in the browser's cache: its forms can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy][aria-busy]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("[data-busy-disabled]").forEach(function (el) {
        el.textContent = el.getAttribute("data-busy-disabled");
        el.removeAttribute("data-busy-disabled");
        el.disabled = false;
      });
    });
  });

  // The error summary (GOV.UK): focus moves to it when the page opens, so a screen reader
  // reads "There is a problem" and the list first; each link moves focus to its field and
  // shows the field's label or legend with it, not just the input at the window's top.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-error-link]");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var fieldset = field.closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend");
      var label = legend || (field.id && document.querySelector('label[for="' + field.id + '"]'));
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // R-NEW-1: warn before an idle session ends; "Stay logged in" renews it.
  var body = document.body;
  var total = parseInt(body.getAttribute("data-session-seconds") || "0", 10);
  var box = document.getElementById("session-warning");
  if (total > 0 && box) {
    var lead = parseInt(body.getAttribute("data-session-warning-seconds") || "300", 10);
    var button = box.querySelector("[data-session-keepalive]");
    var token = JSON.parse(body.getAttribute("data-hx-headers") || "{}")["X-CSRFToken"];
    var timer = null;
    // Sessions are renewed only now and then (hub.sessions), so the server says how long
    // this one has left: on the page, and on every htmx response in a header.
    var secondsLeft = function (value) {
      var left = parseInt(value || "", 10);
      return isNaN(left) ? total : left;
    };
    var schedule = function (left) {
      box.hidden = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        box.hidden = false;
        button.focus();
      }, Math.max(left - lead, 0) * 1000);
    };
    button.addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      }).then(function (response) {
        // 204: renewed. Anything else (already logged out): show the login page.
        if (response.status === 204) schedule(total); else window.location.reload();
      });
    });
    body.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail && event.detail.xhr;
      var header = xhr && xhr.getResponseHeader("X-Session-Seconds-Left");
      if (header) schedule(secondsLeft(header));
    });
    schedule(secondsLeft(body.getAttribute("data-session-seconds-left")));
  }
})();
