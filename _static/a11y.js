// The theme's sidebar toggles are <summary> elements with only an icon inside;
// give each one an accessible name taken from the section it opens (WCAG 4.1.2).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("nav details > summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.getAttribute("aria-label")) return;
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    summary.setAttribute("aria-label", `Show or hide ${link ? link.textContent.trim() : "section"}`);
  });
});
