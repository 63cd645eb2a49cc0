// The calendar (templates/web/calendar/calendar.html). Dragging an activity onto a day
// fills that day into the activity's own "Move to…" form and submits it, so a drag and
// the keyboard take the same path to the server (htmx posts the form with the CSRF
// header; without htmx the form posts and the page comes back). And the feed's Copy
// button. No inline script: the page's Content-Security-Policy stays strict.
(function () {
  "use strict";

  var dragged = null;

  function dayOf(target) {
    return target && target.closest ? target.closest(".cal-day[data-date]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".cal-item[draggable=true]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("cal-item--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-activity"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("cal-item--dragging"); }
    dragged = null;
    document.querySelectorAll(".cal-day--drop").forEach(function (day) {
      day.classList.remove("cal-day--drop");
    });
  });

  document.addEventListener("dragover", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();  // this day accepts the drop
    event.dataTransfer.dropEffect = "move";
    day.classList.add("cal-day--drop");
  });

  document.addEventListener("dragleave", function (event) {
    var day = dayOf(event.target);
    if (day && !day.contains(event.relatedTarget)) { day.classList.remove("cal-day--drop"); }
  });

  document.addEventListener("drop", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();
    day.classList.remove("cal-day--drop");
    var item = dragged;
    var form = item.querySelector("form.cal-move__form");
    var date = day.getAttribute("data-date");
    if (!form || form.elements.date.value === date) { return; }
    form.elements.date.value = date;
    // Shown at once; the grid reloads from the server when the move is saved.
    var list = day.querySelector(".cal-day__items");
    if (!list) {
      list = document.createElement("ul");
      list.className = "cal-day__items";
      day.appendChild(list);
    }
    list.appendChild(item);
    form.requestSubmit();
  });

  // A failed move puts the grid back as the server has it.
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("cal-move__form")) {
      document.body.dispatchEvent(new CustomEvent("activity-changed"));
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    function done(text) { if (status) { status.textContent = text; } }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { done("Copied."); },
        function () { done("Press Ctrl+C (⌘C) to copy."); }
      );
    } else {
      done(document.execCommand("copy") ? "Copied." : "Press Ctrl+C (⌘C) to copy.");
    }
  });
})();
