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

  // -- Requests that fail --------------------------------------------------------------
  // A failed htmx request (an error status, no connection, a timeout) says so in
  // #request-error (templates/base.html), a live region, as a role="alert" message that
  // screen readers announce, until it is dismissed or the next failure replaces it. An answer that
  // explains itself with a toast (HX-Trigger) is left to the toast.
  function showRequestError(message) {
    var region = document.getElementById("request-error");
    if (!region) { return; }
    region.textContent = "";  // emptied first, so that the same message is announced again
    var box = document.createElement("div");
    box.className = "request-error__box";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.className = "request-error__text";
    text.textContent = message;
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "btn btn--small btn--ghost";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () {
      region.textContent = "";
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    });
    box.append(text, dismiss);
    region.append(box);
  }

  function failureMessage(xhr) {
    var status = xhr.status;
    var body = (xhr.responseText || "").trim();
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    if (plain && body && body.length <= 300) { return body; }  // the server's own words
    if (status === 403) { return "You are not allowed to do that."; }
    if (status === 404) { return "That record no longer exists. Reload the page to see what is there now."; }
    if (status === 409 || status === 412) { return "Someone changed this meanwhile. Reload the page and try again."; }
    if (status === 413) { return "That is too large to send."; }
    if (status === 429) { return "Too many requests. Wait a moment and try again."; }
    if (status >= 500) {
      return "Something went wrong on our side (error " + status + "). Your change may not have been saved: try again.";
    }
    return "The request was refused (error " + status + "). Reload the page and try again.";
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (/"toast"/.test(xhr.getResponseHeader("HX-Trigger") || "")) { return; }
    showRequestError(failureMessage(xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("Could not reach the server. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    showRequestError("The server took too long to answer. Try again.");
  });

  // -- Requests in flight --------------------------------------------------------------
  // The button that sent a request (the clicked one, a form's submitter, else the form's
  // first submit button) is aria-busy until the answer arrives; app.css shows a spinner.
  function controlOf(detail) {
    var elt = detail.elt;
    if (elt.matches("button, input[type=submit], a")) { return elt; }
    var trigger = detail.requestConfig && detail.requestConfig.triggeringEvent;
    if (trigger && trigger.submitter) { return trigger.submitter; }
    if (elt.tagName === "FORM") { return elt.querySelector("button[type=submit], button:not([type])"); }
    return null;
  }
  var busy = new WeakMap();
  document.addEventListener("htmx:beforeSend", function (event) {
    var control = controlOf(event.detail);
    if (!control) { return; }
    control.setAttribute("aria-busy", "true");
    busy.set(event.detail.elt, control);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var control = busy.get(event.detail.elt);
    if (control) {
      control.removeAttribute("aria-busy");
      busy.delete(event.detail.elt);
    }
  });

  // -- Menus -------------------------------------------------------------------------
  // <details data-menu>: Escape closes the open menu and gives the focus back to its
  // summary; a click outside closes it (focus back to the summary if it was inside);
  // opening one closes the others, and tabbing out of one closes it.
  function closeMenu(menu, refocus) {
    menu.open = false;
    if (refocus) { menu.querySelector("summary").focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      closeMenu(menu, menu.contains(document.activeElement));
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu.contains(event.target)) { return; }
      var hadFocus = menu.contains(document.activeElement) || document.activeElement === document.body;
      closeMenu(menu, hadFocus && !event.target.closest("a, button, input, select, textarea, summary, [tabindex]"));
    });
  });
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details[data-menu]") || !menu.open) { return; }
    document.querySelectorAll("details[data-menu][open]").forEach(function (other) {
      if (other !== menu) { other.open = false; }
    });
  }, true);
  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest("details[data-menu][open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) { menu.open = false; }
  });
})();
