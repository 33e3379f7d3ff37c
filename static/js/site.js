document.addEventListener("DOMContentLoaded", () => {
  // After a form is sent back with errors or a preview, move the focus to it, so keyboard and
  // screen-reader users start where the page has something to tell them.
  const target = document.querySelector(".error-summary, .preview");
  if (target) {
    target.focus();
  }

  // On a narrow screen the menu button folds the main menu (Bootstrap's collapse markup, without
  // its script); aria-expanded tells screen readers which it is, and Escape folds it again.
  document.querySelectorAll(".navbar-toggler[aria-controls]").forEach((toggler) => {
    const menu = document.getElementById(toggler.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    const show = (open) => {
      menu.classList.toggle("show", open);
      toggler.setAttribute("aria-expanded", String(open));
    };
    toggler.addEventListener("click", () => {
      show(toggler.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.classList.contains("show") && toggler.offsetParent) {
        show(false);
        toggler.focus();
      }
    });
  });
});
