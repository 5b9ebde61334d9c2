// Enhancement only: a live preview of the lesson text while the trainer types, and uploads
// that stay on the page and put the Markdown for the file at the cursor. Without JavaScript
// the Preview button and the upload form do the same with a page load. The preview HTML comes
// from the server, sanitized exactly as a learner gets it.
(function () {
  "use strict";
  var form = document.getElementById("lesson-form");
  var body = form && form.elements.namedItem("body");
  var url = form && form.getAttribute("data-preview-url");
  var preview = document.getElementById("preview-html");
  var problems = document.getElementById("preview-problems");
  if (!body || !url || !preview || !window.fetch) { return; }
  var token = form.elements.namedItem("csrf_token").value;
  var timer = null;
  var sent = 0;

  function showProblems(list) {
    problems.textContent = "";
    if (!list || !list.length) { return; }
    var ul = document.createElement("ul");
    ul.className = "error";
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
    problems.appendChild(ul);
  }

  function refresh() {
    var mine = ++sent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify({ body: body.value })
    })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (data) {
        if (!data || mine !== sent) { return; } // an older reply after a newer request
        preview.innerHTML = data.html; // sanitized on the server (render_lesson)
        showProblems(data.problems);
      })
      .catch(function () { /* offline: the Preview button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  function insertAtCursor(text) {
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || start;
    var before = body.value.slice(0, start);
    var line = before && !/\n$/.test(before) ? "\n\n" : "";
    body.value = before + line + text + "\n" + body.value.slice(end);
    var cursor = (before + line + text + "\n").length;
    body.focus();
    body.setSelectionRange(cursor, cursor);
    later();
  }

  function enhanceUpload() {
    var upload = document.getElementById("upload-form");
    var status = document.getElementById("upload-status");
    if (!upload || !status || !window.FormData) { return; }
    var limit = parseInt(upload.getAttribute("data-max-bytes"), 10) || 0;
    upload.addEventListener("submit", function (event) {
      var input = upload.elements.namedItem("file");
      var chosen = input && input.files && input.files[0];
      event.preventDefault();
      if (chosen && limit && chosen.size > limit) {
        status.className = "error";
        status.textContent = upload.getAttribute("data-too-large");
        return;
      }
      fetch(upload.getAttribute("action"), {
        method: "POST", body: new FormData(upload), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (reply) {
          return reply.json().catch(function () { return { error: reply.statusText }; });
        })
        .then(function (data) {
          status.className = data.error ? "error" : "";
          status.textContent = data.error || (data.message + " " + data.markdown);
          if (!data.error) { insertAtCursor(data.markdown); upload.reset(); }
        })
        .catch(function () { upload.submit(); });
    });
  }

  body.addEventListener("input", later);
  enhanceUpload();
  refresh();
}());
