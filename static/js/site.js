document.addEventListener("DOMContentLoaded", () => {
  // After a form is sent back with errors or a preview, move the focus to it, so keyboard and
  // screen-reader users start where the page has something to tell them.
  const target = document.querySelector(".error-summary, .preview");
  if (target) {
    target.focus();
  }

  // On paper a link in the text is followed by its full address (see the print rules in
  // site.css), worked out when the page is printed: the browser knows the full form of the
  // site's own short addresses. A link that reads as its own address, and the site's controls,
  // which are not printed, get none.
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("main a[href]").forEach((link) => {
      const href = link.getAttribute("href");
      if (/^(#|mailto:|tel:)/.test(href) || link.closest("nav, form")) {
        return;
      }
      const text = link.textContent.trim().replace(/\/$/, "");
      link.dataset.printHref = text === link.href.replace(/\/$/, "") ? "" : link.href;
    });
  });

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
