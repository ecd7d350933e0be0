// The questionnaire's signature box: a finger or a pen draws on the canvas, and the drawing
// goes with the form as a PNG data URL (empty when nothing was drawn).
(function () {
  "use strict";
  var pad = document.getElementById("signature-pad");
  var field = document.getElementById("signature");
  var form = document.getElementById("questionnaire-form");
  if (!pad || !field || !form) return;
  var ctx = pad.getContext("2d");
  var drawing = false, drawn = false;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#111";
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  pad.addEventListener("pointerdown", function (e) {
    drawing = true; drawn = true;
    pad.setPointerCapture(e.pointerId);
    var p = at(e); ctx.beginPath(); ctx.moveTo(p.x, p.y);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = at(e); ctx.lineTo(p.x, p.y); ctx.stroke();
    e.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
    pad.addEventListener(t, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height); drawn = false;
  });
  form.addEventListener("submit", function () {
    field.value = drawn ? pad.toDataURL("image/png") : "";
  });
})();
