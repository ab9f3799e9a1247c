// Opens or hides the sidebar before it is drawn (mdBook's inline template script).
var sidebar = null;
(function () {
    var toggle = document.getElementById("mdbook-sidebar-toggle-anchor");
    if (document.body.clientWidth >= 1080) {
        try { sidebar = localStorage.getItem("mdbook-sidebar"); } catch (e) { /* storage disabled */ }
        sidebar = sidebar || "visible";
    } else {
        sidebar = "hidden";
        toggle.checked = false;
    }
    if (sidebar === "visible") {
        toggle.checked = true;
    } else {
        document.documentElement.classList.remove("sidebar-visible");
    }
})();
