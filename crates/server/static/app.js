// DCMS pages: small progressive enhancements; every page works without this script.
"use strict";

// A form submits once: its buttons are disabled while the request is on its way, so a
// double click cannot create two records.
// A button with data-confirm (a final step: cancel an appointment) asks first.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.submitting === "1") {
    event.preventDefault();
    return;
  }
  var question = event.submitter && event.submitter.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  // Disabled after the browser has read the form, so the clicked button's name and value
  // (a status button) are still sent.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-busy", "true");
    });
  }, 0);
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

// A button with data-print prints the page (the invoice); the print stylesheet leaves out
// everything but the document.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});
