// Search-as-you-type pickers: every <select data-picker="/pickers/contacts/"> (the
// PickerSelect widget, web/form_fields.py) gets a combobox in front of it, after the
// WAI-ARIA APG "editable combobox with list autocomplete" pattern: the input has
// role=combobox, aria-expanded, aria-controls and aria-activedescendant; the popup is a
// listbox of options; Down/Up/Home/End move, Enter picks, Escape closes (then clears).
// The server renders the options (web/pickers/views.py); the select stays in the form,
// hidden, and is what posts the id, so forms, validation and htmx work unchanged.
// A live region says how many results there are. No inline script or style (CSP).
(function () {
  "use strict";

  var DELAY = 150; // ms after the last keystroke before asking the server
  var counter = 0;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function Picker(select) {
    this.select = select;
    this.url = select.getAttribute("data-picker");
    this.createUrl = select.getAttribute("data-picker-create");
    this.noun = select.getAttribute("data-picker-noun") || "record";
    this.timer = null;
    this.request = null;
    this.build();
  }

  Picker.prototype.build = function () {
    var select = this.select;
    var id = select.id || "picker-" + (++counter);
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "_picker";
    input.className = "picker__input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "_listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.placeholder = "Type to search…";
    ["aria-describedby", "aria-invalid", "required"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    var listbox = document.createElement("ul");
    listbox.id = id + "_listbox";
    listbox.className = "picker__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var error = document.createElement("p");
    error.className = "field__error picker__error";
    error.setAttribute("role", "alert");
    error.hidden = true;

    // The label names the combobox now; the select, hidden, only carries the value.
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label) {
      label.htmlFor = input.id;
      if (!label.id) { label.id = id + "_label"; }
      listbox.setAttribute("aria-labelledby", label.id);
    }
    select.hidden = true;
    select.setAttribute("data-picker-ready", "");
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(listbox);
    wrapper.appendChild(status);
    wrapper.appendChild(error);
    wrapper.appendChild(select);
    this.input = input;
    this.listbox = listbox;
    this.status = status;
    this.error = error;
    this.active = -1;
    input.value = this.chosenLabel();
    if (select.hasAttribute("autofocus")) { input.autofocus = true; }

    var self = this;
    input.addEventListener("input", function () { self.schedule(); });
    input.addEventListener("keydown", function (event) { self.onKey(event); });
    input.addEventListener("blur", function () { self.onBlur(); });
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the input
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.choose(option); }
    });
  };

  Picker.prototype.chosenLabel = function () {
    var option = this.select.options[this.select.selectedIndex];
    return option && option.value ? option.text : "";
  };

  Picker.prototype.options = function () {
    return Array.prototype.slice.call(this.listbox.querySelectorAll("[role=option]"));
  };

  Picker.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.search(); }, DELAY);
  };

  Picker.prototype.search = function () {
    var self = this;
    var params = new URLSearchParams({ q: this.input.value });
    var company = this.select.getAttribute("data-company");
    if (company) { params.set("company", company); }
    if (this.request) { this.request.abort(); }
    var request = new AbortController();
    this.request = request;
    fetch(this.url + "?" + params.toString(), {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      signal: request.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      if (self.request !== request) { return; }
      self.listbox.innerHTML = html; // server-rendered and escaped
      self.options().forEach(function (option, index) {
        option.id = self.listbox.id + "_" + index;
        option.setAttribute("aria-selected", "false");
      });
      self.open();
      self.announce();
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        self.status.textContent = "Search failed. Try again.";
      }
    });
  };

  Picker.prototype.announce = function () {
    var found = this.listbox.querySelectorAll("[data-value]").length;
    var create = this.listbox.querySelector("[data-create]");
    var text = found === 0 ? "No results." : found === 1 ? "1 result." : found + " results.";
    if (create) { text += " " + create.textContent.trim() + " is offered."; }
    this.status.textContent = text;
  };

  Picker.prototype.open = function () {
    var empty = this.options().length === 0;
    this.listbox.hidden = empty;
    this.input.setAttribute("aria-expanded", empty ? "false" : "true");
    this.move(empty ? -1 : 0);
  };

  Picker.prototype.close = function () {
    clearTimeout(this.timer);
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Picker.prototype.isOpen = function () { return !this.listbox.hidden; };

  Picker.prototype.move = function (index) {
    var options = this.options();
    options.forEach(function (option) { option.setAttribute("aria-selected", "false"); });
    if (index < 0 || !options.length) {
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    this.active = Math.max(0, Math.min(index, options.length - 1));
    var option = options[this.active];
    option.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.onKey = function (event) {
    var open = this.isOpen();
    var last = this.options().length - 1;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open || event.altKey) { this.search(); } else { this.move(this.active + 1 > last ? 0 : this.active + 1); }
        break;
      case "ArrowUp":
        event.preventDefault();
        if (open) { this.move(this.active <= 0 ? last : this.active - 1); }
        break;
      case "Home":
        if (open) { event.preventDefault(); this.move(0); }
        break;
      case "End":
        if (open) { event.preventDefault(); this.move(last); }
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault(); // pick, do not submit the form
          this.choose(this.options()[this.active]);
        }
        break;
      case "Escape":
        // First the list (and any search still on its way) and the typed text go,
        // back to the choice; pressed again, the text is cleared (no choice on leaving).
        clearTimeout(this.timer);
        if (this.request) { this.request.abort(); this.request = null; }
        if (open || this.input.value !== this.chosenLabel()) {
          event.preventDefault();
          this.close();
          this.input.value = this.chosenLabel();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
        }
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  Picker.prototype.onBlur = function () {
    this.close();
    if (!this.input.value.trim()) {
      this.setValue("", ""); // emptied: no choice
    } else {
      this.input.value = this.chosenLabel(); // typed but not picked: keep the choice
    }
  };

  Picker.prototype.choose = function (option) {
    if (option.hasAttribute("data-create")) {
      this.create(option.getAttribute("data-create"));
      return;
    }
    this.setValue(option.getAttribute("data-value"), option.getAttribute("data-label"));
    this.close();
    this.status.textContent = option.getAttribute("data-label") + " chosen.";
  };

  Picker.prototype.setValue = function (value, label) {
    var select = this.select;
    var changed = select.value !== value;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    if (!option && value) {
      option = new Option(label, value);
      select.add(option);
    }
    if (option) { option.selected = true; } else { select.selectedIndex = -1; }
    this.input.value = value ? label : "";
    this.error.hidden = true;
    if (changed) { select.dispatchEvent(new Event("change", { bubbles: true })); }
  };

  Picker.prototype.create = function (name) {
    var self = this;
    var body = new URLSearchParams({ name: name });
    if (this.creating) { return; } // a second Enter or click must not create it twice
    this.creating = true;
    this.close();
    this.status.textContent = "Creating " + this.noun + " " + name + "…";
    fetch(this.createUrl, {
      method: "POST",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      body: body
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (answer) {
      var holder = document.createElement("ul");
      holder.innerHTML = answer.html; // server-rendered and escaped
      var option = holder.querySelector("[data-value]");
      if (answer.ok && option) {
        self.setValue(option.getAttribute("data-value"), option.getAttribute("data-label"));
        self.status.textContent = "Created " + self.noun + " " + option.getAttribute("data-label") + " and chose it.";
      } else {
        self.showError(holder.textContent.trim() || "Could not create it. Try again.");
      }
    }).catch(function () {
      self.showError("Could not create it. Try again.");
    }).then(function () {
      self.creating = false;
    });
  };

  Picker.prototype.showError = function (message) {
    this.error.textContent = message;
    this.error.hidden = false;
    this.input.setAttribute("aria-invalid", "true");
    this.input.focus();
  };

  function enhance(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-picker]:not([data-picker-ready])")
      .forEach(function (select) { new Picker(select); });
  }

  // A field that validates itself over htmx (web/_field.html) is swapped for the
  // server's copy after a pick: the keyboard user's focus goes back to its new input.
  var refocus = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    refocus = active && active.classList.contains("picker__input") ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var input = refocus && document.getElementById(refocus);
    refocus = null;
    if (input && input !== document.activeElement) { input.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // Content htmx swaps in (the deal form's contact field, a timeline's forms).
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
