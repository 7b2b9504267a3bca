// The vault's copy buttons: <button data-copy-target="ID"> copies the text of element ID.
(function () {
  "use strict";
  if (window.stoaVaultCopy) return;
  window.stoaVaultCopy = true;

  function flash(button, label) {
    if (!button.dataset.label) button.dataset.label = button.innerHTML;
    button.textContent = label;
    if (label === "Copied") button.dataset.copied = "true";
    window.setTimeout(function () { button.innerHTML = button.dataset.label; }, 2000);
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) return;
    var text = source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { flash(button, "Copied"); },
        function () { flash(button, fallbackCopy(text) ? "Copied" : "Copy failed"); }
      );
    } else {
      flash(button, fallbackCopy(text) ? "Copied" : "Copy failed");
    }
  });
})();
