// The task drawer as a modal dialog: focus moves into it when it opens and back to what opened
// it when it closes, Tab stays inside it, Escape or a click on the backdrop closes it (through its
// close link, which also restores the board's URL). The drawer is swapped in by HTMX, so the
// opener is remembered by its href: the board behind is re-rendered on close.
(function () {
  "use strict";
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  var openerHref = null;
  var wasOpen = false;
  var focusedId = null;

  function dialog() { return document.querySelector('#task-drawer[role="dialog"]'); }

  function focusables(box) {
    return Array.prototype.filter.call(box.querySelectorAll(FOCUSABLE), function (el) {
      return el.getClientRects().length > 0 && !el.closest("[hidden]");
    });
  }

  function close() {
    var link = document.querySelector("#task-drawer .drawer-close");
    if (link) link.click();
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var target = evt.detail && evt.detail.target;
    var elt = evt.detail && evt.detail.elt;
    var box = dialog();
    if (box && box.contains(document.activeElement)) focusedId = document.activeElement.id || null;
    if (!target || target.id !== "drawer-slot" || !elt || (box && box.contains(elt))) return;
    openerHref = elt.getAttribute("href") || elt.getAttribute("hx-get");
  });

  document.addEventListener("htmx:afterSettle", function () {
    var box = dialog();
    if (box && !wasOpen) {
      wasOpen = true;
      box.focus();
    } else if (box) {
      // the drawer re-rendered itself (a comment, a status, an upload): keep focus inside it
      var again = focusedId && document.getElementById(focusedId);
      if (!box.contains(document.activeElement)) (again && box.contains(again) ? again : box).focus();
    } else if (wasOpen) {
      wasOpen = false;
      var opener = null;
      if (openerHref) {
        document.querySelectorAll("#main a[href]").forEach(function (a) {
          if (!opener && a.getAttribute("href") === openerHref) opener = a;
        });
      }
      if (opener) opener.focus();
    }
    focusedId = null;
  });

  document.addEventListener("keydown", function (evt) {
    // Escape closes the drawer, and the task opened as a page too (back to its board)
    if (evt.key === "Escape" && !evt.defaultPrevented && document.getElementById("task-drawer")) {
      evt.preventDefault();
      close();
      return;
    }
    var box = dialog();
    if (!box || evt.key !== "Tab") return;
    var items = focusables(box);
    if (!items.length) { evt.preventDefault(); box.focus(); return; }
    var first = items[0];
    var last = items[items.length - 1];
    var active = document.activeElement;
    if (evt.shiftKey && (active === first || active === box || !box.contains(active))) {
      evt.preventDefault();
      last.focus();
    } else if (!evt.shiftKey && (active === last || !box.contains(active))) {
      evt.preventDefault();
      first.focus();
    }
  });

  // Focus that leaves the open drawer (a click behind it) comes back to it.
  document.addEventListener("focusin", function (evt) {
    var box = dialog();
    if (box && !box.contains(evt.target)) box.focus();
  });

  document.addEventListener("click", function (evt) {
    if (evt.target.classList && evt.target.classList.contains("drawer-backdrop")) close();
  });

  // A drawer already open when the script arrives (a page reload keeps the URL of a board).
  function init() { if (dialog()) { wasOpen = true; } }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
