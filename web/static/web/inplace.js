// Fields edited in place (templates/web/_field_edit.html, web/field_edits.py): Enter
// saves (Ctrl+Enter in a text area, where Enter is a new line), Esc cancels; the box
// that comes back takes the focus (the field when the form opens, the value again
// once saved or cancelled), and a refused save (400 with the errors, 409 with the
// conflict notice) is shown in place of the form instead of as a request error.
(function () {
  "use strict";

  function inplaceForm(element) {
    return element && element.closest ? element.closest("form[data-inplace]") : null;
  }

  document.addEventListener("keydown", function (event) {
    var form = inplaceForm(event.target);
    if (!form || event.isComposing) { return; }
    var target = event.target;
    if (event.key === "Escape") {
      var cancel = form.querySelector("[data-inplace-cancel]");
      if (cancel) {
        event.preventDefault();
        event.stopPropagation();
        cancel.click();
      }
      return;
    }
    if (event.key !== "Enter" || target.matches("button, a, [type=button], [type=submit]")) { return; }
    var isText = target.tagName === "TEXTAREA";
    if (isText && !(event.ctrlKey || event.metaKey)) { return; }
    if (target.matches("input, select, textarea")) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var config = event.detail.requestConfig;  // htmx 2: the requesting element is here
    var source = (config && config.elt) || event.detail.elt;
    if ((status === 400 || status === 409) && inplaceForm(source)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function focusIn(box) {
    if (box.matches(".inplace--editing")) {
      var conflict = box.querySelector("#edit-conflict");
      var invalid = box.querySelector(".field--error input, .field--error select, .field--error textarea");
      var control = conflict || invalid ||
        box.querySelector(".field input:not([type=hidden]), .field select, .field textarea");
      if (control) { control.focus(); }
      if (control && !conflict && control.select && control.type === "text") { control.select(); }
      return;
    }
    var link = box.querySelector("[data-inplace-focus]");
    if (link) { link.focus(); }
  }

  document.addEventListener("htmx:load", function (event) {
    var box = event.detail && event.detail.elt;
    if (box && box.matches && box.matches(".inplace")) { focusIn(box); }
  });
})();
