// Stoa's small, CSP-clean glue: CSRF on HTMX requests, tab state, toasts, error messages, and the
// page scripts an HTMX swap brings along.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  document.addEventListener("htmx:configRequest", function (evt) {
    if (csrf) evt.detail.headers["X-CSRFToken"] = csrf.content;
  });

  function markActiveTab() {
    var path = window.location.pathname;
    document.querySelectorAll(".tabbar .tab").forEach(function (a) {
      var href = a.getAttribute("href");
      if (href && (path === href || path.indexOf(href + "/") === 0)) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }

  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    el.appendChild(text);
    el.appendChild(close);
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  window.stoaToast = toast;

  // A page's own scripts (its page_scripts block) come along in an HTMX fragment as
  // <link rel="preload" data-page-script>: htmx drops <script> tags (allowScriptTags: false).
  // Run each one once, in the order the page lists them.
  var loaded = {};
  Array.prototype.forEach.call(document.scripts, function (s) { if (s.src) loaded[s.src] = true; });
  function loadPageScripts(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("link[data-page-script]").forEach(function (link) {
      var src = link.href;
      link.remove();
      if (!src || loaded[src]) return;
      loaded[src] = true;
      var script = document.createElement("script");
      script.src = src;
      script.async = false; // run in the order the page lists them (a library before its user)
      document.head.appendChild(script);
    });
  }
  document.addEventListener("htmx:afterSwap", function (evt) { loadPageScripts(evt.detail.target); });

  document.addEventListener("htmx:afterSettle", function (evt) {
    markActiveTab();
    if (evt.detail.target && evt.detail.target.id === "main") evt.detail.target.focus({ preventScroll: true });
  });
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var messages = { 403: "You don't have permission to do that.", 404: "That no longer exists.",
      409: "Someone changed this meanwhile. Reload and try again.", 429: "Too many requests. Try again shortly." };
    toast(messages[xhr.status] || "Something went wrong (" + xhr.status + "). Please try again.", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("You appear to be offline. Nothing was saved; try again.", "error");
  });

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-dismiss]");
    if (btn) btn.closest(".toast").remove();
    // close open menus when clicking elsewhere
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(evt.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") document.querySelectorAll("details.menu[open]").forEach(function (d) { d.removeAttribute("open"); });
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast").forEach(function (el) { setTimeout(function () { el.remove(); }, 6000); });
  });
})();
