// After htmx swaps in a fresh checklist, keep the nurse where she was: the row she changed stays at
// the same height on screen (the page above it may have grown or shrunk), and focus moves to the
// confirmation shown by that row, so keyboard and screen-reader users continue from there.
let anchor = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target.id !== "checklist") {
    return;
  }
  const row = event.detail.requestConfig.elt.closest(".task-row");
  anchor = row ? { id: row.id, top: row.getBoundingClientRect().top } : null;
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "checklist") {
    return;
  }
  const row = anchor && document.getElementById(anchor.id);
  if (row) {
    window.scrollBy(0, row.getBoundingClientRect().top - anchor.top);
  }
  const message = (row || document.getElementById("checklist")).querySelector(".alert");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus({ preventScroll: Boolean(row) });
  }
  anchor = null;
});
