// The pipeline board: drag a deal card to another stage (SortableJS), or focus a card
// and press Shift+ArrowRight / Shift+ArrowLeft. Either way the move is a POST to the
// card's data-move-url through htmx, which answers the whole refreshed board (#board).
// Each card's "Actions" menu does the same with plain forms, so it works without this.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function board() {
    return document.getElementById("board");
  }

  function moveCard(card, stageId) {
    var root = board();
    if (!root || !stageId) { return; }
    root.classList.add("board-wrap--busy");
    htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: card,
      target: "#board",
      swap: "outerHTML",
      values: { stage: stageId, owner: root.getAttribute("data-owner") || "" },
      headers: { "X-CSRFToken": csrfToken() }
    });
  }

  // After a refused move (409: the deal was closed meanwhile) the dragged card sits in
  // the wrong column: reload the board so it shows what the server holds.
  function refresh() {
    var root = board();
    if (!root) { return; }
    htmx.ajax("GET", root.getAttribute("data-refresh-url"), { target: "#board", swap: "outerHTML" });
  }

  function initBoard(root) {
    if (typeof Sortable === "undefined") { return; }
    root.querySelectorAll(".column__cards").forEach(function (list) {
      Sortable.create(list, {
        group: "deals",
        sort: false,              // cards are ordered by close date, not by hand
        draggable: ".dealcard",
        filter: ".dealcard__menu",
        preventOnFilter: false,   // the menu's inputs keep working
        delay: 180,               // on touch screens a long press drags, a swipe scrolls
        delayOnTouchOnly: true,
        animation: 120,
        ghostClass: "sortable-ghost",
        chosenClass: "sortable-chosen",
        onEnd: function (event) {
          if (event.from !== event.to) {
            moveCard(event.item, event.to.getAttribute("data-stage"));
          }
        }
      });
    });
    var focus = root.getAttribute("data-focus");
    var target = focus && document.getElementById(focus);
    if (target) {
      target.focus();
    }
  }

  // Keyboard: Shift+Arrow on a focused card moves it to the next / previous stage.
  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!event.shiftKey || !card.classList || !card.classList.contains("dealcard")) { return; }
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") { return; }
    var lists = Array.prototype.slice.call(document.querySelectorAll("#board .column__cards"));
    var index = lists.indexOf(card.closest(".column__cards"));
    var next = lists[index + (event.key === "ArrowRight" ? 1 : -1)];
    if (index < 0 || !next) { return; }
    event.preventDefault();
    moveCard(card, next.getAttribute("data-stage"));
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.target && event.detail.target.id === "board") {
      refresh();
    }
  });

  // SortableJS leaves style="" attributes (transforms) on the cards; when htmx swaps
  // the board it copies old attributes onto the new cards with the same id to settle
  // them, and setting a style attribute is an inline style the CSP refuses. Drop them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "board") {
      target.querySelectorAll("[style]").forEach(function (el) { el.removeAttribute("style"); });
    }
  });

  document.addEventListener("htmx:afterRequest", function () {
    var root = board();
    if (root) { root.classList.remove("board-wrap--busy"); }
  });

  // The deal form: <select data-stages="id_stage"> (the pipeline) shows only its own
  // stages in the stage select, whose option groups are labelled by pipeline name.
  function syncStages(select) {
    var stages = document.getElementById(select.getAttribute("data-stages"));
    var chosen = select.options[select.selectedIndex];
    if (!stages || !chosen) { return; }
    stages.querySelectorAll("optgroup").forEach(function (group) {
      var mine = group.label === chosen.text;
      group.hidden = !mine;
      group.disabled = !mine;
      if (!mine && stages.selectedIndex >= 0 && group.contains(stages.options[stages.selectedIndex])) {
        stages.value = "";
      }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-stages]")) {
      syncStages(event.target);
    }
  });

  htmx.onLoad(function (element) {
    if (element.querySelectorAll) {
      element.querySelectorAll("select[data-stages]").forEach(syncStages);
    }
    var root = element.id === "board" ? element : (element.querySelector && element.querySelector("#board"));
    if (root) { initBoard(root); }
  });
})();
