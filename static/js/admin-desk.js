/* The webmaster's desk: a saved reason fills the reason field, the preview fits its text, and
   leaving a contribution's page with unsaved changes asks first. */
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

  // The page's own buttons (save, or a decision) take its changes along. Any other way off it
  // (a link, the block or reports buttons, closing the tab) would lose them, so it asks first.
  var page = document.getElementById("contribution_form");
  var edited = page ? Array.prototype.filter.call(page.elements, function (field) {
    return ["question", "title", "body"].indexOf(field.name) !== -1;
  }) : [];
  if (edited.length) {
    var state = function () { return edited.map(function (field) { return field.value; }).join("\u0000"); };
    var saved = state();
    var leaving = false;
    page.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && state() !== saved) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
});
