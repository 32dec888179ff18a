"""What a browser shows cut off: elements that reach past the page's right edge or past a box that
clips them, where no box between them and the page scrolls sideways (the site's layout test)."""

from __future__ import annotations

# Run in the page: [{what, right, edge}] for each element cut off. An element inside a box that
# scrolls sideways (overflow-x auto or scroll) can be reached, so it is not cut off.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const article = document.querySelector("article.bd-article") || document.body;
  for (const el of article.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let edge = width, reachable = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") { reachable = true; break; }
      if (overflow === "hidden" || overflow === "clip") { edge = Math.min(edge, up.getBoundingClientRect().right); }
    }
    if (reachable || getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > edge + 2) {
      const classes = typeof el.className === "string" && el.className ? "." + el.className.split(" ").join(".") : "";
      const text = (el.textContent || "").trim().slice(0, 60);
      const what = el.tagName.toLowerCase() + classes;
      found.push({what, text, right: Math.round(box.right), edge: Math.round(edge)});
    }
  }
  return found.filter((f, i) => i < 5);
}"""

PAGE_SCROLLS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"

# Boxes that scroll sideways without the line that says so (a11y.js adds it).
UNHINTED_SCROLLERS = """() => [...document.querySelectorAll("article .pst-scrollable-table-container")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .filter((box) => !(box.nextElementSibling && box.nextElementSibling.classList.contains("scroll-hint")))
  .map((box) => box.textContent.trim().slice(0, 60))"""

# The most rows any tab set's labels take (the chosen label sits a few pixels lower than the rest).
TAB_ROWS = """() => Math.max(0, ...[...document.querySelectorAll("article .sd-tab-set")].map((set) => {
  const tops = [...set.querySelectorAll(":scope > label")].map((l) => l.getBoundingClientRect().top);
  tops.sort((a, b) => a - b);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 10).length;
}))"""
