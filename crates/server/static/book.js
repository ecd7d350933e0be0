// The appointment book. Without this script every block is a link to the appointment's
// page, which has all its actions; with it:
// - a click on a block opens its panel beside the grid (fetched from
//   /appointments/{id}/panel): the patient, the status moves, record treatment, open;
// - a block can be dragged to another time or doctor (or day, in a doctor's week), or its
//   lower edge dragged to change its end. Where it would land is computed from the column's
//   doctor and date and the row's time under the pointer (never from a cell's place in its
//   row, which blocks spanning rows shift), and drawn as an outline over the grid. A drop
//   posts the appointment's move form, the same one its page has; a refusal (the time is
//   taken, the appointment is final) is said above the grid and nothing moves;
// - the grid keeps its place (both scroll positions) when the page comes back after a
//   status move, a drop or a booking, and the changed block is brought into view;
// - a red line marks now across today's columns, moved every minute.
"use strict";
(function () {
  var book = document.getElementById("book");
  if (!book) return;
  var wrap = document.getElementById("book-wrap");
  var side = document.getElementById("book-side");
  var problem = document.getElementById("book-problem");
  var heads = Array.prototype.slice.call(book.querySelectorAll("thead th[data-doctor-id]"));
  var rows = Array.prototype.slice.call(book.querySelectorAll("tbody tr[data-time]"));
  var THRESHOLD = 5;
  var drag = null;
  var placeKey = "book-place:" + book.dataset.back;

  function minutesOf(hhmm) {
    var parts = hhmm.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  // --- where things are: columns by x, rows by y ---------------------------------------
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
      if (y >= r.top && y < r.bottom) return i;
    }
    if (rows.length && y < rows[0].getBoundingClientRect().top) return 0;
    return -1;
  }
  function blockRows(block) {
    return parseInt(block.closest("td").getAttribute("rowspan") || "1", 10);
  }
  function say(text) {
    problem.textContent = text;
    problem.hidden = false;
    problem.scrollIntoView({ block: "nearest" });
  }

  // A rectangle of the grid (a column from row `first` for `count` rows) in the coordinates
  // of the scrolling box, for the outline and the now line.
  function boxOf(head, first, count) {
    var w = wrap.getBoundingClientRect();
    var h = head.getBoundingClientRect();
    var top = rows[first].getBoundingClientRect().top;
    var last = rows[Math.min(rows.length - 1, first + count - 1)].getBoundingClientRect().bottom;
    return {
      left: h.left - w.left + wrap.scrollLeft,
      top: top - w.top + wrap.scrollTop,
      width: h.width,
      height: last - top
    };
  }

  // --- dragging --------------------------------------------------------------------------
  // Where the drag would drop: the fields to post and the rows it would take.
  function target(d, e) {
    if (d.mode === "resize") {
      var end = rowAt(e.clientY);
      if (end < d.first) end = d.first;
      if (end < 0) return null;
      return {
        fields: { end_time: rows[end].dataset.end },
        head: d.head,
        first: d.first,
        count: end - d.first + 1
      };
    }
    var head = columnAt(e.clientX);
    var first = rowAt(e.clientY - d.grabY + 4);
    if (!head || first < 0) return null;
    return {
      fields: { date: head.dataset.date, time: rows[first].dataset.time, doctor_id: head.dataset.doctorId },
      head: head,
      first: first,
      count: d.count
    };
  }
  function unchanged(d, t) {
    return d.mode !== "resize" ? t.head === d.head && t.first === d.first : t.count === d.count;
  }
  function outline(t) {
    var box = drag.indicator;
    if (!t) {
      box.hidden = true;
      return;
    }
    var r = boxOf(t.head, t.first, t.count);
    box.hidden = false;
    box.style.left = r.left + "px";
    box.style.top = r.top + "px";
    box.style.width = r.width + "px";
    box.style.height = r.height + "px";
    box.dataset.doctorId = t.head.dataset.doctorId;
    box.dataset.date = t.head.dataset.date;
    box.dataset.time = rows[t.first].dataset.time;
    box.dataset.end = rows[Math.min(rows.length - 1, t.first + t.count - 1)].dataset.end;
    box.firstChild.textContent = box.dataset.time + "–" + box.dataset.end;
  }
  function place(e) {
    var r = drag.rect;
    var ghost = drag.ghost;
    ghost.style.left = (r.left + e.clientX - drag.x) + "px";
    ghost.style.top = (r.top + e.clientY - drag.y) + "px";
    ghost.style.width = r.width + "px";
  }

  function changedUrl(id) {
    var back = book.dataset.back;
    return back + (back.indexOf("?") < 0 ? "?" : "&") + "changed=" + id;
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
        savePlace();
        window.location.assign(changedUrl(id));
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

  // The browser's own dragging of a link would take the pointer away.
  book.addEventListener("dragstart", function (e) {
    if (e.target.closest && e.target.closest(".appt-block")) e.preventDefault();
  });

  book.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    var block = e.target.closest(".appt-block[data-movable]");
    if (!block) return;
    var cell = block.closest("td");
    var r = cell.getBoundingClientRect();
    drag = {
      block: block,
      mode: e.target.classList.contains("resize-handle") ? "resize" : "move",
      x: e.clientX,
      y: e.clientY,
      rect: block.getBoundingClientRect(),
      head: columnAt(r.left + r.width / 2),
      first: rowAt(r.top + 2),
      count: blockRows(block),
      active: false,
      ghost: null,
      indicator: null
    };
    drag.grabY = e.clientY - drag.rect.top;
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    if (!drag.active) {
      if (Math.abs(e.clientX - drag.x) < THRESHOLD && Math.abs(e.clientY - drag.y) < THRESHOLD) return;
      drag.active = true;
      drag.block.classList.add("dragging");
      if (drag.mode === "move") {
        drag.ghost = document.createElement("div");
        drag.ghost.className = "drag-ghost " + drag.block.className.replace("changed", "");
        drag.ghost.textContent = drag.block.querySelector(".appt-time").textContent + " " +
          drag.block.querySelector(".appt-patient").textContent;
        document.body.appendChild(drag.ghost);
      }
      drag.indicator = document.createElement("div");
      drag.indicator.className = "drop-indicator";
      drag.indicator.id = "drop-indicator";
      drag.indicator.appendChild(document.createElement("span")).className = "drop-label";
      wrap.appendChild(drag.indicator);
      problem.hidden = true;
      closePanel();
    }
    e.preventDefault();
    if (drag.ghost) place(e);
    outline(target(drag, e));
  });

  function finish(e, cancel) {
    if (!drag) return;
    var d = drag;
    drag = null;
    if (!d.active) return;
    d.block.classList.remove("dragging");
    if (d.ghost) d.ghost.remove();
    if (d.indicator) d.indicator.remove();
    // The click that ends a drag must not open the appointment.
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
    if (e.key !== "Escape") return;
    if (drag && drag.active) finish(e, true);
    else closePanel();
  });

  // --- the panel -------------------------------------------------------------------------
  var opener = null;
  function closePanel() {
    if (!side || side.hidden) return;
    side.hidden = true;
    side.textContent = "";
    if (opener) opener.focus();
    opener = null;
  }
  function openPanel(block) {
    var id = block.dataset.appointmentId;
    opener = block;
    fetch("/appointments/" + id + "/panel?back=" + encodeURIComponent(book.dataset.back), {
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var panel = page.getElementById("appt-panel");
      if (!panel) throw new Error("no panel");
      side.textContent = "";
      side.appendChild(document.importNode(panel, true));
      side.hidden = false;
      var close = side.querySelector("[data-close-panel]");
      if (close) close.focus();
    }).catch(function () {
      window.location.assign(block.getAttribute("href"));
    });
  }
  book.addEventListener("click", function (e) {
    var block = e.target.closest(".appt-block");
    if (!block || !side || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    openPanel(block);
  });
  if (side) {
    side.addEventListener("click", function (e) {
      if (e.target.closest("[data-close-panel]")) closePanel();
    });
    side.addEventListener("submit", savePlace);
  }

  // --- keeping the place -------------------------------------------------------------------
  function savePlace() {
    try {
      sessionStorage.setItem(placeKey, JSON.stringify({
        left: wrap.scrollLeft, top: wrap.scrollTop, page: window.scrollY
      }));
    } catch (err) { /* private mode: the book opens at its start */ }
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href]");
    if (link && (wrap.contains(link) || link.id === "new-appointment")) savePlace();
  });
  function restorePlace() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(placeKey) || "null");
      sessionStorage.removeItem(placeKey);
    } catch (err) { saved = null; }
    if (saved) {
      wrap.scrollLeft = saved.left;
      wrap.scrollTop = saved.top;
      window.scrollTo(window.scrollX, saved.page);
    }
    var changed = book.querySelector(".appt-block.changed");
    if (changed) {
      var w = wrap.getBoundingClientRect();
      var c = changed.getBoundingClientRect();
      if (c.top < w.top + 30 || c.bottom > w.bottom || c.left < w.left + 50 || c.right > w.right) {
        wrap.scrollTop += c.top - w.top - w.height / 3;
        wrap.scrollLeft += c.left - w.left - w.width / 3;
      }
      return;
    }
    if (!saved && nowTop() !== null) wrap.scrollTop = Math.max(0, nowTop() - 3 * rows[0].offsetHeight);
  }

  // --- now -----------------------------------------------------------------------------
  var line = document.getElementById("now-line");
  var loaded = Date.now();
  var nowMinute = book.dataset.nowMinute ? parseInt(book.dataset.nowMinute, 10) : null;
  function nowTop() {
    if (nowMinute === null || !rows.length) return null;
    var minute = nowMinute + Math.floor((Date.now() - loaded) / 60000);
    for (var i = 0; i < rows.length; i++) {
      var from = minutesOf(rows[i].dataset.time);
      var to = minutesOf(rows[i].dataset.end);
      if (minute >= from && minute < to) {
        var r = rows[i].getBoundingClientRect();
        var top = r.top - wrap.getBoundingClientRect().top + wrap.scrollTop;
        return top + r.height * (minute - from) / (to - from);
      }
    }
    return null;
  }
  function drawNow() {
    var today = heads.filter(function (h) { return h.classList.contains("today"); });
    var top = nowTop();
    if (!line || top === null || !today.length) {
      if (line) line.hidden = true;
      return;
    }
    var first = boxOf(today[0], 0, 1);
    var last = boxOf(today[today.length - 1], 0, 1);
    line.hidden = false;
    line.style.top = top + "px";
    line.style.left = first.left + "px";
    line.style.width = (last.left + last.width - first.left) + "px";
  }
  // The grid's box ends at the window's bottom, so its sideways scrollbar is on the screen.
  function fit() {
    var top = wrap.getBoundingClientRect().top + window.scrollY;
    wrap.style.maxHeight = Math.max(320, window.innerHeight - top - 12) + "px";
  }
  fit();
  drawNow();
  window.setInterval(drawNow, 60000);
  window.addEventListener("resize", function () { fit(); drawNow(); });
  restorePlace();
})();
