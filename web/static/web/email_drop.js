// "Log an email" on a record's timeline: an .eml file dropped on the drop zone is put in
// the form's file input and submitted at once (htmx sends it as multipart). Choosing the
// file with the input and pressing "Log email" does the same for keyboards and without
// JavaScript. Listeners hang off the document, so forms htmx swaps in work too; no
// inline handlers (strict Content-Security-Policy).
(function () {
  "use strict";
  if (window.relayEmailDrop) { return; }  // loaded once per page
  window.relayEmailDrop = true;

  function zoneOf(event) {
    return event.target instanceof Element ? event.target.closest("[data-email-drop]") : null;
  }

  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function say(zone, text) {
    var status = zone.querySelector("[data-email-drop-status]");
    if (status) { status.textContent = text; }
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = zoneOf(event);
      if (!zone || !carriesFiles(event)) { return; }
      event.preventDefault();  // allows the drop
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("email-drop--over");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("email-drop--over"); }
  });

  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event);
    if (!zone || !carriesFiles(event)) { return; }
    event.preventDefault();  // the browser would open the file instead
    zone.classList.remove("email-drop--over");
    var files = event.dataTransfer.files;
    var input = zone.querySelector("input[type=file]");
    var form = zone.closest("form");
    if (!input || !form || !files.length) { return; }
    if (files.length > 1) {
      say(zone, "Drop one email at a time.");
      return;
    }
    var max = parseInt(zone.getAttribute("data-max-bytes"), 10);
    if (max && files[0].size > max) {
      say(zone, "The file is too large: the limit is " + zone.getAttribute("data-max-size") + ".");
      return;
    }
    input.files = files;
    say(zone, "Logging " + files[0].name + "…");
    form.requestSubmit();
  });
})();
