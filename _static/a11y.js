// The theme's sidebar toggles are <summary> elements with only an icon inside;
// give each one an accessible name taken from the section it opens (WCAG 4.1.2).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("nav details > summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.getAttribute("aria-label")) return;
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    summary.setAttribute("aria-label", `Show or hide ${link ? link.textContent.trim() : "section"}`);
  });
});

// A table wider than the page's column scrolls sideways inside its box: a line under the box
// says so, since a phone shows no scroll bar until someone tries (issue: hidden columns, no hint).
function markScrollingBoxes() {
  document.querySelectorAll(".pst-scrollable-table-container, .table-wrapper").forEach((box) => {
    const next = box.nextElementSibling;
    const hinted = next && next.classList.contains("scroll-hint");
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !hinted) {
      const hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = "This table is wider than the page: scroll it sideways to see every column.";
      box.after(hint);
    } else if (!scrolls && hinted) {
      next.remove();
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollingBoxes);
window.addEventListener("resize", markScrollingBoxes);
