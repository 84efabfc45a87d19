// corpus-qc report: sortable, filterable findings table and a document view with highlighted spans.
// Corpus text only ever reaches the DOM through textContent; nothing here builds HTML from strings.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qc-data").textContent);
  var rows = data.findings;
  var PAGE = 200;
  var COL = {};
  data.columns.forEach(function (name, i) { COL[name] = i; });
  var RANK = {error: 3, warning: 2, info: 1};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  // A rule code linked to its documentation page when the report knows one (an http(s) URL from config).
  function ruleLink(code) {
    var info = data.rules[code];
    if (!info || !info.url) { return document.createTextNode(code); }
    var link = el("a", code);
    link.href = info.url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    link.addEventListener("click", function (event) { event.stopPropagation(); });  // not the row's document
    return link;
  }

  // Newlines inside a context are shown as ⏎ so a row stays compact.
  function shown(text) { return String(text === null || text === undefined ? "" : text).replace(/\r\n|\r|\n/g, "⏎"); }

  function fillSelect(id, col) {
    var select = document.getElementById(id);
    var values = {};
    rows.forEach(function (r) { if (r[col] !== null && r[col] !== undefined) { values[r[col]] = true; } });
    Object.keys(values).sort().forEach(function (v) {
      var opt = el("option", v);
      opt.value = v;
      select.appendChild(opt);
    });
    select.addEventListener("change", refresh);
  }
  fillSelect("f-family", COL.family);
  fillSelect("f-rule", COL.rule);
  fillSelect("f-severity", COL.severity);
  fillSelect("f-site", COL.site);
  document.getElementById("f-text").addEventListener("input", refresh);
  var onlyNew = document.getElementById("f-new");
  if (onlyNew) { onlyNew.addEventListener("change", refresh); }

  var sortKey = null;
  var sortDir = 1;
  var limit = PAGE;
  var visible = rows;
  document.querySelectorAll("#findings th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = Number(th.getAttribute("data-key"));
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      document.querySelectorAll("#findings th").forEach(function (h) { h.removeAttribute("data-sort"); });
      th.setAttribute("data-sort", sortDir > 0 ? "asc" : "desc");
      refresh();
    });
  });
  document.getElementById("more").addEventListener("click", function () { limit += PAGE; draw(); });
  function closeDocument() { document.getElementById("document").hidden = true; }
  document.getElementById("doc-close").addEventListener("click", closeDocument);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeDocument(); } });

  function value(id) { return document.getElementById(id).value; }

  function refresh() {
    var family = value("f-family"), rule = value("f-rule"), severity = value("f-severity"), site = value("f-site");
    var text = value("f-text").toLowerCase();
    visible = rows.filter(function (r) {
      if (family && r[COL.family] !== family) { return false; }
      if (rule && r[COL.rule] !== rule) { return false; }
      if (severity && r[COL.severity] !== severity) { return false; }
      if (site && r[COL.site] !== site) { return false; }
      if (onlyNew && onlyNew.checked && !r[COL.new]) { return false; }
      if (text) {
        var hay = [r[COL.doc_id], r[COL.match], r[COL.message]].join(" ").toLowerCase();
        if (hay.indexOf(text) < 0) { return false; }
      }
      return true;
    });
    if (sortKey !== null) {
      visible = visible.slice().sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        if (x === y) { return 0; }
        if (x === null || x === undefined) { return 1; }
        if (y === null || y === undefined) { return -1; }
        return (x < y ? -1 : 1) * sortDir;
      });
    }
    limit = PAGE;
    draw();
  }

  function draw() {
    var body = document.querySelector("#findings tbody");
    body.textContent = "";
    visible.slice(0, limit).forEach(function (r) {
      var tr = el("tr");
      var ruleCell = el("td");
      ruleCell.appendChild(ruleLink(r[COL.rule]));
      if (data.baseline && r[COL.new]) { ruleCell.appendChild(el("span", "new", "badge-new")); }
      tr.appendChild(ruleCell);
      var sev = el("td");
      sev.appendChild(el("span", r[COL.severity], "sev " + r[COL.severity]));
      tr.appendChild(sev);
      tr.appendChild(el("td", r[COL.site]));
      tr.appendChild(el("td", r[COL.doc_id]));
      // A WARC record is located by its byte offset (path@offset), every other record by its line or row.
      var at = r[COL.locator] === "offset" ? "@" : ":";
      tr.appendChild(el("td", r[COL.source_path] + at + r[COL.source_line], "loc"));
      var ctx = el("td", null, "ctx");
      if (r[COL.before]) { ctx.appendChild(document.createTextNode("…" + shown(r[COL.before]))); }
      if (r[COL.start] === null && !r[COL.match]) {
        ctx.appendChild(document.createTextNode(r[COL.message]));  // a whole-record finding
      } else {
        ctx.appendChild(el("mark", shown(r[COL.match]), "hl-" + r[COL.severity]));
      }
      if (r[COL.after]) { ctx.appendChild(document.createTextNode(shown(r[COL.after]) + "…")); }
      ctx.title = r[COL.message];
      tr.appendChild(ctx);
      if (r[COL.doc]) {
        tr.setAttribute("data-doc", r[COL.doc]);
        tr.addEventListener("click", function () { openDocument(r[COL.doc], r[COL.start]); });
      }
      body.appendChild(tr);
    });
    document.getElementById("f-count").textContent =
      "showing " + Math.min(limit, visible.length) + " of " + visible.length + " embedded findings";
    document.getElementById("more").hidden = visible.length <= limit;
  }

  function openDocument(key, focusStart) {
    var doc = data.documents[key];
    if (!doc) { return; }
    var section = document.getElementById("document");
    section.hidden = false;
    document.getElementById("doc-title").textContent = doc.doc_id || "(no doc_id)";
    var meta = [doc.source, doc.site, doc.title, doc.url].filter(function (x) { return x; }).join(" · ");
    document.getElementById("doc-meta").textContent = meta + (doc.truncated ? " · text cut for this report" : "");
    var pre = document.getElementById("doc-text");
    pre.textContent = "";
    var focus = null, used = {}, shownUpTo = 0;
    // A long document comes as pieces (its head and the text around its spans), each at its offset in the
    // field; what lies between them is named, not shown.
    doc.pieces.forEach(function (entry) {
      var offset = entry[0];
      // Offsets are code points (Python str indices); Array.from splits by code point, not UTF-16 unit.
      var chars = Array.from(entry[1]);
      if (offset > shownUpTo) {
        pre.appendChild(el("span", "\n… " + (offset - shownUpTo) + " characters not embedded …\n", "gap"));
      }
      shownUpTo = offset + chars.length;
      // Cut the piece at every span boundary; each part is marked by every span covering it, so overlapping
      // and nested spans all stay visible: the part takes the most severe colour, and a part inside two
      // spans is drawn darker. Its title lists every rule on it.
      var inPiece = doc.spans.filter(function (s) { return s[0] >= offset && s[1] <= shownUpTo; });
      var cuts = {};
      cuts[offset] = true;
      cuts[shownUpTo] = true;
      inPiece.forEach(function (s) { cuts[s[0]] = true; cuts[s[1]] = true; });
      var points = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
      for (var i = 0; i + 1 < points.length; i++) {
        var from = points[i], to = points[i + 1];
        var part = chars.slice(from - offset, to - offset).join("");
        var covering = inPiece.filter(function (s) { return s[0] <= from && s[1] >= to && s[1] > s[0]; });
        if (!covering.length) { pre.appendChild(document.createTextNode(part)); continue; }
        var worst = covering.reduce(function (a, b) { return (RANK[b[3]] || 0) > (RANK[a[3]] || 0) ? b : a; });
        var mark = el("mark", part, "hl-" + worst[3] + " depth" + Math.min(covering.length, 3));
        mark.title = covering.map(function (s) {
          return s[2] + " " + (data.rules[s[2]] ? data.rules[s[2]].name : "") + " (" + s[3] + ")";
        }).join("\n");
        mark.setAttribute("data-rules", covering.map(function (s) { return s[2]; }).join(" "));
        mark.setAttribute("data-severity", worst[3]);
        mark.setAttribute("data-start", from);
        mark.setAttribute("data-end", to);
        pre.appendChild(mark);
        covering.forEach(function (s) { used[s[2]] = s[3]; });
        if (focus === null && covering.some(function (s) { return s[0] === focusStart; })) { focus = mark; }
      }
    });
    var legend = document.getElementById("legend");
    legend.textContent = "";
    Object.keys(used).sort().forEach(function (code) {
      var item = el("span", code + " " + (data.rules[code] ? data.rules[code].name : ""), "hl-" + used[code]);
      item.setAttribute("data-severity", used[code]);
      legend.appendChild(item);
    });
    section.scrollTop = 0;
    if (focus) {
      // Scroll the clicked span to the middle of the view (below the sticky legend) and flash it.
      var target = focus;
      window.requestAnimationFrame(function () {
        target.scrollIntoView({block: "center"});
        target.classList.remove("flash");
        void target.offsetWidth;  // restart the animation when the same span is opened again
        target.classList.add("flash");
        target.setAttribute("data-focused", "true");
      });
    }
  }

  refresh();
}());
