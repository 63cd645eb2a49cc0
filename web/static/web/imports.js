// The CSV import pages: a size check before uploading, busy buttons, the column
// matcher's highlighting. No inline handlers (strict Content-Security-Policy).
(function () {
  "use strict";

  function formatMB(bytes) { return (bytes / 1024 / 1024).toFixed(1) + " MB"; }

  // <form data-upload-form data-max-bytes="..."> refuses a too-large file before sending
  // it, and disables its buttons while the upload runs so it is not sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-upload-form]")) { return; }
    var input = form.querySelector("input[type=file]");
    var errors = form.querySelector("[data-file-error]");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var file = input && input.files && input.files[0];
    if (file && max && file.size > max) {
      event.preventDefault();
      if (errors) {
        errors.innerHTML = "";
        var item = document.createElement("li");
        item.textContent = "The file is " + formatMB(file.size) + "; the limit is " +
          formatMB(max) + ". Split it into smaller files.";
        errors.appendChild(item);
      }
      input.focus();
      return;
    }
  });

  // Any import form: the clicked button says what is happening and cannot be clicked twice.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-busy-label")) { return; }
    window.setTimeout(function () {
      button.setAttribute("data-label", button.textContent);
      button.textContent = button.getAttribute("data-busy-label");
      button.disabled = true;
    }, 0);
  });

  // Coming back with the browser's Back button: buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-label]").forEach(function (button) {
      button.textContent = button.getAttribute("data-label");
      button.disabled = false;
    });
  });

  // The column matcher: a mapped column stands out from an ignored one.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches(".import-map__select")) {
      select.classList.toggle("is-mapped", select.value !== "");
    }
  });

  // When a running import finishes, the polled region is replaced by its result: move
  // the focus to its heading so keyboard and screen-reader users land on it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var state = document.getElementById("import-state");
    if (!state || state.hasAttribute("hx-get") || !event.target.isConnected) { return; }
    var heading = state.querySelector("h2");
    if (heading && document.activeElement === document.body) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
