// Portal settings: the accent colour's live preview (picker and text box kept in step).
(function () {
  "use strict";
  var HEX = /^#[0-9a-fA-F]{6}$/;

  function init(root) {
    var picker = root.querySelector("[data-accent-picker]");
    var input = root.querySelector("[data-accent-input]");
    var preview = root.querySelector("[data-accent-preview]");
    if (!picker || !input || !preview || input.dataset.accentReady) return;
    input.dataset.accentReady = "1";

    function paint(value) {
      if (HEX.test(value)) {
        preview.style.setProperty("--accent", value);
        preview.style.setProperty("--accent-soft", "color-mix(in srgb," + value + " 12%,white)");
      } else {
        preview.style.removeProperty("--accent");
        preview.style.removeProperty("--accent-soft");
      }
    }
    picker.addEventListener("input", function () {
      input.value = picker.value;
      paint(picker.value);
    });
    input.addEventListener("input", function () {
      if (HEX.test(input.value)) picker.value = input.value.toLowerCase();
      paint(input.value);
    });
    paint(input.value);
  }

  function run() { init(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
  document.addEventListener("htmx:afterSettle", run);
})();
