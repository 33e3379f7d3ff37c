// After a form is sent back with errors or a preview, move the focus to it, so keyboard and
// screen-reader users start where the page has something to tell them.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector(".error-summary, .preview");
  if (target) {
    target.focus();
  }
});
