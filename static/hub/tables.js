// Tables wider than the window scroll sideways in their .table-responsive box, never the
// page (issue 14). A box that does scroll becomes a named tab stop (role "region", named by
// the table's caption), so a keyboard user can scroll it with the arrow keys as well
// (WCAG 2.1.1; axe's scrollable-region-focusable). Boxes that fit stay out of the Tab order.
(function () {
  "use strict";

  function update(root) {
    (root || document).querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var marked = box.hasAttribute("data-scroll-stop");
      if (scrolls && !marked && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        var name = caption ? caption.textContent.trim() : "";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (name || "Table") + " (scrolls sideways)");
        box.setAttribute("data-scroll-stop", "");
      } else if (!scrolls && marked) {
        ["tabindex", "role", "aria-label", "data-scroll-stop"].forEach(function (attribute) {
          box.removeAttribute(attribute);
        });
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(function () { pending = null; update(); });
  });
  document.addEventListener("htmx:load", function (event) { update(event.target); });
  update();
})();
