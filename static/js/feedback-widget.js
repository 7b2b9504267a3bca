/* Stoa feedback widget, for a client's own site:
 *
 *   <script src="https://PORTAL/widget/embed.js" data-widget="WIDGET_KEY" async></script>
 *
 * Adds a "Feedback" button at the bottom right; it opens the widget's page in an iframe (which
 * only the origins listed for the widget may frame). No inline code, no globals, no cookies:
 * styles are set through the DOM, so a strict Content-Security-Policy on the host page needs
 * only `script-src` and `frame-src` to allow the portal's origin.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset || !script.dataset.widget) return;
  var key = script.dataset.widget;
  var origin = new URL(script.src, window.location.href).origin;
  var accent = /^#[0-9a-fA-F]{3,6}$/.test(script.dataset.color || "") ? script.dataset.color : "#4f46e5";
  var label = (script.dataset.label || "Feedback").slice(0, 40);

  function css(el, rules) {
    Object.keys(rules).forEach(function (name) { el.style[name] = rules[name]; });
  }

  function mount() {
    if (document.querySelector('[data-stoa-feedback="' + CSS.escape(key) + '"]')) return;
    var root = document.createElement("div");
    root.setAttribute("data-stoa-feedback", key);
    css(root, { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
                display: "flex", flexDirection: "column", alignItems: "flex-end", gap: "8px" });

    var panelId = "stoa-feedback-" + key.replace(/[^A-Za-z0-9_-]/g, "");
    var frame = null;

    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panelId);
    css(button, { font: "600 15px/1.2 system-ui, sans-serif", color: "#fff", background: accent,
                  border: "0", borderRadius: "999px", padding: "12px 18px", cursor: "pointer",
                  boxShadow: "0 4px 14px rgba(0,0,0,.18)" });

    function size() {
      if (!frame) return;
      var narrow = window.matchMedia("(max-width: 480px)").matches;
      css(frame, { width: narrow ? "calc(100vw - 32px)" : "360px",
                   height: narrow ? "min(70vh, 460px)" : "460px" });
    }

    function open() {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.id = panelId;
        frame.title = label;
        frame.src = origin + "/widget/" + encodeURIComponent(key) +
          "?page=" + encodeURIComponent(window.location.href.slice(0, 500));
        frame.setAttribute("loading", "eager");
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        css(frame, { border: "0", borderRadius: "12px", background: "#fff",
                     boxShadow: "0 12px 32px rgba(0,0,0,.22)" });
        size();
        root.insertBefore(frame, button);
        window.addEventListener("resize", size);
      }
      frame.hidden = false;
      button.setAttribute("aria-expanded", "true");
    }

    function close() {
      if (frame) frame.hidden = true;
      button.setAttribute("aria-expanded", "false");
    }

    button.addEventListener("click", function () {
      if (button.getAttribute("aria-expanded") === "true") close(); else open();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        close();
        button.focus();
      }
    });
    // Escape pressed inside the panel: the iframe's page asks to close (feedback-widget-frame.js).
    window.addEventListener("message", function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
      if (event.data && event.data.stoa === "feedback-close") {
        close();
        button.focus();
      }
    });
    root.appendChild(button);
    document.body.appendChild(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
