// A pipeline's settings page: drag a stage by its handle to reorder the stages
// (SortableJS). The order is the hidden `stages` inputs of the rows, which belong to
// the #stage-order form: after a drop, the form is submitted through htmx, which
// answers the refreshed #stages section. The Move up / Move down buttons are the
// keyboard's (and the no-JavaScript) way; focus stays on the button pressed.
(function () {
  "use strict";

  var focusId = null;

  function initStages(root) {
    var list = root.querySelector("[data-sortable]");
    var form = document.getElementById("stage-order");
    if (!list || !form || typeof Sortable === "undefined") { return; }
    Sortable.create(list, {
      handle: ".stage__handle",
      draggable: ".stage",
      animation: 120,
      ghostClass: "sortable-ghost",
      chosenClass: "sortable-chosen",
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) {
          root.classList.add("stages--busy");
          form.requestSubmit();
        }
      }
    });
  }

  // Remember the focused control, so that after the swap the same one (by id) has it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    focusId = active && active.id && active.closest("#stages") ? active.id : null;
  });

  // SortableJS leaves style="" attributes (transforms) on the rows; htmx copies old
  // attributes onto new elements of the same id when settling, and a style attribute
  // is an inline style the CSP refuses. Drop them before the swap.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "stages") {
      target.querySelectorAll("[style]").forEach(function (el) { el.removeAttribute("style"); });
      // Show the stages as the server holds them even after a refusal (409, 400).
      if (event.detail.xhr.status === 409 || event.detail.xhr.status === 400) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    }
  });

  htmx.onLoad(function (element) {
    var root = element.id === "stages" ? element : (element.querySelector && element.querySelector("#stages"));
    if (!root) { return; }
    initStages(root);
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target && target.disabled) {  // moved to the end: its other button
        target = document.getElementById(focusId.replace(/-(up|down)$/, function (m, d) {
          return d === "up" ? "-down" : "-up";
        }));
      }
      if (target) { target.focus(); }
      focusId = null;
    }
  });
})();
