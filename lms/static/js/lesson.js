// Enhancement only: when the learner leaves a lesson by closing the tab or following another
// link, send the time spent with the same form the buttons use. Without JavaScript the
// buttons still record everything.
(function () {
  "use strict";
  var form = document.getElementById("leave-form");
  if (!form || !navigator.sendBeacon) { return; }
  var submitted = false;
  form.addEventListener("submit", function () { submitted = true; });
  window.addEventListener("pagehide", function () {
    if (submitted) { return; }
    var data = new FormData(form);
    data.set("action", "outline");
    navigator.sendBeacon(form.action, data);
  });
}());
