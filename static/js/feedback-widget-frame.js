/* Inside the feedback widget's iframe: Escape asks the page that framed it to close the panel
 * (the embed script accepts the message only from its own iframe and the portal's origin). The
 * message carries no data, so any target origin is safe. */
(function () {
  "use strict";
  if (window.parent === window) return;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") window.parent.postMessage({ stoa: "feedback-close" }, "*");
  });
})();
