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

// The menu (base.html) is a <details> folded behind its button on a phone. Wider, app.css
// shows its links anyway; it is opened there too, for browsers that cannot show the content
// of a closed <details>, and folded again when the window becomes narrow.
(function () {
  var narrow = window.matchMedia("(max-width: 700px)");
  function fit() {
    var menu = document.getElementById("menu");
    if (menu) menu.open = !narrow.matches;
  }
  document.addEventListener("DOMContentLoaded", fit);
  narrow.addEventListener("change", fit);
  // Escape folds the open menu on a phone and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    var menu = document.getElementById("menu");
    if (event.key !== "Escape" || !narrow.matches || !menu || !menu.open) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();

// On a phone a table is shown as cards (app.css, narrow screens), each cell labelled by its
// column's header: the labels are written here from the table's head, for tables whose
// template has not written them. A row's header cells are the card's title and get none.
// The appointment book keeps its own layout.
function labelTables(root) {
  root.querySelectorAll("table").forEach(function (table) {
    if (table.hasAttribute("data-cards") || table.classList.contains("book") || !table.tHead) return;
    var head = table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim());
    });
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      rows.push.apply(rows, body.rows);
    });
    if (table.tFoot) rows.push.apply(rows, table.tFoot.rows);
    rows.forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column] || "");
        }
        column += cell.colSpan;
      });
    });
    table.setAttribute("data-cards", "");
  });
}
document.addEventListener("DOMContentLoaded", function () {
  labelTables(document);
});
// Rows that htmx brings (a search as one types) are labelled too.
document.addEventListener("htmx:afterSettle", function () {
  labelTables(document);
});
