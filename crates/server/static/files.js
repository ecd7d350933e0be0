// The patient's files: uploads by drag and drop (or the file picker) to the API with a
// progress bar each, deletes, and the viewer (zoom with the buttons or the wheel, drag to
// move, brightness, contrast and invert for X-rays).
(function () {
  "use strict";
  var page = document.getElementById("patient-files");
  if (!page) return;
  var patient = page.dataset.patientId, csrf = page.dataset.csrf;

  // --- uploads ---
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("files-input");
  var list = document.getElementById("upload-list");
  var pending = 0;
  function upload(file) {
    var li = document.createElement("li");
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    var text = document.createElement("span");
    text.textContent = file.name;
    li.appendChild(text); li.appendChild(bar);
    list.appendChild(li);
    var form = new FormData();
    form.append("kind", document.getElementById("upload-kind").value);
    var value = function (id) { var e = document.getElementById(id); return e ? e.value.trim() : ""; };
    if (value("upload-teeth")) form.append("teeth", value("upload-teeth"));
    if (value("upload-taken")) form.append("taken_at", value("upload-taken") + "T12:00:00+08:00");
    if (value("upload-treatment")) form.append("treatment_id", value("upload-treatment"));
    form.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/patients/" + patient + "/attachments");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    });
    pending++;
    xhr.addEventListener("loadend", function () {
      pending--;
      if (xhr.status === 201) {
        bar.value = 100; li.className = "done";
      } else {
        li.className = "failed";
        var detail = "";
        try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (e) { detail = xhr.statusText; }
        text.textContent = file.name + ": " + detail;
      }
      if (pending === 0 && !list.querySelector(".failed")) window.location.reload();
    });
    xhr.send(form);
  }
  function uploadAll(files) { Array.prototype.forEach.call(files, upload); }
  if (zone && input) {
    input.addEventListener("change", function () { uploadAll(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) { e.preventDefault(); uploadAll(e.dataTransfer.files); });
  }

  // --- deletes ---
  document.querySelectorAll(".delete-file").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!window.confirm(b.dataset.confirm)) return;
      fetch("/api/v1/attachments/" + b.dataset.id, { method: "DELETE", headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { if (r.ok) window.location.reload(); });
    });
  });

  document.querySelectorAll(".purge-file").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!window.confirm(b.dataset.confirm)) return;
      fetch("/api/v1/attachments/" + b.dataset.id + "/purge", { method: "POST", headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { if (r.ok) window.location.reload(); });
    });
  });

  // --- the viewer ---
  var dialog = document.getElementById("viewer");
  if (!dialog) return;
  var img = document.getElementById("viewer-image");
  var stage = document.getElementById("viewer-stage");
  var brightness = document.getElementById("viewer-brightness");
  var contrast = document.getElementById("viewer-contrast");
  var invert = document.getElementById("viewer-invert");
  var scale = 1, x = 0, y = 0, dragging = null;
  function draw() {
    img.style.transform = "translate(" + x + "px," + y + "px) scale(" + scale + ")";
    img.style.filter = "brightness(" + brightness.value + "%) contrast(" + contrast.value + "%)" + (invert.checked ? " invert(1)" : "");
  }
  function reset() { scale = 1; x = 0; y = 0; brightness.value = 100; contrast.value = 100; invert.checked = false; draw(); }
  function open(button) {
    reset();
    img.src = button.dataset.full;
    img.alt = button.dataset.title;
    document.getElementById("viewer-title").textContent = button.dataset.title;
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }
  document.querySelectorAll(".open-viewer").forEach(function (b) {
    b.addEventListener("click", function () { open(b); });
  });
  dialog.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var f = parseFloat(b.dataset.zoom);
      if (f === 0) reset(); else { scale = Math.min(10, Math.max(0.2, scale * f)); draw(); }
    });
  });
  [brightness, contrast, invert].forEach(function (c) { c.addEventListener("input", draw); });
  stage.addEventListener("wheel", function (e) {
    e.preventDefault();
    scale = Math.min(10, Math.max(0.2, scale * (e.deltaY < 0 ? 1.15 : 0.87)));
    draw();
  }, { passive: false });
  stage.addEventListener("pointerdown", function (e) { dragging = { x: e.clientX - x, y: e.clientY - y }; stage.setPointerCapture(e.pointerId); });
  stage.addEventListener("pointermove", function (e) { if (dragging) { x = e.clientX - dragging.x; y = e.clientY - dragging.y; draw(); } });
  stage.addEventListener("pointerup", function () { dragging = null; });
  document.getElementById("viewer-close").addEventListener("click", function () { dialog.close ? dialog.close() : dialog.removeAttribute("open"); });
  if (page.dataset.view) {
    var wanted = document.querySelector('.gallery-item[data-attachment-id="' + page.dataset.view + '"] .open-viewer');
    if (wanted) open(wanted);
  }
})();
