"""Phones in the browser tests: does a page scroll sideways at 390 px, and because of what."""

PHONE = {"width": 390, "height": 844}  # a phone held upright (iPhone 12 to 15)

# None when the page fits the window's width; else how wide it is and the innermost elements
# that stick out past the right edge (a table scrolling in its .table-responsive box is fine).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= window.innerWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.right > width + 1 && box.width > 0 && !el.closest('.table-responsive');
  });
  const innermost = wide.filter(el => !wide.some(other => other !== el && el.contains(other)));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    culprits: innermost.slice(0, 4).map(el =>
      el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      ' (right ' + Math.round(el.getBoundingClientRect().right) + ')'),
  };
}"""


def sideways(page) -> str | None:
    """Why the page as it stands scrolls sideways, or None when it does not."""
    overflow = page.evaluate(SIDEWAYS)
    if not overflow:
        return None
    return f"scrolls sideways to {overflow['scrollWidth']} px; past the edge: " + ", ".join(
        overflow["culprits"]
    )
