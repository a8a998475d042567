/* The inventory form on a phone: each line shows only the fields of its kind, lines are added in
   place, choosing a parcel fills what a land line takes from it, a line ticked for removal is
   dimmed. Without this script every field of every line shows, and "Thêm dòng trống" asks the
   server for more blank lines: the form works the same. */
(function () {
  "use strict";

  var form = document.getElementById("inventory-form");
  if (!form) return;
  var rows = form.querySelector("[data-rows]");
  var template = document.getElementById("line-template");
  var data = JSON.parse(document.getElementById("inventory-form-data").textContent);
  var next = data.next;

  function $all(selector, root) { return Array.prototype.slice.call((root || form).querySelectorAll(selector)); }

  // Only the fields of the line's kind (all groups while no kind is chosen: nothing is hidden
  // from an officer who has not decided yet).
  function showKind(line) {
    var select = line.querySelector("[data-kind-select]");
    var kind = select ? select.value : "";
    line.setAttribute("data-kind", kind);
    $all("[data-for]", line).forEach(function (group) {
      group.hidden = kind !== "" && group.getAttribute("data-for") !== kind;
    });
  }

  function fillFromParcel(line) {
    var select = line.querySelector("[data-parcel-select]");
    var option = select && select.options[select.selectedIndex];
    if (!option || !option.value) return;
    [["[data-land-type]", option.getAttribute("data-land-type")],
     ["[data-street]", option.getAttribute("data-street")],
     ["[data-quantity]", option.getAttribute("data-recovered")]].forEach(function (pair) {
      var input = line.querySelector("input" + pair[0]);
      if (input && !input.value && pair[1]) input.value = pair[1];
    });
  }

  function wire(line) {
    var kind = line.querySelector("[data-kind-select]");
    if (kind) kind.addEventListener("change", function () { showKind(line); });
    var parcel = line.querySelector("[data-parcel-select]");
    if (parcel) parcel.addEventListener("change", function () { fillFromParcel(line); });
    var remove = line.querySelector("[data-remove]");
    if (remove) remove.addEventListener("change", function () { line.classList.toggle("removing", remove.checked); });
    showKind(line);
  }

  $all(".inv-line", rows).forEach(wire);

  // More lines in place; the blank lines the server added stay (a blank line is not saved).
  var add = form.querySelector("[data-add-line]");
  add.hidden = false;
  $all("[data-nojs]").forEach(function (el) { el.hidden = true; });
  add.addEventListener("click", function () {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__N__/g, String(next));
    next += 1;
    var line = holder.firstElementChild;
    rows.appendChild(line);
    wire(line);
    var first = line.querySelector("select, input");
    if (first) first.focus();
  });
})();
