// ARIA state of the sidebar, once the sidebar and its toggle exist (mdBook's inline template script).
/* global sidebar */
(function () {
    document.getElementById("mdbook-sidebar-toggle").setAttribute("aria-expanded", sidebar === "visible");
    document.getElementById("mdbook-sidebar").setAttribute("aria-hidden", sidebar !== "visible");
    Array.from(document.querySelectorAll("#mdbook-sidebar a")).forEach(function (link) {
        link.setAttribute("tabIndex", sidebar === "visible" ? 0 : -1);
    });
})();

// mdBook's toggle is a <label> for the sidebar checkbox, which axe rightly
// flags (aria-expanded is not allowed on a label). Ours is a real button that
// flips the checkbox — after book.js's own click handler, which expects to run
// before the change, as it did for the label's default action.
document.getElementById("mdbook-sidebar-toggle").addEventListener("click", function () {
    var checkbox = document.getElementById("mdbook-sidebar-toggle-anchor");
    window.setTimeout(function () {
        checkbox.checked = !checkbox.checked;
        checkbox.dispatchEvent(new Event("change"));
    }, 0);
});
