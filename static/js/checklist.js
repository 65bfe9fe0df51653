// After htmx swaps in a fresh checklist, the button that was pressed is gone and focus would fall
// back to the page body: move it to the message that says what happened, so keyboard and
// screen-reader users continue from there.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "checklist") {
    return;
  }
  const message = document.querySelector("#checklist .alert");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});
