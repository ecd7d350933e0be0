// The appointment book: drag an appointment to another time or doctor (or day, in a
// doctor's week), or drag its lower edge to change its end. A drop posts the appointment's
// move form, the same one its page has (only the fields that change), then reloads the
// book; a refusal (the time is taken, the appointment is final) is shown above the grid
// and nothing moves. Without this script every appointment is moved from its own page.
"use strict";
(function () {
  var book = document.getElementById("book");
  if (!book) return;
  var problem = document.getElementById("book-problem");
  var heads = Array.prototype.slice.call(book.querySelectorAll("thead th[data-doctor-id]"));
  var rows = Array.prototype.slice.call(book.querySelectorAll("tbody tr[data-time]"));
  var THRESHOLD = 5;
  var drag = null;

  function columnAt(x) {
    for (var i = 0; i < heads.length; i++) {
      var r = heads[i].getBoundingClientRect();
      if (x >= r.left && x < r.right) return heads[i];
    }
    return null;
  }
  function rowAt(y) {
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i].getBoundingClientRect();
      if (y >= r.top && y < r.bottom) return rows[i];
    }
    if (rows.length && y < rows[0].getBoundingClientRect().top) return rows[0];
    return null;
  }
  function columnOf(block) {
    var cell = block.closest("td");
    var r = cell.getBoundingClientRect();
    return columnAt(r.left + r.width / 2);
  }
  function rowOf(block) {
    return rowAt(block.closest("td").getBoundingClientRect().top + 2);
  }
  function say(text) {
    problem.textContent = text;
    problem.hidden = false;
    problem.scrollIntoView({ block: "nearest" });
  }

  // Where the drag would drop: { fields to post, the cells to outline }.
  function target(d, e) {
    if (d.mode === "resize") {
      var row = rowAt(e.clientY);
      if (!row) return null;
      return { fields: { end_time: row.dataset.end }, row: row, head: d.head };
    }
    var head = columnAt(e.clientX);
    var top = rowAt(e.clientY - d.grabY + 2);
    if (!head || !top) return null;
    return {
      fields: { date: head.dataset.date, time: top.dataset.time, doctor_id: head.dataset.doctorId },
      row: top,
      head: head
    };
  }

  function unchanged(d, t) {
    if (d.mode === "resize") return false;
    return t.head === d.head && t.row === d.row;
  }

  function place(e) {
    var r = drag.rect;
    var ghost = drag.ghost;
    if (drag.mode === "resize") {
      ghost.style.left = r.left + "px";
      ghost.style.top = r.top + "px";
      ghost.style.width = r.width + "px";
      ghost.style.height = Math.max(12, e.clientY - r.top) + "px";
    } else {
      ghost.style.left = (r.left + e.clientX - drag.x) + "px";
      ghost.style.top = (r.top + e.clientY - drag.y) + "px";
      ghost.style.width = r.width + "px";
      ghost.style.height = r.height + "px";
    }
  }

  function post(id, fields) {
    var body = new URLSearchParams();
    body.set("csrf", book.dataset.csrf);
    body.set("back", book.dataset.back);
    Object.keys(fields).forEach(function (k) { body.set(k, fields[k]); });
    book.setAttribute("aria-busy", "true");
    fetch("/appointments/" + id, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.ok) {
        window.location.reload();
        return null;
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var parts = [];
        page.querySelectorAll("#appointment-problem, #appointment-conflict, .field-error, .error-page p")
          .forEach(function (el) { parts.push(el.textContent.trim()); });
        say(parts.join(" ") || response.status + " " + response.statusText);
        book.removeAttribute("aria-busy");
      });
    }).catch(function (err) {
      say(String(err));
      book.removeAttribute("aria-busy");
    });
  }

  // The browser's own dragging of a link or of selected text would take the pointer away.
  book.addEventListener("dragstart", function (e) {
    if (e.target.closest && e.target.closest(".appt-block[data-movable]")) e.preventDefault();
  });

  book.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    var block = e.target.closest(".appt-block[data-movable]");
    if (!block || e.target.closest("button, input")) return;
    drag = {
      block: block,
      mode: e.target.classList.contains("resize-handle") ? "resize" : "move",
      x: e.clientX,
      y: e.clientY,
      rect: block.getBoundingClientRect(),
      head: columnOf(block),
      row: rowOf(block),
      active: false,
      ghost: null,
      outlined: null
    };
    drag.grabY = e.clientY - drag.rect.top;
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    if (!drag.active) {
      if (Math.abs(e.clientX - drag.x) < THRESHOLD && Math.abs(e.clientY - drag.y) < THRESHOLD) return;
      drag.active = true;
      drag.block.classList.add("dragging");
      drag.ghost = document.createElement("div");
      drag.ghost.className = "drag-ghost " + drag.block.className;
      drag.ghost.textContent = drag.block.querySelector(".appt-link").textContent;
      document.body.appendChild(drag.ghost);
      problem.hidden = true;
    }
    e.preventDefault();
    place(e);
    var t = target(drag, e);
    if (drag.outlined) drag.outlined.classList.remove("drop-target");
    drag.outlined = null;
    if (t && t.head) {
      var index = heads.indexOf(t.head) + 1;
      var cell = t.row.querySelectorAll("th, td")[index];
      if (cell && cell.classList.contains("free")) {
        cell.classList.add("drop-target");
        drag.outlined = cell;
      }
    }
  });

  function finish(e, cancel) {
    if (!drag) return;
    var d = drag;
    drag = null;
    if (d.outlined) d.outlined.classList.remove("drop-target");
    if (!d.active) return;
    d.block.classList.remove("dragging");
    if (d.ghost) d.ghost.remove();
    // The click that ends a drag must not follow the appointment's link.
    function stop(ev) {
      ev.preventDefault();
      ev.stopPropagation();
    }
    window.addEventListener("click", stop, true);
    window.setTimeout(function () { window.removeEventListener("click", stop, true); }, 0);
    if (cancel) return;
    var t = target(d, e);
    if (!t || unchanged(d, t)) return;
    post(d.block.dataset.appointmentId, t.fields);
  }
  document.addEventListener("pointerup", function (e) { finish(e, false); });
  document.addEventListener("pointercancel", function (e) { finish(e, true); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && drag && drag.active) finish(e, true);
  });
})();
