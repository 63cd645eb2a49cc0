// Relay CRM: the little behaviour htmx does not cover. No inline handlers anywhere:
// everything hangs off data- attributes, so the Content-Security-Policy stays strict.
(function () {
  "use strict";

  // <button data-confirm="Delete 3 contacts?"> asks before submitting its form.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Checkbox "select all" for bulk actions: <input type=checkbox data-select-all="name">.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-select-all]")) {
      var name = el.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
      document.dispatchEvent(new CustomEvent("selection-changed"));
    } else if (el.matches("input[type=checkbox]")) {
      document.dispatchEvent(new CustomEvent("selection-changed"));
    }
  });

  // Elements with data-selection-count="name" show how many boxes named so are checked,
  // and [data-needs-selection] controls are disabled while none is.
  function refreshSelection() {
    document.querySelectorAll("[data-selection-count]").forEach(function (el) {
      var name = el.getAttribute("data-selection-count");
      var n = document.querySelectorAll('input[type=checkbox][name="' + name + '"]:checked').length;
      el.textContent = n ? n + " selected" : "";
      var bar = el.closest("[data-selection-bar]");
      if (bar) { bar.hidden = n === 0; }
    });
  }
  document.addEventListener("selection-changed", refreshSelection);
  document.addEventListener("htmx:afterSwap", refreshSelection);

  // A bulk delete button says how many records it will delete:
  // data-confirm-template="Delete {n} {noun}?" (data-noun-one="company",
  // data-noun-many="companies"; or "contact(s)") rewrites its data-confirm.
  function refreshConfirm() {
    document.querySelectorAll("[data-confirm-template]").forEach(function (button) {
      var form = button.form;
      var n = form ? document.querySelectorAll('input[type=checkbox][name="ids"][form="' + form.id + '"]:checked').length : 0;
      var noun = button.getAttribute(n === 1 ? "data-noun-one" : "data-noun-many") || "";
      var text = button.getAttribute("data-confirm-template")
        .replace("{n}", String(n))
        .replace("{noun}", noun)
        .replace("(s)", n === 1 ? "" : "s");
      button.setAttribute("data-confirm", text);
    });
  }
  document.addEventListener("selection-changed", refreshConfirm);
  document.addEventListener("htmx:afterSwap", refreshConfirm);

  // A message that offers an Undo (templates/web/_messages.html) leaves after its
  // data-dismiss-after seconds, but never while the pointer is over it or focus is in
  // it (WCAG 2.2.1): leaving it starts the count again. It can also be dismissed at
  // once. Without JavaScript it simply stays.
  function leave(item) {
    var flash = item.parentNode;
    if (item.contains(document.activeElement)) {
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    }
    item.remove();
    if (flash && !flash.querySelector(".flash__item")) { flash.remove(); }
  }
  function dismissLater(item) {
    item.setAttribute("data-dismissing", "");
    var seconds = parseFloat(item.getAttribute("data-dismiss-after")) || 10;
    var timer = null;
    var hovered = false;
    function held() { return hovered || item.contains(document.activeElement); }
    function stop() { window.clearTimeout(timer); }
    function start() {
      stop();
      timer = window.setTimeout(function () {
        if (!held()) { leave(item); }
      }, seconds * 1000);
    }
    item.addEventListener("mouseenter", function () { hovered = true; stop(); });
    item.addEventListener("mouseleave", function () { hovered = false; start(); });
    item.addEventListener("focusin", stop);
    item.addEventListener("focusout", function (event) {
      if (!item.contains(event.relatedTarget)) { start(); }
    });
    item.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { stop(); leave(item); });
    });
    start();
  }
  document.querySelectorAll("[data-dismiss-after]").forEach(dismissLater);
  // ... and one that an htmx answer brings (a row deleted in place, templates/web/
  // _row_deleted.html). The row that had focus is gone: focus goes to its Undo.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelectorAll) { return; }
    target.querySelectorAll("[data-dismiss-after]:not([data-dismissing])").forEach(function (item) {
      dismissLater(item);
      var undo = item.querySelector("button[type=submit]");
      // After the row's own swap, which follows this one in the same task.
      window.setTimeout(function () {
        var focused = document.activeElement;
        if (undo && (!focused || focused === document.body)) { undo.focus(); }
      }, 0);
    });
  });

  // A short message after htmx actions: the server sends HX-Trigger: {"toast": "Saved"}.
  document.addEventListener("toast", function (event) {
    var toast = document.getElementById("toast");
    if (!toast) { return; }
    toast.textContent = (event.detail && (event.detail.value || event.detail.message)) || "Done";
    toast.classList.add("toast--visible");
    window.clearTimeout(toast._timer);
    toast._timer = window.setTimeout(function () { toast.classList.remove("toast--visible"); }, 2600);
  });
})();
