// The print page opens the print dialog once loaded (mdBook's inline template script).
window.addEventListener("load", function () {
    window.setTimeout(window.print, 100);
});
