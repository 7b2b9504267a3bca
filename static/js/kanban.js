// The task board: drag and drop (SortableJS) and the per-card status select, both persisted with
// one POST per move. The card moves at once (optimistic); when the server refuses, it goes back
// where it was and a toast gives the server's reason. CSP-clean: no inline code, no inline styles.
(function () {
  "use strict";

  function toast(message) {
    window.stoa.toast(message, "error");
  }

  function listFor(board, status) {
    return board.querySelector('.kanban-list[data-status="' + status + '"]');
  }

  function ids(list) {
    return Array.prototype.map.call(list.querySelectorAll(".task-card"), function (el) {
      return el.getAttribute("data-task-id");
    });
  }

  function refreshCounts(board) {
    board.querySelectorAll(".kanban-col").forEach(function (col) {
      var count = col.querySelector("[data-count]");
      var n = col.querySelectorAll(".task-card").length;
      // cards past the column's first page are counted by the server, not shown
      var hidden = count ? parseInt(count.getAttribute("data-hidden") || "0", 10) || 0 : 0;
      if (count) count.textContent = String(n + hidden);
      col.classList.toggle("is-empty", n === 0);
    });
  }

  function settle(card, status) {
    card.setAttribute("data-status", status);
    var select = card.querySelector(".task-status-select");
    if (select) select.value = status;
  }

  // Put the card back exactly where it was before the refused move.
  function rollback(board, card, fromList, oldIndex, fromStatus) {
    var sibling = fromList.querySelectorAll(".task-card")[oldIndex];
    if (sibling && sibling !== card) fromList.insertBefore(card, sibling);
    else fromList.appendChild(card);
    settle(card, fromStatus);
    refreshCounts(board);
  }

  function persist(board, card, fromList, oldIndex) {
    var toList = card.parentElement;
    var fromStatus = card.getAttribute("data-status");
    var status = toList.getAttribute("data-status");
    var body = new URLSearchParams();
    body.set("status", status);
    body.set("from_status", fromStatus);
    body.set("order", ids(toList).join(","));
    settle(card, status);
    refreshCounts(board);
    card.classList.add("is-saving");
    return fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: window.stoa.headers(),
    })
      .then(function (res) {
        // success answers with a redirect to the task (which we don't follow)
        if (res.type === "opaqueredirect" || res.ok) {
          card.classList.remove("is-saving");
          return;
        }
        card.classList.remove("is-saving");
        rollback(board, card, fromList, oldIndex, fromStatus);
        return res.text().then(function (text) {
          toast(window.stoa.serverMessage(res.status, res.headers.get("Content-Type"), text));
        });
      })
      .catch(function () {
        card.classList.remove("is-saving");
        rollback(board, card, fromList, oldIndex, fromStatus);
        toast("You appear to be offline. The move wasn't saved.");
      });
  }

  function initBoard(board) {
    if (board.getAttribute("data-kanban-ready") === "1") return;
    board.setAttribute("data-kanban-ready", "1");
    refreshCounts(board);
    if (board.getAttribute("data-can-move") !== "true" || !window.Sortable) return;
    board.querySelectorAll(".kanban-list").forEach(function (list) {
      window.Sortable.create(list, {
        group: "tasks",
        handle: ".drag-handle",
        draggable: ".task-card",
        animation: 150,
        // pointer events instead of native HTML5 drag: same behaviour for mouse, touch and pen
        forceFallback: true,
        fallbackTolerance: 3,
        ghostClass: "is-ghost",
        chosenClass: "is-chosen",
        dragClass: "is-dragging",
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          persist(board, evt.item, evt.from, evt.oldIndex);
        },
      });
    });
    // Keyboard (and screen reader) access: the status select on each card moves it too.
    board.addEventListener("change", function (evt) {
      var select = evt.target.closest(".task-status-select");
      if (!select) return;
      var card = select.closest(".task-card");
      var fromList = card.parentElement;
      var oldIndex = Array.prototype.indexOf.call(fromList.querySelectorAll(".task-card"), card);
      var target = listFor(board, select.value);
      if (!target || target === fromList) return;
      target.appendChild(card);
      persist(board, card, fromList, oldIndex).then(function () { select.focus(); });
    });
  }

  // The drawer's status select moved a task: move its card on the board behind the drawer.
  document.addEventListener("stoa:task-moved", function (evt) {
    var detail = evt.detail || {};
    document.querySelectorAll(".kanban").forEach(function (board) {
      var card = board.querySelector('.task-card[data-task-id="' + detail.id + '"]');
      var target = listFor(board, detail.status);
      if (!card || !target) return;
      if (card.parentElement !== target) target.appendChild(card);
      settle(card, detail.status);
      refreshCounts(board);
    });
  });

  function initAll() {
    document.querySelectorAll(".kanban").forEach(initBoard);
  }

  // This script may arrive after the page did (an HTMX tab swap loads it on demand).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  document.addEventListener("htmx:afterSettle", initAll);
})();
