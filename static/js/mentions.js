// @mention autocomplete for textareas marked data-mention-url (notes, replies, comments): typing
// "@" and a letter or two asks the server (HTMX, debounced) for the people who can see the item,
// shown as an ARIA combobox + listbox. ArrowUp/ArrowDown move, Enter or Tab picks, Escape closes;
// the pick inserts the token the server's mention parser resolves to that person.
(function () {
  "use strict";
  var DELAY = 200;
  var TOKEN = /(?:^|[^\w@/])@([A-Za-z][\w.-]*)$/;
  var seq = 0;

  function setup(area) {
    if (area.dataset.mentionReady) return;
    area.dataset.mentionReady = "1";
    var id = area.id || ("mention-" + (++seq));
    var list = document.createElement("ul");
    list.id = id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    area.setAttribute("role", "combobox");
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-expanded", "false");
    area.setAttribute("aria-controls", list.id);
    var timer = null;
    var asked = "";

    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')); }
    function active() { return list.querySelector('[aria-selected="true"]'); }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      asked = "";
      area.setAttribute("aria-expanded", "false");
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(opt) {
      options().forEach(function (o) { o.setAttribute("aria-selected", o === opt ? "true" : "false"); });
      if (opt) {
        area.setAttribute("aria-activedescendant", opt.id);
        opt.scrollIntoView({ block: "nearest" });
      } else area.removeAttribute("aria-activedescendant");
    }

    function current() {
      var m = TOKEN.exec(area.value.slice(0, area.selectionStart));
      return m ? m[1] : null;
    }

    function pick(opt) {
      var caret = area.selectionStart;
      var before = area.value.slice(0, caret);
      var at = before.lastIndexOf("@");
      var insert = "@" + opt.dataset.token + " ";
      area.value = before.slice(0, at) + insert + area.value.slice(caret);
      var pos = at + insert.length;
      area.setSelectionRange(pos, pos);
      close();
      area.dispatchEvent(new Event("input", { bubbles: true }));
      area.focus();
    }

    function ask() {
      var q = current();
      if (!q) { close(); return; }
      if (q === asked) return;
      asked = q;
      var url = area.dataset.mentionUrl + (area.dataset.mentionUrl.indexOf("?") < 0 ? "?" : "&") +
        "q=" + encodeURIComponent(q) + "&for=" + encodeURIComponent(list.id);
      window.htmx.ajax("GET", url, { target: list, swap: "innerHTML" }).then(function () {
        if (current() !== q) return;
        var any = list.children.length > 0;
        list.hidden = !any;
        area.setAttribute("aria-expanded", any && options().length ? "true" : "false");
        highlight(null);
      });
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      if (current() === null) { close(); return; }
      timer = setTimeout(ask, DELAY);
    });
    area.addEventListener("keydown", function (evt) {
      if (list.hidden) return;
      var opts = options();
      var i = opts.indexOf(active());
      if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
        if (!opts.length) return;
        evt.preventDefault();
        var step = evt.key === "ArrowDown" ? 1 : -1;
        highlight(opts[(i + step + opts.length + (i < 0 && step < 0 ? 1 : 0)) % opts.length]);
      } else if ((evt.key === "Enter" || evt.key === "Tab") && (i >= 0 || (evt.key === "Tab" && opts.length))) {
        evt.preventDefault();
        pick(opts[Math.max(i, 0)]);
      } else if (evt.key === "Escape") {
        evt.preventDefault();  // closes the list only, not the dialog around it
        evt.stopPropagation();
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (evt) {
      var opt = evt.target.closest('[role="option"]:not([aria-disabled="true"])');
      evt.preventDefault();  // keep focus (and the caret) in the textarea
      if (opt) pick(opt);
    });
  }

  function init() { document.querySelectorAll("textarea[data-mention-url]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();
