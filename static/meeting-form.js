/* Log a meeting on a phone: one screen at a time, households and rows added in place, and a
   draft kept on the phone (localStorage) while typing, so a dropped network or a closed tab loses
   nothing. Without this script the form is one long page that works the same. */
(function () {
  "use strict";

  // After a successful save the minutes page names the draft to forget.
  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    try { window.localStorage.removeItem(el.getAttribute("data-clear-draft")); } catch (e) { /* storage off */ }
  });

  var form = document.getElementById("meeting-form");
  if (!form) return;

  var text = JSON.parse(document.getElementById("meeting-form-text").textContent);
  var draftKey = form.getAttribute("data-draft-key");
  var maxBytes = parseInt(form.getAttribute("data-max-mb"), 10) * 1024 * 1024;
  var blocks = form.querySelector("[data-household-blocks]");
  var householdTemplate = document.getElementById("household-template");

  function $all(selector, root) { return Array.prototype.slice.call((root || form).querySelectorAll(selector)); }
  function format(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }
  function fold(value) {  // compare without accents or case: "Nguyễn" matches "nguyen"
    return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  // --- the two screens ---------------------------------------------------------------------
  var screens = $all("[data-screen]");
  var stepButtons = $all("[data-go]");
  form.classList.add("js-steps");
  $all("[data-js-only], [data-steps], [data-add], [data-case-filter]").forEach(function (el) { el.hidden = false; });
  $all(".nojs-only").forEach(function (el) { el.hidden = true; });

  function show(number, focus) {
    screens.forEach(function (screen) {
      screen.classList.toggle("current", screen.getAttribute("data-screen") === String(number));
    });
    stepButtons.forEach(function (button) {
      var here = button.getAttribute("data-go") === String(number);
      if (here) button.setAttribute("aria-current", "step"); else button.removeAttribute("aria-current");
    });
    form.setAttribute("data-current-screen", String(number));
    if (focus) {
      var heading = form.querySelector("[data-screen='" + number + "'] h2");
      window.scrollTo(0, form.getBoundingClientRect().top + window.scrollY - 8);
      if (heading) heading.focus({ preventScroll: true });
    }
  }

  function chosenCases() {
    return $all("input[name=case_ids]:checked");
  }

  function screenOneReady() {
    var missing = form.querySelector("[data-households-missing]");
    var ok = chosenCases().length > 0;
    missing.hidden = ok;
    if (!ok) {
      var filter = form.querySelector("[data-case-filter]");
      form.querySelector("#households").scrollIntoView({ block: "start" });
      if (filter) filter.focus({ preventScroll: true });
    }
    return ok;
  }

  form.querySelector("[data-next]").addEventListener("click", function () {
    if (screenOneReady()) show(2, true);
  });
  form.querySelector("[data-prev]").addEventListener("click", function () { show(1, true); });
  stepButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var target = button.getAttribute("data-go");
      if (target === "2" && !screenOneReady()) return;
      show(target, true);
    });
  });
  // Enter in a field of screen 1 moves on instead of saving half the minutes.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName === "TEXTAREA" || event.target.type === "submit") return;
    if (form.getAttribute("data-current-screen") === "1") {
      event.preventDefault();
      if (event.target.matches("[data-case-filter]")) return;
      if (screenOneReady()) show(2, true);
    }
  });

  // --- households --------------------------------------------------------------------------
  function blockOf(caseId) { return blocks.querySelector("[data-household='" + caseId + "']"); }

  function syncHouseholds() {
    var chosen = chosenCases();
    var ids = chosen.map(function (box) { return box.value; });
    chosen.forEach(function (box) {
      var block = blockOf(box.value);
      if (!block) {
        var html = householdTemplate.innerHTML.replace(/__CASE__/g, box.value);
        var holder = document.createElement("div");
        holder.innerHTML = html;
        block = holder.firstElementChild;
        block.querySelector("[data-hh-label]").textContent = box.getAttribute("data-label");
        blocks.appendChild(block);
      }
      block.hidden = false;
      block.disabled = false;
    });
    $all("[data-household]", blocks).forEach(function (block) {
      var on = ids.indexOf(block.getAttribute("data-household")) >= 0;
      block.hidden = !on;
      block.disabled = !on;  // an unticked household's block is kept (re-ticking restores it) but not sent
    });
    // Blocks in the order the households were ticked in the list.
    ids.forEach(function (id) { blocks.appendChild(blockOf(id)); });
    form.querySelector("[data-no-households]").hidden = ids.length > 0;
    var group = form.querySelector("[data-group-block]");
    group.hidden = ids.length < 2;
    group.disabled = ids.length < 2;
    $all("[data-case-select]").forEach(function (select) {
      var keep = select.value;
      $all("option", select).forEach(function (option) { if (option.value) option.remove(); });
      chosen.forEach(function (box) {
        var option = document.createElement("option");
        option.value = box.value;
        option.textContent = text.withHousehold + " " + box.getAttribute("data-label");
        select.appendChild(option);
      });
      select.value = ids.indexOf(keep) >= 0 ? keep : "";
    });
    if (ids.length) form.querySelector("[data-households-missing]").hidden = true;
  }

  $all("input[name=case_ids]").forEach(function (box) { box.addEventListener("change", syncHouseholds); });

  var filter = form.querySelector("[data-case-filter]");
  if (filter) {
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value.trim());
      var shown = 0;
      $all("[data-case-list] li").forEach(function (item) {
        var box = item.querySelector("input");
        var match = !wanted || (box && box.checked) || fold(item.textContent).indexOf(wanted) >= 0;
        item.hidden = !match;
        if (match) shown += 1;
      });
      form.querySelector("[data-case-none]").hidden = shown > 0;
    });
  }

  // --- repeated rows -----------------------------------------------------------------------
  function nextIndex(group) {
    var top = -1;
    $all("[data-rows='" + group + "'] [data-row]").forEach(function (row) {
      top = Math.max(top, parseInt(row.getAttribute("data-row"), 10));
    });
    return top + 1;
  }

  function addRow(group, index) {
    var container = form.querySelector("[data-rows='" + group + "']");
    var template = document.getElementById(group + "-template");
    var n = index === undefined ? nextIndex(group) : index;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__N__/g, String(n));
    var row = holder.firstElementChild;
    container.appendChild(row);
    return row;
  }

  $all("[data-add]").forEach(function (button) {
    button.addEventListener("click", function () {
      var group = button.getAttribute("data-add");
      var row = addRow(group);
      if (group === "commitments") syncHouseholds();
      var first = row.querySelector("input[type=text], textarea");
      if (first) first.focus();
    });
  });

  // --- money typed with dots -----------------------------------------------------------------
  form.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-money]")) return;
    var digits = input.value.replace(/[.\s]/g, "").replace(/đ$/, "");
    if (/^\d+$/.test(digits)) input.value = digits.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  });

  // --- attachments -----------------------------------------------------------------------------
  var fileError = form.querySelector("[data-file-error]");
  $all("[data-file-input]").forEach(function (input) {
    input.addEventListener("change", function () {
      var big = Array.prototype.filter.call(input.files, function (file) { return file.size > maxBytes; });
      if (big.length) {
        fileError.textContent = big.map(function (file) {
          return format(text.tooBig, { name: file.name, mb: maxBytes / 1024 / 1024 });
        }).join(" ");
        fileError.hidden = false;
        input.value = "";
      } else {
        fileError.hidden = true;
      }
    });
  });

  // --- the draft on the phone ------------------------------------------------------------------
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function state() {
    var fields = [];
    $all("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.name === "csrf_token" || el.name === "version" || el.closest("template")) return;
      if (el.closest("fieldset[disabled]")) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.type === "submit" || el.type === "button") return;
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  syncHouseholds();
  var initial = JSON.stringify(state());
  var timer = null;

  function saveDraft() {
    var store = storage();
    if (!store) return;
    var fields = state();
    var serial = JSON.stringify(fields);
    if (serial === initial && !store.getItem(draftKey)) return;  // nothing typed yet
    try {
      // The version the draft was typed against goes with it: restored after someone else has
      // amended the minutes, it makes the save a conflict (409), not a silent overwrite.
      var version = form.elements.version ? form.elements.version.value : null;
      store.setItem(draftKey, JSON.stringify({ savedAt: new Date().toISOString(), fields: fields, version: version }));
    } catch (e) { /* storage full: the form itself still works */ }
  }

  function scheduleSave() {
    window.clearTimeout(timer);
    timer = window.setTimeout(saveDraft, 300);
  }
  form.addEventListener("input", scheduleSave);
  form.addEventListener("change", scheduleSave);
  window.addEventListener("pagehide", saveDraft);

  function restore(fields, version) {
    if (version && form.elements.version) form.elements.version.value = version;
    var ids = fields.filter(function (f) { return f[0] === "case_ids"; }).map(function (f) { return f[1]; });
    $all("input[name=case_ids]").forEach(function (box) { box.checked = ids.indexOf(box.value) >= 0; });
    syncHouseholds();
    ["attendees", "commitments"].forEach(function (group) {
      var pattern = new RegExp("^" + group + "-(\\d+)-");
      fields.forEach(function (f) {
        var match = pattern.exec(f[0]);
        if (match && !form.querySelector("[data-rows='" + group + "'] [data-row='" + match[1] + "']")) addRow(group, parseInt(match[1], 10));
      });
    });
    syncHouseholds();
    $all("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.name === "csrf_token" || el.name === "version" || el.name === "case_ids" || el.closest("template")) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = false;
      else if (el.tagName !== "SELECT" && el.type !== "hidden") el.value = "";
    });
    var seen = {};
    fields.forEach(function (f) {
      var name = f[0], value = f[1];
      if (name === "case_ids") return;
      var matches = $all("[name='" + name.replace(/'/g, "\\'") + "']").filter(function (el) { return !el.closest("template"); });
      if (!matches.length) return;
      var first = matches[0];
      if (first.type === "checkbox" || first.type === "radio") {
        matches.forEach(function (el) { if (el.value === value) el.checked = true; });
      } else {
        var at = seen[name] || 0;
        if (matches[at]) matches[at].value = value;
        seen[name] = at + 1;
      }
    });
    show(1, true);
  }

  var offer = document.querySelector("[data-draft-offer]");
  var store = storage();
  var saved = null;
  if (store) {
    try { saved = JSON.parse(store.getItem(draftKey) || "null"); } catch (e) { saved = null; }
  }
  if (saved && saved.fields && form.getAttribute("data-rerendered") !== "1" && JSON.stringify(saved.fields) !== initial) {
    var at = new Date(saved.savedAt);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    var when = pad(at.getHours()) + ":" + pad(at.getMinutes()) + " " + pad(at.getDate()) + "/" + pad(at.getMonth() + 1) + "/" + at.getFullYear();
    var names = saved.fields.filter(function (f) { return f[0] === "case_ids"; }).map(function (f) {
      var box = form.querySelector("input[name=case_ids][value='" + f[1].replace(/\D/g, "") + "']");
      return box ? box.getAttribute("data-label") : null;
    }).filter(Boolean);
    offer.querySelector("[data-draft-text]").textContent = format(text.draftFound, { at: when }) +
      (names.length ? " " + format(text.draftFor, { households: names.join("; ") }) : "") + " " + text.draftFiles;
    offer.hidden = false;
    offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
      restore(saved.fields, saved.version);
      offer.hidden = true;
      saveDraft();
    });
    offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
      store.removeItem(draftKey);
      offer.hidden = true;
    });
  }

  // --- saving --------------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    saveDraft();
    if (navigator.onLine === false) {
      event.preventDefault();
      form.querySelector("[data-offline]").hidden = false;
      return;
    }
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-save")) {
      submitter.disabled = true;  // one tap, one save
      window.setTimeout(function () { submitter.disabled = false; }, 8000);
    }
  });
  window.addEventListener("online", function () { form.querySelector("[data-offline]").hidden = true; });

  show(parseInt(form.getAttribute("data-first-screen"), 10) || 1, false);
  // A refused save: bring the first problem into view (a conflict is explained at the top).
  if (form.getAttribute("data-rerendered") === "1" && !document.getElementById("conflict")) {
    var current = form.querySelector(".screen.current");
    var problem = current && current.querySelector(".has-error, p.error:not([hidden])");
    if (problem) {
      problem.scrollIntoView({ block: "center" });
      var input = problem.querySelector("input:not([type=hidden]), textarea, select");
      if (input) input.focus({ preventScroll: true });
    }
  }
})();
