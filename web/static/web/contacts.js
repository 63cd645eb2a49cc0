// Contacts pages: the little behaviour htmx and app.js do not cover (no inline script).
(function () {
  "use strict";

  // Enter in the search box already refreshed the results over htmx (its "search"
  // event): no full page load on top of it. Without htmx the form submits as usual.
  document.addEventListener("submit", function (event) {
    if (event.target.id === "contact-filters" && window.htmx) {
      event.preventDefault();
    }
  });

  // "/" jumps to the contacts search box, like most list pages on the web.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) { return; }
    var search = document.getElementById("contact-search");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
})();
