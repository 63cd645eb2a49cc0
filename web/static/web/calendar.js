// The calendar (templates/web/calendar/calendar.html). Dragging an activity onto a day
// fills that day into the activity's own "Move to…" form and submits it, so a drag and
// the keyboard take the same path to the server (htmx posts the form with the CSRF
// header; without htmx the form posts and the page comes back). A mouse drags with
// HTML5 drag and drop; a finger or a pen with pointer events (below: press and hold,
// then drag, so that a swipe still scrolls the page). And the feed's Copy button. No
// inline script: the page's Content-Security-Policy stays strict.
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

  // Moves `item` to `day`: its form gets the day's date and is submitted.
  function moveTo(item, day) {
    day.classList.remove("cal-day--drop");
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
  }

  document.addEventListener("drop", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();
    moveTo(dragged, day);
  });

  // -- Touch and pen: pointer events ---------------------------------------------------
  // Press an activity for HOLD_MS without moving, then drag it: a copy follows the
  // finger, the day under it lights up, and lifting the finger there moves it. Moving
  // before then is a scroll, left to the browser. Esc or a cancelled pointer (the
  // browser took over) puts it back.
  var HOLD_MS = 300;
  var SLOP_PX = 8;
  var touch = null;  // {item, id, x, y, timer, dragging, ghost, over}

  function dayAt(x, y) {
    return dayOf(document.elementFromPoint(x, y));
  }

  function highlight(day) {
    if (touch.over === day) { return; }
    if (touch.over) { touch.over.classList.remove("cal-day--drop"); }
    touch.over = day;
    if (day) { day.classList.add("cal-day--drop"); }
  }

  function startTouchDrag() {
    touch.dragging = true;
    var rect = touch.item.getBoundingClientRect();
    var ghost = touch.item.cloneNode(true);
    ghost.removeAttribute("id");
    ghost.setAttribute("aria-hidden", "true");
    ghost.classList.add("cal-item--ghost");
    ghost.querySelectorAll("details, form").forEach(function (el) { el.remove(); });
    ghost.style.width = rect.width + "px";
    ghost.style.left = rect.left + "px";
    ghost.style.top = rect.top + "px";
    document.body.appendChild(ghost);
    touch.ghost = ghost;
    touch.offsetX = touch.x - rect.left;
    touch.offsetY = touch.y - rect.top;
    touch.item.classList.add("cal-item--dragging");
    if (navigator.vibrate) { navigator.vibrate(10); }
  }

  function endTouch(drop) {
    if (!touch) { return; }
    var state = touch;
    touch = null;
    window.clearTimeout(state.timer);
    if (state.ghost) { state.ghost.remove(); }
    state.item.classList.remove("cal-item--dragging");
    if (state.over) { state.over.classList.remove("cal-day--drop"); }
    if (drop && state.dragging && state.over) { moveTo(state.item, state.over); }
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse" || !event.isPrimary) { return; }  // mice: HTML5 drag
    var item = event.target.closest && event.target.closest(".cal-item[draggable=true]");
    if (!item || event.target.closest("details, a, button, input, select, textarea")) { return; }
    endTouch(false);
    touch = { item: item, id: event.pointerId, x: event.clientX, y: event.clientY, dragging: false };
    touch.timer = window.setTimeout(startTouchDrag, HOLD_MS);
  });

  document.addEventListener("pointermove", function (event) {
    if (!touch || event.pointerId !== touch.id) { return; }
    if (!touch.dragging) {
      if (Math.abs(event.clientX - touch.x) > SLOP_PX || Math.abs(event.clientY - touch.y) > SLOP_PX) {
        endTouch(false);  // a scroll, not a hold
      }
      return;
    }
    event.preventDefault();
    touch.ghost.style.left = (event.clientX - touch.offsetX) + "px";
    touch.ghost.style.top = (event.clientY - touch.offsetY) + "px";
    highlight(dayAt(event.clientX, event.clientY));
  });

  document.addEventListener("pointerup", function (event) {
    if (touch && event.pointerId === touch.id) {
      if (touch.dragging) {
        highlight(dayAt(event.clientX, event.clientY));
        event.preventDefault();
      }
      endTouch(true);
    }
  });
  document.addEventListener("pointercancel", function (event) {
    if (touch && event.pointerId === touch.id) { endTouch(false); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && touch) { endTouch(false); }
  });
  // While a finger drags, the page must not scroll under it (non-passive on purpose),
  // and a long press must not open the context menu or start a native drag.
  document.addEventListener("touchmove", function (event) {
    if (touch && touch.dragging && event.cancelable) { event.preventDefault(); }
  }, { passive: false });
  document.addEventListener("contextmenu", function (event) {
    if (touch) { event.preventDefault(); }
  });
  document.addEventListener("dragstart", function (event) {
    if (touch) { event.preventDefault(); }
  }, true);

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
