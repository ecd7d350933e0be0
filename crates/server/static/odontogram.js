// The tooth chart in a form (templates/_odontogram.html, data-mode="form"). Without this
// script the form posts the checkboxes listed under the chart. With it, that list is hidden
// and the drawn teeth are the checkboxes: a click, Space or Enter on a tooth ticks or clears
// the matching box; the buttons choose exactly one arch or the whole mouth of a dentition
// (the scopes of a treatment item), or clear the choice. The teeth always show what the
// boxes hold, so what is posted is what the doctor sees.
"use strict";
(function () {
  // The component loads this script once per chart; the charts are set up once.
  if (window.dcmsOdontogram) return;
  window.dcmsOdontogram = true;

  function setUp(root) {
    var boxes = {};
    root.querySelectorAll(".odontogram-inputs input[type=checkbox]").forEach(function (box) {
      boxes[box.value] = box;
    });
    var teeth = Array.prototype.slice.call(root.querySelectorAll("svg .tooth[data-ui-key]"));
    var summary = root.querySelector(".odontogram-summary-list");

    // The drawn teeth and the summary follow the checkboxes.
    function refresh() {
      var chosen = [];
      teeth.forEach(function (tooth) {
        var box = boxes[tooth.dataset.uiKey];
        var on = !!(box && box.checked);
        tooth.classList.toggle("selected", on);
        tooth.setAttribute("aria-checked", on ? "true" : "false");
        if (on) chosen.push(tooth.querySelector(".label").textContent);
      });
      if (summary) summary.textContent = chosen.length ? chosen.join(", ") : summary.dataset.none;
    }

    function set(box, on) {
      if (box.checked === on) return;
      box.checked = on;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    teeth.forEach(function (tooth) {
      var box = boxes[tooth.dataset.uiKey];
      if (!box) return;
      tooth.addEventListener("click", function () {
        set(box, !box.checked);
      });
      tooth.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") {
          event.preventDefault();
          set(box, !box.checked);
        }
      });
    });

    root.querySelectorAll("button[data-select]").forEach(function (button) {
      button.addEventListener("click", function () {
        var scope = button.dataset.select;
        var dentition = button.dataset.dentition;
        teeth.forEach(function (tooth) {
          var box = boxes[tooth.dataset.uiKey];
          if (!box) return;
          var on = scope !== "none" &&
            (!dentition || tooth.dataset.dentition === dentition) &&
            (scope === "all" || tooth.dataset.arch === scope);
          set(box, on);
        });
      });
    });

    root.addEventListener("change", refresh);
    var form = root.closest("form");
    if (form) {
      form.addEventListener("reset", function () {
        window.setTimeout(refresh, 0);
      });
    }
    // The browser may restore ticked boxes (back button, reload).
    window.addEventListener("pageshow", refresh);
    root.classList.add("odontogram-enhanced");
    refresh();
  }

  function start() {
    document.querySelectorAll(".odontogram[data-mode=form]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
