// Batch page enhancements (R-NEW-1). Without this file every slot still has its own form.
// With it: each upload shows a progress bar and can be retried on failure, and several
// files can be dropped at once, matched to slots by P number and unit code, confirmed,
// then uploaded one by one, so one failure never loses the others.
(function () {
  "use strict";

  function slotFor(url) {
    return document.querySelector('[data-slot][data-upload-url="' + url + '"]');
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (node) { node.textContent = text; });
  }

  // The page shows one page of slots, so the batch-wide counts come from the server: the
  // slot's answer carries them in headers (X-Sample-Claimed, X-Sample-Uploaded).
  function updateSampleCount(xhr) {
    var uploaded = parseInt(xhr.getResponseHeader("X-Sample-Uploaded"), 10);
    var claimed = parseInt(xhr.getResponseHeader("X-Sample-Claimed"), 10);
    if (isNaN(uploaded) || isNaN(claimed)) return;
    var source = document.querySelector("[data-sample-rule]");
    var counts = document.querySelector("[data-required]");
    var required = counts ? parseInt(counts.getAttribute("data-required"), 10) || 0 : 0;
    var shortfall = Math.max(0, required - uploaded);
    var message = shortfall ? shortfall + " more needed." : "The sample is met.";
    setText("[data-sample-uploaded], [data-slots-uploaded]", String(uploaded));
    setText("[data-slots-without-file]", String(claimed - uploaded));
    setText("[data-sample-shortfall], [data-slots-shortfall]", message);
    if (source) {
      source.classList.toggle("alert-success", shortfall === 0);
      source.classList.toggle("alert-warning", shortfall > 0);
    }
    // "Submit Batch" is the page's main button only once the sample is met; until then it
    // says why beside it.
    var submit = document.querySelector("[data-submit-batch]");
    var why = document.querySelector("[data-submit-why]");
    if (submit) {
      submit.classList.toggle("btn-success", shortfall === 0);
      submit.classList.toggle("btn-outline-secondary", shortfall > 0);
      if (shortfall) submit.setAttribute("aria-describedby", "submit-why");
      else submit.removeAttribute("aria-describedby");
    }
    if (why) {
      why.hidden = shortfall === 0;
      setText("[data-submit-shortfall]", String(shortfall));
    }
  }

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) return input.value;
    var zone = document.querySelector("[data-dropzone]");
    return zone ? zone.getAttribute("data-csrf") : "";
  }

  // Send one file to a slot's URL. onProgress(percent); done(ok, message).
  function send(url, token, file, onProgress, done) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", function () {
      var slot = slotFor(url);
      // A plain-text answer is a message about the upload itself (it could not be read).
      var plain = /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "");
      if ((xhr.status === 200 || xhr.status === 400) && slot && !plain) {
        slot.outerHTML = xhr.responseText;
        updateSampleCount(xhr);
        var fresh = slotFor(url);
        var error = fresh && fresh.querySelector('[role="alert"]');
        done(xhr.status === 200, error ? error.textContent.trim() : "");
      } else {
        done(false, plain ? xhr.responseText : "The upload failed (" + xhr.status + "). Try again.");
      }
    });
    xhr.addEventListener("error", function () {
      done(false, "The connection was lost. Try again.");
    });
    xhr.send(data);
  }

  // A slot's own form: upload with a progress bar instead of a full page load.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-slot-upload]");
    if (!form) return;
    var input = form.querySelector('input[type="file"]');
    if (!input.files.length) return; // let the server say a file is needed
    event.preventDefault();
    var progress = form.querySelector("progress");
    var button = form.querySelector('button[type="submit"]');
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    // The attribute, not form.action: the slot is found by the path as written in the page.
    var url = form.getAttribute("action");
    send(url, csrfToken(form), input.files[0], function (percent) {
      progress.value = percent;
    }, function (ok, message) {
      if (!ok && slotFor(url) && document.body.contains(form)) {
        // The slot was not replaced (network error): keep the file chosen for a retry.
        progress.hidden = true;
        button.disabled = false;
        button.textContent = "Retry";
        var note = form.querySelector(".slot-network-error") || document.createElement("div");
        note.className = "slot-network-error text-danger small w-100";
        note.setAttribute("role", "alert");
        note.textContent = message;
        form.appendChild(note);
      }
    });
  });

  // --- several files at once -------------------------------------------------------
  var zone = document.querySelector("[data-dropzone]");
  if (!zone) return;
  zone.hidden = false;
  var input = zone.querySelector("[data-dropzone-input]");
  var result = zone.querySelector("[data-dropzone-result]");

  function matchSlot(name) {
    var upper = name.toUpperCase();
    var found = null;
    document.querySelectorAll("[data-slot]").forEach(function (slot) {
      var p = slot.getAttribute("data-p-number").toUpperCase();
      var unit = slot.getAttribute("data-unit-code").toUpperCase();
      var pAt = upper.indexOf(p);
      // The P number must not run on into more digits (P12345 inside P123456).
      var pWhole = pAt >= 0 && !/[0-9]/.test(upper.charAt(pAt + p.length));
      if (pWhole && upper.indexOf(unit) >= 0 && slot.querySelector("form[data-slot-upload]")) {
        found = slot;
      }
    });
    return found;
  }

  function describe(slot) {
    var heading = slot.closest("ul").previousElementSibling;
    return (heading ? heading.textContent.trim() + " – " : "") +
      slot.querySelector(".slot-unit").textContent.trim();
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function showMatches(files) {
    result.textContent = "";
    var table = el("table", { "class": "table table-sm align-middle", "data-testid": "matches" });
    table.appendChild(el("caption", { "class": "visually-hidden" }, "Files and the slots they match"));
    var head = el("thead");
    var headRow = el("tr");
    ["Upload", "File", "Slot", "Progress"].forEach(function (title) {
      headRow.appendChild(el("th", { scope: "col" }, title));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    var rows = [];
    Array.prototype.forEach.call(files, function (file, index) {
      var slot = matchSlot(file.name);
      var row = el("tr");
      var tick = el("td");
      var id = "match-" + index;
      if (slot) {
        var box = el("input", { type: "checkbox", id: id, "class": "form-check-input" });
        box.checked = true;
        tick.appendChild(box);
        tick.appendChild(el("label", { "for": id, "class": "visually-hidden" }, "Upload " + file.name));
      }
      row.appendChild(tick);
      row.appendChild(el("td", {}, file.name));
      row.appendChild(el("td", {}, slot ? describe(slot) : "No slot matches this name: use the slot's own button."));
      var status = el("td");
      row.appendChild(status);
      body.appendChild(row);
      if (slot) rows.push({ file: file, url: slot.getAttribute("data-upload-url"), box: box, status: status });
    });
    table.appendChild(body);
    result.appendChild(table);
    if (!rows.length) return;
    var go = el("button", { type: "button", "class": "btn btn-primary" }, "Upload matched files");
    go.addEventListener("click", function () {
      go.disabled = true;
      var queue = rows.filter(function (r) { return r.box.checked; });
      queue.forEach(function (r) { r.box.disabled = true; });
      uploadNext(queue, 0);
    });
    result.appendChild(go);
  }

  function uploadRow(row, next) {
    row.status.textContent = "";
    var bar = el("progress", { max: "100", value: "0", "class": "slot-progress", "aria-label": "Upload progress for " + row.file.name });
    row.status.appendChild(bar);
    send(row.url, csrfToken(null), row.file, function (percent) { bar.value = percent; }, function (ok, message) {
      row.status.textContent = ok ? "Uploaded" : (message || "Failed");
      if (!ok) {
        var retry = el("button", { type: "button", "class": "btn btn-sm btn-outline-primary ms-2" }, "Retry");
        retry.addEventListener("click", function () { uploadRow(row, function () {}); });
        row.status.appendChild(retry);
      }
      next();
    });
  }

  function uploadNext(queue, i) {
    if (i >= queue.length) return;
    uploadRow(queue[i], function () { uploadNext(queue, i + 1); });
  }

  input.addEventListener("change", function () { showMatches(input.files); });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) showMatches(event.dataTransfer.files);
  });
})();
