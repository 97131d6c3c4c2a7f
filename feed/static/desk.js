// The desk's editor, made pleasanter: the preview follows the writing, and each source has a
// button that inserts its [n] where the cursor is. The form works without any of this.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var previewButton = form.querySelector('button[name="preview"][value="page"]');
  var lastShown = previewButton;
  var timer = null;
  // A card is previewed at a phone's width, as most readers will see it.
  var pane = document.querySelector(".desk-preview");
  form.querySelectorAll('button[name="preview"]').forEach(function (button) {
    button.addEventListener("click", function () {
      lastShown = button;
      if (pane) pane.classList.toggle("desk-preview--phone", button.value.indexOf("card") === 0);
    });
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
  // The slug follows the headline until the writer types one (a saved slug is read-only). The
  // server proposes it (feed/deskslug.py): one transliteration for every script, Arabic and
  // Devanagari as much as Latin, and a slug no fact-check has yet. Without an answer the field
  // stays as it was, and the save proposes one.
  var headline = form.querySelector('[name="headline"]'), slug = form.querySelector('[name="slug"]');
  var slugUrl = form.getAttribute("data-slug-url");
  if (headline && slug && !slug.readOnly && slugUrl && window.fetch) {
    var typed = slug.value !== "", asked = 0, slugTimer = null;
    slug.addEventListener("input", function () { typed = slug.value !== ""; });
    headline.addEventListener("input", function () {
      if (typed) return;
      clearTimeout(slugTimer);
      slugTimer = setTimeout(function () {
        var question = ++asked;
        fetch(slugUrl + "?headline=" + encodeURIComponent(headline.value), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            // Only the latest question's answer, and never over a slug the writer typed meanwhile.
            if (answer && question === asked && !typed && !slug.readOnly) slug.value = answer.slug;
          })
          .catch(function () {});
      }, 250);
    });
  }
  // A field with a length limit shows how much of it is used, as it is typed.
  form.querySelectorAll(".desk-count").forEach(function (count) {
    var field = document.getElementById(count.id.replace(/-count$/, ""));
    if (!field) return;
    field.addEventListener("input", function () {
      count.textContent = count.getAttribute("data-of").replace("%(count)s", String(field.value.length))
        .replace("%(limit)s", field.getAttribute("maxlength"));
    });
  });
  // The verdict lists speak the fact-check's language as soon as it is chosen (the server does the
  // same on the next page; each option carries its words in every language of the list).
  var language = form.querySelector('select[name="language"]');
  if (language) {
    language.addEventListener("change", function () {
      var code = language.value.split("-")[0].toLowerCase();
      form.querySelectorAll('select[name$=".verdict"] option').forEach(function (option) {
        var words = option.getAttribute("data-words-" + code) || option.getAttribute("data-words-en");
        if (words) option.textContent = words;
      });
    });
  }
  // Drafts save themselves: a minute without typing after a change, the form is saved as the
  // Save button would (same version check: someone else's save stops it, and the Save button
  // then shows the merge).
  var status = document.getElementById("desk-autosave"), dirty = false, saving = false, autosave = null;
  function autosaveNow() {
    if (!dirty || saving || !status) return;
    saving = true; dirty = false;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "save");
    // getAttribute: `form.action` is the Save button, whose name is "action".
    fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin"}).then(function (response) {
      return response.text().then(function (html) {
        saving = false;
        if (!response.ok || response.url.indexOf("saved=") < 0) {
          status.textContent = status.getAttribute("data-failed");
          return;
        }
        var found = /name="version" value="(\d+)"/.exec(html);
        var version = form.querySelector('input[name="version"]');
        if (found) {
          if (!version) {
            version = document.createElement("input");
            version.type = "hidden"; version.name = "version";
            form.appendChild(version);
          }
          version.value = found[1];
        }
        form.setAttribute("action", response.url.split("?")[0]);
        // The save may have proposed the slug (the field was empty): show the one it kept.
        var kept = /name="slug" value="([a-z0-9-]+)"/.exec(html);
        if (slug && kept) slug.value = kept[1];
        if (slug) slug.readOnly = true;
        status.textContent = status.getAttribute("data-saved") + " " + new Date().toLocaleTimeString();
      });
    }).catch(function () { saving = false; dirty = true; });
  }
  if (status && form.hasAttribute("data-autosave")) {
    form.addEventListener("input", function () {
      dirty = true;
      clearTimeout(autosave);
      autosave = setTimeout(autosaveNow, Number(form.getAttribute("data-autosave")) || 60000);
    });
  }
  refresh();
})();
