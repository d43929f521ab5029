// Trường Số: the gradebook grid (sổ điểm). Progressive enhancement of a plain form that
// saves without this file. Keyboard-first entry, values checked as typed with the server's
// rules (sent by the page, with the server's own messages), paste from Excel, the row's
// result recomputed for display, and saving of changed cells as JSON with compare-and-set.
(function () {
  "use strict";

  var configEl = document.getElementById("grid-config");
  var form = document.getElementById("grid-form");
  var table = document.getElementById("grid-table");
  if (!configEl || !form || !table) return;
  var config = JSON.parse(configEl.textContent);
  if (!config.editable) return;

  var M = config.messages;
  var AUTOSAVE_MS = 1200;
  var columns = {};
  config.columns.forEach(function (c) { columns[c.code] = c; });
  var statusEl = document.getElementById("grid-status");
  var messageEl = document.getElementById("grid-message");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
    return r.dataset.student;
  });
  var matrix = rows.map(function (row) {
    return Array.prototype.slice.call(row.querySelectorAll("input.grid-input"));
  });
  var byKey = {};
  var timer = null;
  var inFlight = false;
  var queued = false;
  var lastSaved = "";
  var notice = "";
  var noticeKind = ""; // "error" (a failed save: cleared by the next) or "conflict" (by typing)

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  // Cleaning: the same rules and messages as the server (engine.clean and the homeroom
  // cleaners). Returns {value: stored} or {error: message}.
  function cleanNumber(col, text) {
    var t = text.replace(/,/g, ".");
    var dots = (t.match(/\./g) || []).length;
    if (!/^[0-9.]+$/.test(t) || dots > 1 || !/[0-9]/.test(t)) {
      return { error: fmt(M.not_a_number, { col: col.label, low: col.low, high: col.high, v: text.slice(0, 12) }) };
    }
    var parts = t.split(".");
    var fraction = (parts[1] || "").replace(/0+$/, "");
    if (col.kind === "test" && fraction.length > 0) {
      return { error: fmt(M.whole_points, { col: col.label, v: text }) };
    }
    if (fraction.length > 1) return { error: fmt(M.one_decimal, { v: text }) };
    var tenths = parseInt(parts[0] || "0", 10) * 10 + (fraction ? parseInt(fraction, 10) : 0);
    if (tenths < col.low * 10 || tenths > col.high * 10) {
      return { error: fmt(M.range, { col: col.label, low: col.low, high: col.high, v: text }) };
    }
    return { value: showTenths(tenths, false) };
  }

  function showTenths(tenths, always) {
    var whole = Math.floor(tenths / 10);
    var rest = tenths % 10;
    return rest === 0 && !always ? String(whole) : whole + "." + rest;
  }

  function tenthsOf(value) {
    var parts = value.split(".");
    return parseInt(parts[0], 10) * 10 + (parts[1] ? parseInt(parts[1], 10) : 0);
  }

  function clean(col, raw) {
    var text = String(raw).trim();
    if (col.kind === "text") {
      var collapsed = text.split(/\s+/).filter(Boolean).join(" ");
      if (collapsed.length > col.max) return { error: fmt(M.too_long, { n: col.max }) };
      return { value: collapsed };
    }
    if (!text) return { value: "" };
    if (col.kind === "score" || col.kind === "test") return cleanNumber(col, text);
    if (col.kind === "count") {
      if (!/^[0-9]+$/.test(text) || parseInt(text, 10) > col.max) {
        return { error: fmt(col.message, { v: text.slice(0, 12) }) };
      }
      var n = parseInt(text, 10);
      return { value: n ? String(n) : "" };
    }
    var found = col.aliases[text.toLowerCase()];
    if (found === undefined) {
      if (col.kind === "mark") {
        return { error: fmt(M.mark, { col: col.label, choices: col.choices.join(" / "), v: text.slice(0, 12) }) };
      }
      return { error: fmt(col.message, { v: text.slice(0, 12) }) };
    }
    return { value: found };
  }

  function display(col, stored) {
    return (col.display && col.display[stored]) || stored;
  }

  // Cell state ----------------------------------------------------------------------------
  function rowOf(input) { return input.closest("tr"); }
  function keyOf(student, code) { return student + ":" + code; }
  function colOf(input) { return columns[input.dataset.code]; }

  function messageSpan(input) {
    var id = "msg-" + input.id;
    var span = document.getElementById(id);
    if (!span) {
      span = document.createElement("span");
      span.id = id;
      span.className = "grid-message";
      input.parentNode.appendChild(span);
    }
    return span;
  }

  function mark(input, message, kind) {
    var cell = input.parentNode;
    cell.classList.remove("grid-invalid", "grid-conflict");
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("title");
    var span = document.getElementById("msg-" + input.id);
    if (!message) {
      if (span) span.textContent = "";
      input.removeAttribute("aria-describedby");
      return;
    }
    span = messageSpan(input);
    span.textContent = message;
    input.setAttribute("aria-describedby", span.id);
    input.setAttribute("title", message);
    cell.classList.add(kind === "conflict" ? "grid-conflict" : "grid-invalid");
    if (kind !== "conflict") {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    }
  }

  function check(input) {
    var result = clean(colOf(input), input.value);
    input._clean = result;
    input._serverError = false;
    mark(input, result.error || "", "invalid");
    var dirty = !input.readOnly && (result.error !== undefined || result.value !== input.dataset.old);
    input.parentNode.classList.toggle("grid-dirty", dirty);
    return result;
  }

  function isDirty(input) {
    var c = input._clean;
    return !input.readOnly && (!c || c.error !== undefined || c.value !== input.dataset.old);
  }

  function isSendable(input) {
    return isDirty(input) && input._clean && input._clean.error === undefined && !input._serverError;
  }

  function all() {
    return matrix.reduce(function (acc, row) { return acc.concat(row); }, []);
  }

  // The row's result, recomputed for display (the server's value replaces it on save).
  function outcome(row) {
    var rules = config.outcome || {};
    var out = row.querySelector("output[data-outcome]");
    if (!out || !rules.type) return;
    var values = {};
    row.querySelectorAll("input.grid-input").forEach(function (input) {
      var c = input._clean || clean(colOf(input), input.value);
      values[input.dataset.code] = c.error === undefined ? c.value : "";
    });
    out.textContent = computeOutcome(rules, values);
  }

  function computeOutcome(rules, values) {
    if (rules.type === "average") {
      var num = 0;
      var den = 0;
      var codes = Object.keys(rules.weights);
      for (var i = 0; i < codes.length; i++) {
        var v = values[codes[i]];
        if (!v) return "";
        num += tenthsOf(v) * rules.weights[codes[i]];
        den += rules.weights[codes[i]];
      }
      return showTenths(Math.floor((2 * num + den) / (2 * den)), true);
    }
    if (rules.type === "marks") {
      if (rules.codes.some(function (c) { return !values[c]; })) return "";
      return rules.codes.every(function (c) { return values[c] === rules.pass; }) ? rules.pass : rules.fail;
    }
    if (rules.type === "level") {
      var level = values[rules.mark] || "";
      var test = rules.test ? values[rules.test] : "";
      if (rules.test && !test) return "";
      return level && test ? level + " (" + test + ")" : level;
    }
    return "";
  }

  // Status line -----------------------------------------------------------------------------
  function updateStatus() {
    if (!statusEl) return;
    var inputs = all();
    var invalid = inputs.filter(function (i) {
      return !i.readOnly && ((i._clean && i._clean.error !== undefined) || i._serverError);
    }).length;
    var waiting = inputs.filter(isSendable).length;
    var parts = [];
    var state = "clean";
    if (inFlight) {
      parts.push(M.saving);
      state = "saving";
    } else if (notice) {
      parts.push(notice);
      state = "error";
    } else if (waiting) {
      parts.push(fmt(M.unsaved, { n: waiting }));
      state = "dirty";
    } else if (lastSaved) {
      parts.push(fmt(M.saved_at, { time: lastSaved }));
      state = "saved";
    }
    if (invalid) parts.push(fmt(M.invalid, { n: invalid }));
    statusEl.textContent = parts.join(" · ");
    statusEl.dataset.state = state;
    statusEl.classList.toggle("text-danger", state === "error" || invalid > 0);
    showMessage(document.activeElement);
  }

  // The focused cell's problem, in words, under the toolbar (a phone has no hover).
  function showMessage(input) {
    if (!messageEl) return;
    var span = input && input.id ? document.getElementById("msg-" + input.id) : null;
    messageEl.textContent = span ? span.textContent : "";
  }

  // Saving --------------------------------------------------------------------------------
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_MS);
  }

  function save() {
    clearTimeout(timer);
    if (inFlight) {
      queued = true;
      return;
    }
    var batch = all().filter(isSendable).map(function (input) {
      return {
        input: input,
        student: parseInt(rowOf(input).dataset.student, 10),
        code: input.dataset.code,
        old: input.dataset.old,
        new: input.value,
      };
    });
    if (!batch.length) {
      updateStatus();
      return;
    }
    inFlight = true;
    if (noticeKind !== "conflict") notice = "";
    updateStatus();
    var body = JSON.stringify(batch.map(function (b) {
      return { student: b.student, code: b.code, old: b.old, new: b.new };
    }));
    fetch(config.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf ? csrf.value : "",
      },
      body: body,
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        handle(response.status, data, batch);
      });
    }).catch(function () {
      notice = M.offline;
      noticeKind = "error";
    }).then(function () {
      inFlight = false;
      updateStatus();
      if (queued) {
        queued = false;
        save();
      }
    });
  }

  function handle(status, data, batch) {
    if (status === 200 && data) {
      saved(data, batch);
    } else if (status === 400 && data && data.errors && data.errors.length) {
      refused(data.errors);
      queued = true; // the other cells of the batch were not saved: send them again
    } else {
      notice = (data && data.error) || fmt(M.failed, { status: status });
      noticeKind = "error";
    }
  }

  function saved(data, batch) {
    var sent = {};
    batch.forEach(function (b) { sent[keyOf(b.student, b.code)] = b.new; });
    (data.cells || []).forEach(function (cell) {
      var input = byKey[keyOf(cell.student, cell.code)];
      if (!input) return;
      input.dataset.old = cell.value;
      var hidden = form.querySelector('input[type=hidden][name="o:' + cell.student + ":" + cell.code + '"]');
      if (hidden) hidden.value = cell.value;
      if (input.value === sent[keyOf(cell.student, cell.code)]) {
        input.value = display(colOf(input), cell.value);
      }
      check(input);
    });
    rows.forEach(function (row) {
      var server = (data.outcomes || {})[row.dataset.student];
      var out = row.querySelector("output[data-outcome]");
      var pending = Array.prototype.some.call(row.querySelectorAll("input.grid-input"), isDirty);
      if (out && server !== undefined && !pending) out.textContent = server;
    });
    lastSaved = data.saved_at || "";
  }

  function refused(errors) {
    var conflicts = errors.filter(function (e) { return e.current !== undefined; }).length;
    if (conflicts) {
      notice = fmt(M.conflicts, { n: conflicts });
      noticeKind = "conflict";
    }
    errors.forEach(function (error) {
      var input = byKey[keyOf(error.student, error.code)];
      if (!input) {
        notice = error.message;
        noticeKind = "error";
        return;
      }
      if (error.current !== undefined) {
        // Someone else saved this cell meanwhile: show their value, ask to type again.
        var typed = input.value;
        input.dataset.old = error.current;
        input.value = display(colOf(input), error.current);
        check(input);
        mark(input, error.message + " " + fmt(M.yours, { v: typed }), "conflict");
        outcome(rowOf(input));
      } else {
        mark(input, error.message, "invalid");
        input._serverError = true;
      }
    });
  }

  // Keyboard --------------------------------------------------------------------------------
  function move(input, dr, dc) {
    var r = input._r + dr;
    var c = input._c + dc;
    if (r < 0 || r >= matrix.length || c < 0 || c >= matrix[r].length) return false;
    matrix[r][c].focus();
    matrix[r][c].select();
    return true;
  }

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-input")) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var end = input.value.length;
    var atEnd = input.selectionStart === end && input.selectionEnd === end;
    var handled = false;
    if (event.key === "Enter") handled = move(input, event.shiftKey ? -1 : 1, 0) || true;
    else if (event.key === "ArrowDown") handled = move(input, 1, 0) || true;
    else if (event.key === "ArrowUp") handled = move(input, -1, 0) || true;
    else if (event.key === "ArrowLeft" && atStart) handled = move(input, 0, -1);
    else if (event.key === "ArrowRight" && atEnd) handled = move(input, 0, 1);
    else if (event.key === "Escape" && !input.readOnly) {
      input.value = display(colOf(input), input.dataset.old);
      check(input);
      outcome(rowOf(input));
      updateStatus();
      handled = true;
    }
    if (handled) event.preventDefault();
  });

  // Paste a column or a block from Excel (tab- and newline-separated text) ------------------
  table.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-input")) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    var body = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    if (!/[\t\n]/.test(body)) return; // one value: the browser pastes it
    event.preventDefault();
    var block = body.split("\n").map(function (line) { return line.split("\t"); });
    var height = block.length;
    var width = Math.max.apply(null, block.map(function (b) { return b.length; }));
    var freeRows = matrix.length - input._r;
    var freeCols = matrix[input._r].length - input._c;
    if (height > freeRows || width > freeCols) {
      return flash(fmt(M.paste_too_big, {
        rows: height, cols: width, free_rows: freeRows, free_cols: freeCols,
      }));
    }
    var targets = [];
    for (var i = 0; i < height; i++) {
      for (var j = 0; j < block[i].length; j++) {
        var target = matrix[input._r + i][input._c + j];
        if (target.readOnly) return flash(M.paste_locked);
        targets.push([target, block[i][j]]);
      }
    }
    targets.forEach(function (t) {
      t[0].value = t[1].trim();
      check(t[0]);
    });
    rows.forEach(outcome);
    notice = "";
    noticeKind = "";
    updateStatus();
    schedule();
  });

  function flash(message) {
    notice = message;
    noticeKind = "error";
    updateStatus();
  }

  // Wiring --------------------------------------------------------------------------------
  matrix.forEach(function (row, r) {
    row.forEach(function (input, c) {
      input._r = r;
      input._c = c;
      byKey[keyOf(rowOf(input).dataset.student, input.dataset.code)] = input;
      // An error rendered by the server (the form path) stays until the cell is edited.
      var serverMessage = input.getAttribute("aria-invalid") ? input.getAttribute("title") : "";
      var result = check(input);
      if (serverMessage && result.error === undefined) {
        mark(input, serverMessage, "invalid");
        input._serverError = true;
      }
    });
  });

  table.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-input")) return;
    check(input);
    outcome(rowOf(input));
    notice = "";
    noticeKind = "";
    updateStatus();
    schedule();
  });

  table.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("grid-input")) {
      input.select();
      showMessage(input);
    }
  });

  table.addEventListener("focusout", function (event) {
    var from = event.target.closest && event.target.closest("tr");
    var to = event.relatedTarget && event.relatedTarget.closest && event.relatedTarget.closest("tr");
    if (from && from !== to && all().some(isSendable)) save();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!all().some(isSendable) && !all().some(isDirty)) flash(M.nothing);
    else save();
  });

  window.addEventListener("beforeunload", function (event) {
    if (inFlight || all().some(isDirty)) {
      event.preventDefault();
      event.returnValue = M.leave;
      return M.leave;
    }
    return undefined;
  });

  rows.forEach(outcome);
  updateStatus();
})();
