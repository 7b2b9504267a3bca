// Stoa's small, CSP-clean glue, loaded on every page: the CSRF header, toasts that say what the
// server said, the page scripts an HTMX swap brings along, tab state and menus.
// Page modules (kanban.js, uploads.js) use window.stoa for the token, the toasts and the messages.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function headers(extra) {
    var h = { "X-CSRFToken": csrfToken() };
    for (var k in extra || {}) h[k] = extra[k];
    return h;
  }

  var FALLBACK = {
    0: "You appear to be offline. Nothing was saved; try again.",
    403: "You don't have permission to do that.",
    404: "That no longer exists.",
    409: "Someone changed this meanwhile. Reload and try again.",
    429: "Too many requests. Try again shortly.",
  };

  // The JSON envelope's words: the first field error if there is one, else its message.
  function envelopeMessage(body) {
    if (!body) return "";
    for (var field in body.errors || {}) {
      var list = body.errors[field];
      if (list && list[0]) return String(list[0]);
    }
    return body.message ? String(body.message) : "";
  }

  // What the server said about a failed request: the JSON envelope, or the error page's message.
  // A generic line only when the response says nothing we can show.
  function serverMessage(status, contentType, text) {
    var message = "";
    if (/json/i.test(contentType || "")) {
      try { message = envelopeMessage(JSON.parse(text)); } catch (e) { message = ""; }
    } else if (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var el = doc.querySelector("[data-error-message]");
      message = el ? el.textContent.trim() : "";
    }
    return message || FALLBACK[status] || "Something went wrong (" + status + "). Please try again.";
  }

  function xhrMessage(xhr) {
    return serverMessage(xhr.status, xhr.getResponseHeader("Content-Type"), xhr.responseText);
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

  window.stoa = {
    csrfToken: csrfToken,
    headers: headers,
    toast: toast,
    envelopeMessage: envelopeMessage,
    serverMessage: serverMessage,
  };

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

  function markActiveTab() {
    var path = window.location.pathname;
    var tabs = document.querySelectorAll(".tabbar a.tab, .tab-more-panel a");
    var matched = Array.prototype.some.call(tabs, function (a) {
      var href = a.getAttribute("href");
      return href && (path === href || path.indexOf(href + "/") === 0);
    });
    if (!matched) return; // a page under no tab's address (/admin/invoices/budgets) keeps the server's mark
    tabs.forEach(function (a) {
      var href = a.getAttribute("href");
      if (href && (path === href || path.indexOf(href + "/") === 0)) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    // "More" names the current tab when it waits in its menu (tiers as layouts/portal.html sets them)
    document.querySelectorAll(".tab-more").forEach(function (more) {
      var current = more.querySelector(".tab-more-panel a[aria-current]");
      var tier = current ? current.getAttribute("data-tier") : "";
      var levels = { wide: ["wide", "mid", "narrow"], mid: ["mid", "narrow"], narrow: ["narrow"] }[tier] || [];
      ["wide", "mid", "narrow"].forEach(function (t) { more.classList.toggle("cur-" + t, levels.indexOf(t) >= 0); });
      more.querySelector(".tab-more-name").textContent = current ? current.textContent : "";
      more.removeAttribute("open");
    });
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("htmx:afterSwap", function (evt) { loadPageScripts(evt.detail.target); });
  document.addEventListener("htmx:afterSettle", function (evt) {
    markActiveTab();
    if (evt.detail.target && evt.detail.target.id === "main") evt.detail.target.focus({ preventScroll: true });
  });
  // 422 swaps (a form re-rendered with its errors), unless it is the error page or the JSON
  // envelope: those say what went wrong in a toast and leave the page as it was.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status !== 422) return;
    var json = /json/i.test(xhr.getResponseHeader("Content-Type") || "");
    if (!json && xhr.responseText.indexOf("data-error-message") === -1) return;
    evt.detail.shouldSwap = false;
    toast(xhrMessage(xhr), "error");
  });
  document.addEventListener("htmx:responseError", function (evt) {
    toast(xhrMessage(evt.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(FALLBACK[0], "error");
  });

  // The bell opens a small panel (loaded over HTMX) with the latest notifications. Escape or a
  // click elsewhere closes it and focus returns to the bell.
  function bellPanel() { return document.getElementById("bell-panel"); }
  function closeBell(returnFocus) {
    var panel = bellPanel();
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    var bell = document.querySelector("[data-bell-panel]");
    if (bell) {
      bell.setAttribute("aria-expanded", "false");
      if (returnFocus) bell.focus();
    }
  }
  function openBell(bell) {
    var panel = bellPanel();
    if (!panel || !window.htmx) { window.location.href = "/notifications"; return; }
    bell.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    htmx.ajax("GET", bell.getAttribute("data-bell-panel"), { target: panel, swap: "innerHTML" });
  }
  // once the panel's content is in (opened, or re-rendered by "mark all read"), focus moves into it
  document.addEventListener("htmx:afterSettle", function (evt) {
    var panel = bellPanel();
    if (!panel || panel.hidden || evt.detail.target !== panel || panel.contains(document.activeElement)) return;
    var first = panel.querySelector("button, a");
    if (first) first.focus();
  });

  document.addEventListener("click", function (evt) {
    var bell = evt.target.closest("[data-bell-panel]");
    if (bell) {
      if (bellPanel() && !bellPanel().hidden) closeBell(false); else openBell(bell);
    } else if (bellPanel() && !bellPanel().contains(evt.target)) {
      closeBell(false);
    }
    var btn = evt.target.closest("[data-dismiss]");
    if (btn) btn.closest(".toast").remove();
    // close open menus when clicking elsewhere
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(evt.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      var inside = d.contains(document.activeElement);
      d.removeAttribute("open");
      if (inside) d.querySelector("summary").focus(); // keyboard users land where they opened it
    });
    closeBell(true);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast").forEach(function (el) { setTimeout(function () { el.remove(); }, 6000); });
  });
})();
