// Claims: progressive enhancements. Every page works without this file: "Apply to all"
// then posts and the server copies the values, and "Submit to assessor" is checked there.
(function () {
  "use strict";

  // R-CLM-5: copy this row's grade or centre assessor to every row below it in the same
  // table (this page only); rows above and rows that cannot be claimed stay as they are.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-apply]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest("tr");
    var rows = Array.prototype.slice.call(row.parentElement.querySelectorAll("tr[data-grid-row]"));
    var below = rows.slice(rows.indexOf(row) + 1);
    var changed = 0;
    if (button.getAttribute("data-apply") === "grade") {
      var checked = row.querySelector('input[type="radio"]:checked');
      var value = checked ? checked.value : "";
      below.forEach(function (other) {
        var target = other.querySelector('input[type="radio"][value="' + value + '"]');
        if (target && !target.disabled) {
          target.checked = true;
          changed += 1;
        }
      });
    } else {
      var source = row.querySelector('select[data-field="assessor"]');
      below.forEach(function (other) {
        var select = other.querySelector('select[data-field="assessor"]');
        if (select && !select.disabled && source) {
          select.value = source.value;
          changed += 1;
        }
      });
    }
    // The values changed without a "change" event: hub.js's unsaved-changes warning
    // (R-CLM-8) judges the form again.
    if (button.form) button.form.dispatchEvent(new Event("change", { bubbles: true }));
    var status = button.form && button.form.querySelector("[data-apply-status]");
    if (status) {
      status.textContent = "Applied to " + changed + " candidate" + (changed === 1 ? "" : "s") +
        " below. Remember to click Save claim.";
    }
  });

  // R-CLM-5 as the guide has it: "Apply this grade/assessor to all" appears for the row being
  // worked on (focused or changed), not as two identical buttons on every row. Without this
  // file every row shows them and the server does the copying.
  // Waiting buttons keep their space (visibility, not display): revealing one must not move
  // the radio under the pointer between press and release.
  var applyButtons = document.querySelectorAll("tr[data-grid-row] button[data-apply]");
  applyButtons.forEach(function (button) { button.classList.add("apply-idle"); });
  var shownRow = null;
  function showApply(event) {
    var row = event.target.closest && event.target.closest("tr[data-grid-row]");
    if (!row || row === shownRow || !applyButtons.length) return;
    if (shownRow) {
      shownRow.querySelectorAll("button[data-apply]").forEach(function (b) { b.classList.add("apply-idle"); });
    }
    row.querySelectorAll("button[data-apply]").forEach(function (b) { b.classList.remove("apply-idle"); });
    shownRow = row;
  }
  document.addEventListener("focusin", showApply);
  document.addEventListener("change", showApply);

  // R-CLM-9: "Submit to assessor" stays disabled until the centre declaration is ticked.
  // Issue 14: a button that cannot work yet is not the primary one, and says why beside it.
  document.querySelectorAll("[data-requires-declaration]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-requires-declaration"));
    if (!box) return;
    var why = button.form && button.form.querySelector("[data-declaration-why]");
    var sync = function () {
      var ready = box.checked;
      button.disabled = !ready;
      button.classList.toggle("btn-success", ready);
      button.classList.toggle("btn-outline-secondary", !ready);
      if (why) {
        why.hidden = ready;
        if (ready) button.removeAttribute("aria-describedby");
        else button.setAttribute("aria-describedby", why.id);
      }
    };
    box.addEventListener("change", sync);
    sync();
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
