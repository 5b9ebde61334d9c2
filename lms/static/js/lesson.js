// Enhancement only: when the learner leaves a lesson without its buttons (a link, the back
// button, closing the tab, or switching away on a phone, where browsers may close the page
// without another event), post the time spent with the same form the buttons use, as
// "outline" (records time and place, completes nothing). Shown again, the page fetches a
// fresh stamp so the time away is not counted; the server also counts the seconds of one page
// view only once. Without JavaScript the buttons still record everything.
(function () {
  "use strict";
  var form = document.getElementById("leave-form");
  // Not form.action: the form's buttons are named "action" and shadow that property.
  var url = form && form.getAttribute("action");
  if (!url || !window.FormData) { return; }
  var submitted = false; // a button was used: the server records the leave itself
  var sent = false; // already sent while the page is hidden; again once it was shown

  function post(data) {
    if (navigator.sendBeacon) {
      try {
        if (navigator.sendBeacon(url, data)) { return; }
      } catch (ignore) { /* fall through to fetch */ }
    }
    if (window.fetch) {
      // "manual": the reply redirects to the course page, which nobody will see.
      fetch(url, {
        method: "POST", body: data, credentials: "same-origin", keepalive: true, redirect: "manual"
      }).catch(function () { /* nothing to do when the page is going away */ });
    }
  }

  function leave() {
    if (submitted || sent) { return; }
    sent = true;
    var data = new FormData(form); // buttons are not included without a submitter
    data.append("action", "outline");
    post(data);
  }

  // Shown again after a send: ask for a fresh stamp, so the time away is not counted. If the
  // request fails, the old stamp stays and the server still counts each second only once.
  function shown() {
    if (!sent) { return; }
    sent = false;
    var fresh = form.getAttribute("data-opened-url");
    if (!fresh || !window.fetch) { return; }
    fetch(fresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (body) {
        if (body && body.opened) { form.elements.namedItem("opened").value = body.opened; }
      })
      .catch(function () { /* offline: keep the old stamp */ });
  }

  form.addEventListener("submit", function () { submitted = true; });
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leave(); } else { shown(); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { submitted = false; sent = true; shown(); } // back from the back-forward cache
  });
}());
