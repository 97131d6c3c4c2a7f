// The desk's editor, made pleasanter: the preview follows the writing, and each source has a
// button that inserts its [n] where the cursor is. The form works without any of this.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var previewButton = form.querySelector('button[name="preview"][value="page"]');
  var lastShown = previewButton;
  var timer = null;
  form.querySelectorAll('button[name="preview"]').forEach(function (button) {
    button.addEventListener("click", function () { lastShown = button; });
  });
  function refresh() {
    if (lastShown && form.requestSubmit) form.requestSubmit(lastShown);
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
  // Citations: remember the last text field written in, insert [n] at its cursor.
  var lastText = null;
  form.addEventListener("focusin", function (event) {
    if (event.target.tagName === "TEXTAREA") lastText = event.target;
  });
  form.querySelectorAll("button.desk-cite").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!lastText) return;
      var marker = "[" + button.getAttribute("data-cite") + "]";
      var start = lastText.selectionStart, end = lastText.selectionEnd, text = lastText.value;
      lastText.value = text.slice(0, start) + marker + text.slice(end);
      lastText.selectionStart = lastText.selectionEnd = start + marker.length;
      lastText.focus();
      form.dispatchEvent(new Event("input"));
    });
  });
  refresh();
})();
