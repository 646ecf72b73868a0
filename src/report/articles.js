(function () {
  "use strict";
  // Filters (speaker, stance), paging and table sorting. Everything is read from the DOM;
  // the state is mirrored in the URL fragment (#speaker=…&stance=…&page=…) so a view can be
  // linked to, and a fragment given on load is applied.
  var PAGE_SIZE = parseInt(document.getElementById("articles").getAttribute("data-page-size"), 10) || 20;
  var $ = function (id) { return document.getElementById(id); };
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  var articles = all("article.art");
  var marks = articles.map(function (a) { return all("mark.q", a); });
  var toggles = all("button.stance-toggle");
  var stances = toggles.map(function (b) { return b.getAttribute("data-stance"); });
  var speakerButtons = all("button.spk");
  var state = { speaker: null, stances: stances.slice(), page: 0 };

  function filtered() {
    return state.speaker !== null || state.stances.length < stances.length;
  }

  function apply(openMatches) {
    var shown = [];
    var matching = 0;
    for (var i = 0; i < articles.length; i++) {
      var any = false;
      var ms = marks[i];
      for (var j = 0; j < ms.length; j++) {
        var m = ms[j];
        var ok = (state.speaker === null || m.getAttribute("data-speaker") === state.speaker) &&
          state.stances.indexOf(m.getAttribute("data-stance")) >= 0;
        m.parentNode.classList.toggle("off", !ok);
        if (ok) { any = true; matching++; }
      }
      if (any || !filtered()) shown.push(i);
    }
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var from = state.page * PAGE_SIZE;
    var onPage = shown.slice(from, from + PAGE_SIZE);
    var visible = {};
    onPage.forEach(function (i) { visible[i] = true; });
    articles.forEach(function (a, i) { a.hidden = !visible[i]; });
    if (openMatches && filtered()) {
      onPage.forEach(function (i) { articles[i].querySelector("details").open = true; });
    }
    toggles.forEach(function (b) {
      b.setAttribute("aria-pressed", state.stances.indexOf(b.getAttribute("data-stance")) >= 0 ? "true" : "false");
    });
    speakerButtons.forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-speaker") === state.speaker ? "true" : "false");
    });
    $("active-speaker").textContent = state.speaker === null ? "all" :
      (state.speaker === "" ? "unknown speaker" : state.speaker);
    $("page-info").textContent = "Page " + (state.page + 1) + " of " + pages;
    $("prev-page").disabled = state.page === 0;
    $("next-page").disabled = state.page >= pages - 1;
    $("status").textContent = (shown.length === articles.length ? "" : shown.length + " of ") +
      articles.length + " article" + (articles.length === 1 ? "" : "s") +
      (onPage.length < shown.length ? " (" + (from + 1) + "–" + (from + onPage.length) + " shown)" : "") +
      " · " + matching + " quote" + (matching === 1 ? "" : "s") + " highlighted";
    writeHash();
  }

  function writeHash() {
    var parts = [];
    if (state.speaker !== null) parts.push("speaker=" + encodeURIComponent(state.speaker));
    if (state.stances.length < stances.length) parts.push("stance=" + state.stances.map(encodeURIComponent).join(","));
    if (state.page > 0) parts.push("page=" + (state.page + 1));
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash === location.hash || (hash === "" && location.hash === "#")) return;
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (e) {
      // Some browsers refuse history changes on file:// pages; the view still works.
    }
  }

  function readHash() {
    state.speaker = null;
    state.stances = stances.slice();
    state.page = 0;
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var at = kv.indexOf("=");
      if (at < 0) return;
      var key = kv.slice(0, at);
      var value;
      try { value = decodeURIComponent(kv.slice(at + 1)); } catch (e) { return; }
      if (key === "speaker") state.speaker = value;
      if (key === "stance") {
        state.stances = value.split(",").filter(function (s) { return stances.indexOf(s) >= 0; });
      }
      if (key === "page") state.page = (parseInt(value, 10) || 1) - 1;
    });
  }

  function setSpeaker(name) {
    state.speaker = state.speaker === name ? null : name;
    state.page = 0;
    apply(true);
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button") : null;
    if (!b || b.disabled) return;
    if (b.classList.contains("spk") || b.classList.contains("who")) {
      setSpeaker(b.getAttribute("data-speaker"));
    } else if (b.classList.contains("stance-toggle")) {
      var s = b.getAttribute("data-stance");
      var k = state.stances.indexOf(s);
      if (k >= 0) state.stances.splice(k, 1); else state.stances.push(s);
      state.page = 0;
      apply(true);
    } else if (b.id === "clear-filters") {
      state.speaker = null;
      state.stances = stances.slice();
      state.page = 0;
      apply(false);
    } else if (b.id === "prev-page" || b.id === "next-page") {
      state.page += b.id === "next-page" ? 1 : -1;
      apply(true);
      $("controls").scrollIntoView();
    } else if (b.id === "expand-page" || b.id === "collapse-page") {
      var open = b.id === "expand-page";
      articles.forEach(function (a) { if (!a.hidden) a.querySelector("details").open = open; });
    }
  });

  // Sort the speaker table by a column: numbers high to low first, text A to Z first.
  all("#speakers th.sortable").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var num = th.getAttribute("data-sort") === "num";
      var dir = th.getAttribute("aria-sort") === (num ? "descending" : "ascending") ? -1 : 1;
      all("#speakers th.sortable").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", (dir === 1) === num ? "descending" : "ascending");
      var body = $("speakers").tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var c = num ? parseFloat(y) - parseFloat(x) : x.localeCompare(y);
        return dir * c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });

  window.addEventListener("hashchange", function () { readHash(); apply(true); });
  $("controls").hidden = false;
  readHash();
  apply(location.hash.length > 1);
})();
