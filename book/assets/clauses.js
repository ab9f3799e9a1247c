// Clause links: clicking a clause's label (that of clause 3.3.1, say) copies a link that lands on
// that clause, and shows that it did. The label stays a plain link, so without
// JavaScript or clipboard access it still navigates to the clause.
//
// Opened from a file (file://), a link names a path on this machine that a
// colleague cannot open; then the label, title and page position are copied
// instead ("<label> <title>（手册 publishing.html#c-3-3-1）"), and the
// reader is told why.
(function () {
    "use strict";

    /** The clause's title from the search index (an item without one shows its section's). */
    function titleOf(id) {
        var index = window.wxSearchIndex;
        if (!index || !index.c || !id) return "";
        var rows = {};
        for (var i = 0; i < index.c.length; i++) rows[index.c[i][0]] = index.c[i];
        var row = rows[id];
        if (row && row[2] === "" && id.split(".").length === 3) row = rows[id.replace(/\.\d+$/, "")];
        return row ? row[2] : "";
    }

    /** What to copy from a file:// page: text a colleague can use to find the clause. */
    function offlineText(anchor) {
        var clause = anchor.closest("[data-clause]");
        var label = (clause && clause.dataset.label) || anchor.textContent.trim();
        var title = titleOf(clause && clause.dataset.clause);
        var page = window.location.pathname.replace(/^.*\//, "");
        return label + (title ? " " + title : "") + "（手册 " + page + anchor.getAttribute("href") + "）";
    }

    function absoluteLink(anchor) {
        var url = new URL(window.location.href);
        url.search = "";
        url.hash = anchor.getAttribute("href");
        return url.href;
    }

    function announce(anchor, text) {
        anchor.dataset.copied = text;
        anchor.classList.add("clause-anchor-copied");
        window.setTimeout(function () {
            anchor.classList.remove("clause-anchor-copied");
        }, 1500);
        var live = document.getElementById("clause-copy-status");
        if (!live) {
            live = document.createElement("div");
            live.id = "clause-copy-status";
            live.className = "visually-hidden";
            live.setAttribute("role", "status");
            live.setAttribute("aria-live", "polite");
            document.body.appendChild(live);
        }
        live.textContent = text;
    }

    document.addEventListener("click", function (event) {
        var anchor = event.target.closest && event.target.closest("a.clause-anchor");
        if (!anchor) return;
        var offline = window.location.protocol === "file:";
        var link = offline ? offlineText(anchor) : absoluteLink(anchor);
        var done = offline
            ? "已复制条款编号和所在页面：本页是从文件打开的，它的链接只有打开同一份文件的同事才能用"
            : "已复制链接";
        if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(link).then(
                function () { announce(anchor, done); },
                function () { announce(anchor, "已定位到本条，可从地址栏复制链接"); }
            );
        } else {
            announce(anchor, "已定位到本条，可从地址栏复制链接");
        }
    });
})();
