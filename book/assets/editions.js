// Editions on the page (data: generated/editions.js, from book/editions/).
//
// - The front page tells a returning reader how many clauses changed since the
//   edition they last opened. Only that edition's version is stored
//   (localStorage), nothing about the reader.
// - A link from an earlier edition lands on its clause even after renumbering
//   (the old anchor is an empty `.clause-alias` element inside the clause);
//   this script adds a note saying so, or, for a removed clause, what became
//   of it. Every word shown comes from the generated data.
(function () {
    "use strict";
    var data = window.WX_EDITIONS;
    if (!data) return;
    var SEEN_KEY = "wx-edition-seen";

    /** `{name}` → values[name]: the templates come from Rust. */
    function fill(template, values) {
        return template.replace(/\{(\w+)\}/g, function (all, name) {
            return name in values ? String(values[name]) : all;
        });
    }

    function changelogLink() {
        var a = document.createElement("a");
        a.href = (window.path_to_root || "") + "changelog.html";
        a.textContent = data.words.changelog;
        return a;
    }

    function note(className, text) {
        var p = document.createElement("p");
        p.className = "edition-note-banner " + className;
        p.setAttribute("role", "status");
        p.appendChild(document.createTextNode(text + " "));
        p.appendChild(changelogLink());
        return p;
    }

    function showReturningNotice() {
        var seen = null;
        try {
            seen = window.localStorage.getItem(SEEN_KEY);
            window.localStorage.setItem(SEEN_KEY, data.current);
        } catch (e) {
            return; // storage disabled: nothing to compare with
        }
        var notice = document.querySelector(".edition-notice");
        if (!notice || !seen || seen === data.current) return;
        var n = data.since[seen];
        if (!n) return;
        notice.textContent = fill(data.words.notice, { seen: seen, n: n, current: data.current }) + " ";
        notice.appendChild(changelogLink());
        notice.hidden = false;
    }

    var shown = null;
    function explainArrival() {
        if (shown) {
            shown.remove();
            shown = null;
        }
        var id;
        try {
            id = decodeURIComponent(window.location.hash.slice(1));
        } catch (e) {
            return;
        }
        if (!id || id.length > 200) return;
        var target = document.getElementById(id);
        if (target && target.classList.contains("clause-alias")) {
            var clause = target.closest("[data-clause]");
            if (!clause) return;
            shown = note("edition-moved", fill(data.words.moved, {
                edition: target.dataset.edition,
                was: target.dataset.was,
                label: clause.dataset.label,
            }));
            var anchor = clause.querySelector(".clause-anchor");
            (anchor ? anchor.parentNode : clause).insertBefore(shown, anchor ? anchor.nextSibling : clause.firstChild);
            return;
        }
        if (target) return;
        var page = window.location.pathname.split("/").pop() || "index.html";
        var retired = data.retired[page + "#" + id];
        var main = document.querySelector("main");
        if (!retired || !main) return;
        shown = note("edition-removed", fill(data.words.removed, retired));
        main.insertBefore(shown, main.firstChild);
    }

    function start() {
        showReturningNotice();
        explainArrival();
        window.addEventListener("hashchange", explainArrival);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();
