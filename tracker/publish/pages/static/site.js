// The topics search: a small, offline search over the index that ships beside the pages
// (assets/search-index.js). Nothing is fetched; it works from disk and from any web server.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var index = window.TRACKER_INDEX || [];
  var KINDS = { module: "module", concept: "concept", step: "capstone step", check: "check", milestone: "milestone",
                paper: "paper", day: "day" };

  function words(text) {
    return text.toLowerCase().split(/[^a-z0-9.]+/).filter(function (w) { return w.length > 0; });
  }

  // Each row: [kind, id, title, href, more words]. Every query word must appear; title hits rank first.
  function search(query) {
    var terms = words(query);
    if (!terms.length) { return []; }
    var hits = [];
    index.forEach(function (row, position) {
      var title = (row[1] + " " + row[2]).toLowerCase();
      var all = title + " " + (row[4] || "").toLowerCase();
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        if (title.indexOf(terms[i]) >= 0) { score += 2; }
        else if (all.indexOf(terms[i]) >= 0) { score += 1; }
        else { return; }
      }
      hits.push({ row: row, score: score, position: position });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.position - b.position; });
    return hits.slice(0, 50).map(function (h) { return h.row; });
  }

  function show(query) {
    var results = document.getElementById("results");
    var list = document.getElementById("results-list");
    var archive = document.getElementById("archive");
    if (!results || !list) { return; }
    var found = search(query);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!query.trim()) {
      results.hidden = true;
      if (archive) { archive.hidden = false; }
      return;
    }
    document.getElementById("results-title").textContent =
      found.length + " result" + (found.length === 1 ? "" : "s") + " for \u201c" + query.trim() + "\u201d";
    found.forEach(function (row) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = KINDS[row[0]] || row[0];
      var link = document.createElement("a");
      link.href = root + row[3];
      link.textContent = row[2];
      var id = document.createElement("code");
      id.className = "id";
      id.textContent = " " + row[1];
      item.appendChild(kind);
      item.appendChild(link);
      item.appendChild(id);
      list.appendChild(item);
    });
    results.hidden = false;
    if (archive) { archive.hidden = true; }
  }

  var box = document.getElementById("q");
  if (box) {
    var params = new URLSearchParams(window.location.search);
    box.value = params.get("q") || "";
    show(box.value);
    box.addEventListener("input", function () { show(box.value); });
    document.getElementById("search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      show(box.value);
    });
  }
  window.trackerSearch = search;
}());
