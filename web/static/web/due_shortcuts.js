// Due-date shortcuts (templates/web/_due_shortcuts.html): a button sets its field to
// its day, keeping the time of day already typed (9:00 when the field is empty). The
// day was worked out by the server in the account's time zone, so the browser's own
// zone never shifts it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-due-day]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-due-target"));
    if (!input) { return; }
    var time = (input.value.split("T")[1] || "09:00").slice(0, 5);
    input.value = button.getAttribute("data-due-day") + "T" + time;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    button.closest(".due-shortcuts").querySelectorAll("[data-due-day]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  });
})();
