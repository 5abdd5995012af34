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

  // A slot's own form goes by htmx (its data-hx-post, the slot its target): the answer is
  // the slot again, with the file or with why it was refused (400), swapped in place. The
  // form shows the upload's progress; a failure that leaves the slot as it was (the
  // connection lost, an upload the server could not read) keeps the file chosen for a
  // retry. Each request ends with "slot:done" on its form: {ok, message}.
  var SLOT_FORM = "form[data-slot-upload]";

  function slotForm(event) {
    var config = event.detail && event.detail.requestConfig;
    var form = config ? config.elt : event.target;
    return form && form.matches && form.matches(SLOT_FORM) ? form : null;
  }

  function isHtml(xhr) {
    return /^text\/html/.test(xhr.getResponseHeader("Content-Type") || "");
  }

  function fail(form, message) {
    var button = form.querySelector('button[type="submit"]');
    form.querySelector("progress").hidden = true;
    button.disabled = false;
    button.textContent = "Retry";
    var note = form.querySelector(".slot-network-error") || document.createElement("div");
    note.className = "slot-network-error text-danger small w-100";
    note.setAttribute("role", "alert");
    note.textContent = message;
    form.appendChild(note);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = slotForm(event);
    if (!form) return;
    var progress = form.querySelector("progress");
    progress.hidden = false;
    progress.value = 0;
    form.querySelector('button[type="submit"]').disabled = true;
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = slotForm(event);
    if (form && event.detail.lengthComputable) {
      form.querySelector("progress").value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  // The slot answers 400 with itself and the reason: swap that in too. A plain-text answer
  // is a message about the upload itself (it could not be read): no slot to swap.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!slotForm(event)) return;
    var xhr = event.detail.xhr;
    var slot = (xhr.status === 200 || xhr.status === 400) && isHtml(xhr);
    event.detail.shouldSwap = slot;
    event.detail.isError = !slot;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = slotForm(event);
    if (!form) return;
    var xhr = event.detail.xhr;
    var ok = false;
    var message = "";
    if (!document.body.contains(form)) {
      // Swapped: the slot as the server has it now.
      updateSampleCount(xhr);
      var fresh = slotFor(form.getAttribute("action"));
      var error = fresh && fresh.querySelector('[role="alert"]');
      ok = xhr.status === 200;
      message = error ? error.textContent.trim() : "";
    } else {
      if (!xhr.status) message = "The connection was lost. Try again.";
      else if (/^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "")) message = xhr.responseText;
      else message = "The upload failed (" + xhr.status + "). Try again.";
      fail(form, message);
    }
    form.dispatchEvent(new CustomEvent("slot:done", { detail: { ok: ok, message: message } }));
  });

  // --- several files at once -------------------------------------------------------
  var zone = document.querySelector("[data-dropzone]");
  if (!zone || !window.htmx || !window.DataTransfer) return;
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

  // A matched file goes through its slot's own form: put in its file box, sent by htmx.
  function uploadRow(row, next) {
    row.status.textContent = "";
    var slot = slotFor(row.url);
    var form = slot && slot.querySelector(SLOT_FORM);
    if (!form) {
      row.status.textContent = "This slot is no longer on the page: reload it and try again.";
      next();
      return;
    }
    var bar = el("progress", { max: "100", value: "0", "class": "slot-progress", "aria-label": "Upload progress for " + row.file.name });
    row.status.appendChild(bar);
    var chosen = new DataTransfer();
    chosen.items.add(row.file);
    form.querySelector('input[type="file"]').files = chosen.files;
    var progress = function (event) {
      if (event.detail.lengthComputable) bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    };
    form.addEventListener("htmx:xhr:progress", progress);
    form.addEventListener("slot:done", function (event) {
      form.removeEventListener("htmx:xhr:progress", progress);
      var ok = event.detail.ok;
      row.status.textContent = ok ? "Uploaded" : (event.detail.message || "Failed");
      if (!ok) {
        var retry = el("button", { type: "button", "class": "btn btn-sm btn-outline-primary ms-2" }, "Retry");
        retry.addEventListener("click", function () { uploadRow(row, function () {}); });
        row.status.appendChild(retry);
      }
      next();
    }, { once: true });
    htmx.trigger(form, "submit");
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
