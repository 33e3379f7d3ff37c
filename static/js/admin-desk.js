/* The webmaster's desk: a saved reason fills the reason field, and the preview fits its text. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  // Picking a saved reason writes its text into the field, which stays editable; a text the
  // webmaster has changed since is not overwritten without asking.
  document.querySelectorAll("select[data-mia-saved-reason]").forEach(function (select) {
    var field = document.getElementById(select.dataset.miaSavedReason);
    if (!field) { return; }
    var filled = "";
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var text = option ? option.dataset.text || "" : "";
      if (!text) { return; }
      if (field.value.trim() && field.value !== filled &&
          !window.confirm(select.dataset.miaReplace || "")) { return; }
      field.value = filled = text;
      field.focus();
    });
  });

  // The preview is a frame, so that the site's own styles apply; it grows to show all of it.
  function fit(frame) {
    var doc = frame.contentDocument;
    if (doc && doc.documentElement) {
      frame.style.height = doc.documentElement.offsetHeight + 4 + "px";
    }
  }
  document.querySelectorAll("iframe.mia-preview").forEach(function (frame) {
    frame.addEventListener("load", function () { fit(frame); });
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fit(frame); }
  });
});
