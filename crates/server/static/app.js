// DCMS pages: small progressive enhancements; every page works without this script.
"use strict";

// A form submits once: its buttons are disabled while the request is on its way, so a
// double click cannot create two records.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.submitting === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
  });
});

// Coming back with the browser's back button re-enables forms left disabled.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitting]").forEach(function (form) {
    delete form.dataset.submitting;
    form.querySelectorAll("button[aria-busy]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
  });
});

// The first invalid field of a form shown again with errors gets the focus.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
});
