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

  // R-NEW-1, R-CLM-8: a form marked data-unsaved-warning asks before the page is left with
  // changes not yet saved. It is unsaved while any of its fields (boxes, radios, selects,
  // text) differs from how the page was served, or while the server marks it data-dirty (a
  // page answered with values the user has not saved yet, such as "Apply to all" without
  // script). Its [data-unsaved-note] is shown while it is unsaved. Sending the form is not
  // leaving it. A script that changes fields itself dispatches "change" on the form.
  var UNSAVED = "form[data-unsaved-warning]";
  var NOT_DATA = ["hidden", "submit", "button", "reset", "image", "file"];

  function fieldChanged(el) {
    if (!el.name || el.disabled || el.hasAttribute("data-select-all")) return false;
    if (NOT_DATA.indexOf(el.type) >= 0) return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.options) {
      return Array.prototype.some.call(el.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return "defaultValue" in el && el.value !== el.defaultValue;
  }

  function isUnsaved(form) {
    if (form.hasAttribute("data-unsaved-sent")) return false;
    return form.hasAttribute("data-dirty") || Array.prototype.some.call(form.elements, fieldChanged);
  }

  function showUnsaved(form) {
    var unsaved = isUnsaved(form);
    form.querySelectorAll("[data-unsaved-note]").forEach(function (note) { note.hidden = !unsaved; });
  }

  function showUnsavedWithin(root) {
    if (root.matches && root.matches(UNSAVED)) showUnsaved(root);
    if (root.querySelectorAll) root.querySelectorAll(UNSAVED).forEach(showUnsaved);
  }

  ["change", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = event.target.closest && event.target.closest(UNSAVED);
      if (form) showUnsaved(form);
    });
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches(UNSAVED)) event.target.setAttribute("data-unsaved-sent", "");
  });
  // A form sent by htmx stays on the page: it is judged again once the answer is in.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest(UNSAVED);
    if (form) {
      form.removeAttribute("data-unsaved-sent");
      showUnsaved(form);
    }
  });
  // A part swapped in by htmx may carry the server's data-dirty.
  document.addEventListener("htmx:load", function (event) { showUnsavedWithin(event.target); });
  window.addEventListener("beforeunload", function (event) {
    if (Array.prototype.some.call(document.querySelectorAll(UNSAVED), isUnsaved)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  showUnsavedWithin(document);

  // A form marked data-busy shows it is working once sent: its buttons are disabled and the
  // one pressed says "Saving…" (or its data-busy-label), so a second click cannot send it
  // again. Disabled only after this event: the pressed button's value still goes with it.
  // With a file chosen, the form goes by XHR so the upload shows its progress (a plain
  // submit cannot); the answer, a page as the plain submit would show, then replaces this
  // one. Without script the form is an ordinary form.
  function disableButtons(form, pressed) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "submit" && !el.disabled) {
        el.disabled = true;
        el.setAttribute("data-busy-disabled", el.textContent);
      }
    });
    if (pressed) pressed.textContent = pressed.getAttribute("data-busy-label") || "Saving…";
  }

  function release(form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-busy-disabled]").forEach(function (el) {
      el.textContent = el.getAttribute("data-busy-disabled");
      el.removeAttribute("data-busy-disabled");
      el.disabled = false;
    });
  }

  function chosenFiles(form) {
    var chosen = [];
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { chosen.push(file); });
    });
    return chosen;
  }

  // The progress shown under the form's buttons: a native bar (the CSP allows no inline
  // style) and a line a screen reader hears at every quarter.
  function progressBox(form) {
    var box = form.querySelector("[data-busy-progress]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-busy-progress", "");
      box.className = "busy-progress mt-2";
      form.appendChild(box);
    }
    box.textContent = "";
    box.hidden = false;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress");
    var line = document.createElement("p");
    line.className = "small mb-0";
    line.setAttribute("role", "status");
    box.appendChild(bar);
    box.appendChild(line);
    return { box: box, bar: bar, line: line };
  }

  function showPage(xhr, fallbackUrl) {
    // The page as the browser would have shown it after a plain submit (a redirect was
    // followed), with its address: reloading it asks for that page, not the POST again.
    var url = xhr.responseURL || fallbackUrl;
    document.open();
    document.write(xhr.responseText);
    document.close();
    if (url && url !== window.location.href) window.history.replaceState(null, "", url);
  }

  function uploadWithProgress(form, pressed, files) {
    var data = new FormData(form);
    if (pressed && pressed.name) data.append(pressed.name, pressed.value);
    var url = form.getAttribute("action") || window.location.href;
    var names = files.map(function (file) { return file.name; }).join(", ");
    var shown = progressBox(form);
    var said = -1;
    var say = function (percent) {
      shown.bar.value = percent;
      var quarter = Math.floor(percent / 25);
      if (quarter === said) return;
      said = quarter;
      shown.line.textContent = percent < 100
        ? "Uploading " + names + ": " + percent + "%"
        : "Uploaded " + names + ": checking the file…";
    };
    say(0);
    var fail = function (message) {
      shown.bar.remove();
      shown.line.setAttribute("role", "alert");
      shown.line.className = "small mb-0 text-danger";
      shown.line.textContent = message;
      release(form);
    };
    var xhr = new XMLHttpRequest();
    xhr.open((form.getAttribute("method") || "post").toUpperCase(), url);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) say(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", function () {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (/^text\/html/.test(type)) {
        showPage(xhr, url);
      } else if (/^text\/plain/.test(type)) {
        fail(xhr.responseText); // a message about the upload itself (it could not be read)
      } else {
        fail("The upload failed (" + xhr.status + "). Try again.");
      }
    });
    xhr.addEventListener("error", function () {
      fail("The connection was lost, so nothing was uploaded. Your files are still chosen: try again.");
    });
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy") || event.defaultPrevented) return;
    if (form.hasAttribute("aria-busy")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var pressed = event.submitter;
    var files = chosenFiles(form);
    if (files.length && window.FormData && window.XMLHttpRequest) {
      event.preventDefault();
      disableButtons(form, pressed);
      if (pressed) pressed.textContent = pressed.getAttribute("data-busy-label") || "Uploading…";
      uploadWithProgress(form, pressed, files);
      return;
    }
    window.setTimeout(function () { disableButtons(form, pressed); }, 0);
  });
  // Back to a page kept in the browser's cache: its forms can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy][aria-busy]").forEach(release);
    document.querySelectorAll("form[data-unsaved-sent]").forEach(function (form) {
      form.removeAttribute("data-unsaved-sent");
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
