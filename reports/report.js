// corpus-qc report: sortable, filterable findings table and a document view with highlighted spans.
// Corpus text only ever reaches the DOM through textContent; nothing here builds HTML from strings.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qc-data").textContent);
  var rows = data.findings;
  var PAGE = 200;
  var COL = {};
  data.columns.forEach(function (name, i) { COL[name] = i; });
  var COLORS = ["#ffe082", "#b3e5fc", "#c8e6c9", "#f8bbd0", "#d1c4e9", "#ffccbc", "#b2dfdb", "#f0f4c3",
                "#cfd8dc", "#ffe0b2"];
  var ruleColor = {};
  Object.keys(data.rules).sort().forEach(function (code, i) { ruleColor[code] = COLORS[i % COLORS.length]; });

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
      tr.appendChild(el("td", r[COL.source_path] + ":" + r[COL.source_line], "loc"));
      var ctx = el("td", null, "ctx");
      if (r[COL.before]) { ctx.appendChild(document.createTextNode("…" + shown(r[COL.before]))); }
      if (r[COL.start] === null && !r[COL.match]) {
        ctx.appendChild(document.createTextNode(r[COL.message]));  // a whole-record finding
      } else {
        var mark = el("mark", shown(r[COL.match]));
        mark.style.background = ruleColor[r[COL.rule]] || "";
        ctx.appendChild(mark);
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
    // Offsets are code points (Python str indices); Array.from splits by code point, not UTF-16 unit.
    var chars = Array.from(doc.text);
    var spans = doc.spans.slice().sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pre = document.getElementById("doc-text");
    pre.textContent = "";
    var pos = 0, focus = null, used = {};
    spans.forEach(function (s) {
      if (s[0] < pos) {  // overlaps the previous mark: name it there instead of splitting the text
        var last = pre.lastChild;
        if (last && last.tagName === "MARK") { last.title += ", " + s[2]; }
        used[s[2]] = true;
        return;
      }
      if (s[0] > pos) { pre.appendChild(document.createTextNode(chars.slice(pos, s[0]).join(""))); }
      var mark = el("mark", chars.slice(s[0], s[1]).join(""));
      mark.style.background = ruleColor[s[2]] || "";
      mark.title = s[2] + " (" + s[3] + ")";
      mark.setAttribute("data-rule", s[2]);
      mark.setAttribute("data-start", s[0]);
      mark.setAttribute("data-end", s[1]);
      pre.appendChild(mark);
      if (s[0] === focusStart && focus === null) { focus = mark; }
      used[s[2]] = true;
      pos = s[1];
    });
    if (pos < chars.length) { pre.appendChild(document.createTextNode(chars.slice(pos).join(""))); }
    var legend = document.getElementById("legend");
    legend.textContent = "";
    Object.keys(used).sort().forEach(function (code) {
      var item = el("span", code + " " + (data.rules[code] ? data.rules[code].name : ""));
      item.style.background = ruleColor[code] || "";
      legend.appendChild(item);
    });
    section.scrollTop = 0;
    if (focus) { focus.scrollIntoView({block: "center"}); }
  }

  refresh();
}());
