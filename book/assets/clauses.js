// Clause links: clicking a clause's label (that of clause 3.3.1, say) copies a link that lands on
// that clause, and shows that it did. The label stays a plain link, so without
// JavaScript or clipboard access it still navigates to the clause.
(function () {
    "use strict";

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
        var link = absoluteLink(anchor);
        if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(link).then(
                function () { announce(anchor, "已复制链接"); },
                function () { announce(anchor, "已定位到本条，可从地址栏复制链接"); }
            );
        } else {
            announce(anchor, "已定位到本条，可从地址栏复制链接");
        }
    });
})();
