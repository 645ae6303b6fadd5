/* KIS page behaviour. No inline scripts anywhere: everything the pages do lives here. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  /* --- Session idle warning -------------------------------------------------------------- */
  function sessionWarning() {
    var body = document.body;
    var total = parseInt(body.dataset.sessionSeconds || "0", 10);
    if (!total) { return; }
    var warnBefore = parseInt(body.dataset.sessionWarningSeconds || "300", 10);
    var warning = document.getElementById("session-warning");
    var expired = document.getElementById("session-expired");
    var countdown = document.getElementById("session-countdown");
    var keep = document.getElementById("session-keep");
    var deadline = 0;
    var timer = null;

    function reset(seconds) {
      deadline = Date.now() + (seconds || total) * 1000;
      warning.classList.add("d-none");
      expired.classList.add("d-none");
    }

    function format(seconds) {
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      return minutes + ":" + (rest < 10 ? "0" : "") + rest;
    }

    function tick() {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) {
        warning.classList.add("d-none");
        expired.classList.remove("d-none");
        window.clearInterval(timer);
        return;
      }
      if (left <= warnBefore) {
        countdown.textContent = format(left);
        if (warning.classList.contains("d-none")) {
          warning.classList.remove("d-none");
          keep.focus();
        }
      }
    }

    keep.addEventListener("click", function () {
      fetch(body.dataset.keepaliveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) { reset(data.seconds); });
        }
        deadline = Date.now();
        tick();
      });
    });
    document.addEventListener("htmx:afterRequest", function () { reset(); });

    reset();
    timer = window.setInterval(tick, 1000);
  }

  /* --- Confirmations --------------------------------------------------------------------- */
  function confirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  /* --- Filters that apply on change ------------------------------------------------------ */
  function autoSubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  /* --- Parts of a form shown only for some choices: data-show-when="field-name:a,b" ----- */
  function conditionalParts() {
    document.querySelectorAll("[data-show-when]").forEach(function (part) {
      var spec = part.getAttribute("data-show-when").split(":");
      var form = part.closest("form");
      var field = form && form.elements.namedItem(spec[0]);
      if (!field) { return; }
      var values = spec[1].split(",");
      function update() {
        part.classList.toggle("d-none", values.indexOf(field.value) === -1);
      }
      form.addEventListener("change", function (event) {
        if (event.target.name === spec[0]) { update(); }
      });
      update();
    });
  }

  /* --- Autocomplete: a <select data-autocomplete> becomes a type-to-filter combobox ------- */
  function fold(text) {
    return text.toLowerCase().replace(/ł/g, "l").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  var comboCount = 0;

  function enhanceSelect(select) {
    comboCount += 1;
    var id = "combo-" + comboCount;
    var wrapper = document.createElement("div");
    wrapper.className = "kis-combo";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "form-control";
    input.id = id;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("autocomplete", "off");
    var list = document.createElement("ul");
    list.className = "kis-combo-list d-none";
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.setAttribute("for", id);
      list.setAttribute("aria-label", label.textContent.trim());
    }
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.classList.contains("is-invalid")) {
      // The message (.invalid-feedback) follows the wrapper, no longer the select: the wrapper
      // carries the state so the message stays shown next to the field (kis.css).
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      wrapper.classList.add("kis-combo-invalid");
    }
    select.setAttribute("data-combo-input", id);
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);
    select.classList.add("d-none");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");

    var options = Array.prototype.map.call(select.options, function (option) {
      return { value: option.value, text: option.text, key: fold(option.text) };
    });
    var active = -1;
    var shown = [];

    function current() {
      var chosen = select.options[select.selectedIndex];
      input.value = chosen && chosen.value ? chosen.text : "";
    }

    function render(filter) {
      var words = fold(filter).split(/\s+/).filter(Boolean);
      shown = options.filter(function (option) {
        return option.value && words.every(function (word) { return option.key.indexOf(word) !== -1; });
      }).slice(0, 50);
      list.innerHTML = "";
      shown.forEach(function (option, index) {
        var item = document.createElement("li");
        item.id = id + "-opt-" + index;
        item.setAttribute("role", "option");
        item.textContent = option.text;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(item);
      });
      active = -1;
      open(shown.length > 0);
    }

    function open(yes) {
      list.classList.toggle("d-none", !yes);
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) { input.removeAttribute("aria-activedescendant"); }
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (item) { item.setAttribute("aria-selected", "false"); });
      if (index >= 0 && items[index]) {
        items[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
      active = index;
    }

    function choose(index) {
      var option = shown[index];
      if (!option) { return; }
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      current();
      open(false);
    }

    input.addEventListener("input", function () {
      if (!input.value) { select.value = ""; select.dispatchEvent(new Event("change", { bubbles: true })); }
      render(input.value);
    });
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.classList.contains("d-none")) { render(input.value === currentText() ? "" : input.value); }
        highlight(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !list.classList.contains("d-none")) {
        event.preventDefault();
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape") {
        open(false);
        current();
      }
    });
    input.addEventListener("blur", function () { open(false); current(); });

    function currentText() {
      var chosen = select.options[select.selectedIndex];
      return chosen && chosen.value ? chosen.text : "";
    }

    current();
  }

  function autocompletes(root) {
    (root || document).querySelectorAll("select[data-autocomplete]:not([data-enhanced])").forEach(function (select) {
      select.setAttribute("data-enhanced", "1");
      enhanceSelect(select);
    });
  }

  /* --- Error summary (includes/_form_errors.html) ---------------------------------------- */
  // The field a summary link points to, or what stands in for it: the combobox of an
  // autocomplete select, the first box of a group.
  function fieldFor(link) {
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (target && target.hasAttribute("data-combo-input")) {
      target = document.getElementById(target.getAttribute("data-combo-input"));
    }
    return target;
  }

  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-error-summary] a[href^='#']");
      if (!link) { return; }
      var field = fieldFor(link);
      if (!field) { return; }
      event.preventDefault();
      // The field's block (crispy's div_id_...) with its label and message comes into view.
      (field.closest("[id^='div_']") || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sessionWarning();
    confirmations();
    autoSubmit();
    conditionalParts();
    autocompletes();
    errorSummary();
  });
  document.addEventListener("htmx:afterSwap", function (event) { autocompletes(event.target); });
})();
