// Charting on the patient's chart (templates/chart.html): with this script the doctor clicks
// teeth and their surfaces on the drawn chart instead of typing codes. A click on a surface
// chooses that surface of that tooth (again: clears it); for a finding recorded on the whole
// tooth (a crown, a missing tooth...) a click anywhere on the tooth chooses the tooth. Each
// choice is posted as `mark=<ui_key>:<surface>` or `mark=<ui_key>`; the typed fallback (teeth
// and surface boxes) is hidden. The chosen list under "Chosen" says what will be saved.
"use strict";
(function () {
  var form = document.getElementById("chart-form");
  var svg = document.querySelector("#patient-odontogram svg");
  if (!form || !svg) return;
  var what = document.getElementById("chart-what");
  var marks = document.getElementById("chart-marks");
  var chosenText = document.getElementById("chart-chosen");
  var clear = document.getElementById("chart-clear");
  var typed = form.querySelector(".chart-typed");
  if (typed) typed.hidden = true;
  if (clear) clear.hidden = false;
  // Finding kinds recorded on surfaces; services take surfaces too (one tooth each).
  var onSurfaces = ["finding:caries", "finding:filling", "finding:veneer", "finding:fracture"];
  var chosen = []; // "P-LL-6:mesial" or "P-LL-6", in the order clicked

  function takesSurfaces() {
    var v = what.value;
    return v.indexOf("service:") === 0 || onSurfaces.indexOf(v) >= 0;
  }

  function labelOf(key) {
    var tooth = svg.querySelector('.tooth[data-ui-key="' + key + '"] .label');
    return tooth ? tooth.textContent : key;
  }

  function refresh() {
    svg.querySelectorAll(".surface.chosen").forEach(function (s) { s.classList.remove("chosen"); });
    marks.textContent = "";
    var byTooth = {};
    var order = [];
    chosen.forEach(function (mark) {
      var parts = mark.split(":");
      var tooth = svg.querySelector('.tooth[data-ui-key="' + parts[0] + '"]');
      if (!tooth) return;
      var selector = parts[1] ? '.surface[data-surface="' + parts[1] + '"]' : ".surface";
      tooth.querySelectorAll(selector).forEach(function (s) { s.classList.add("chosen"); });
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "mark";
      input.value = mark;
      marks.appendChild(input);
      if (!byTooth[parts[0]]) { byTooth[parts[0]] = ""; order.push(parts[0]); }
      if (parts[1]) byTooth[parts[0]] += parts[1].charAt(0).toUpperCase();
    });
    chosenText.textContent = order.length
      ? order.map(function (k) { return labelOf(k) + (byTooth[k] ? " " + byTooth[k] : ""); }).join(", ")
      : chosenText.dataset.none;
  }

  function toggle(mark) {
    var at = chosen.indexOf(mark);
    if (at >= 0) chosen.splice(at, 1); else chosen.push(mark);
    refresh();
  }

  svg.addEventListener("click", function (event) {
    var tooth = event.target.closest(".tooth[data-ui-key]");
    if (!tooth) return;
    event.preventDefault();
    var key = tooth.dataset.uiKey;
    // The tooth's pictures, when it has any, are brought forward.
    document.querySelectorAll(".tooth-images.current").forEach(function (g) { g.classList.remove("current"); });
    var images = document.getElementById("chart-images-" + key);
    var here = document.getElementById("chart-tooth-images");
    if (images) {
      images.classList.add("current");
      // Shown under the chart too, where the doctor is looking.
      if (here) { here.innerHTML = ""; here.appendChild(images.cloneNode(true)).removeAttribute("id"); }
    } else if (here && here.querySelector(".tooth-images")) {
      here.innerHTML = "";
    }
    var surface = event.target.closest(".surface");
    if (takesSurfaces() && surface) {
      // A whole-tooth choice of this tooth gives way to its surfaces.
      chosen = chosen.filter(function (m) { return m !== key; });
      toggle(key + ":" + surface.dataset.surface);
    } else {
      chosen = chosen.filter(function (m) { return m.split(":")[0] !== key || m === key; });
      toggle(key);
    }
  });

  what.addEventListener("change", function () {
    // Surfaces mean nothing to a whole-tooth finding: keep the teeth.
    if (!takesSurfaces()) {
      var teeth = [];
      chosen.forEach(function (m) { var k = m.split(":")[0]; if (teeth.indexOf(k) < 0) teeth.push(k); });
      chosen = teeth;
      refresh();
    }
  });

  if (clear) clear.addEventListener("click", function () { chosen = []; refresh(); });
  refresh();
})();
