// Applies the saved theme before the page is drawn, so there is no flash of the
// wrong colours. Same logic as mdBook's inline template script.
/* global default_light_theme, default_dark_theme */
(function () {
    try {
        // Older mdBook versions stored values wrapped in quotes.
        ["mdbook-theme", "mdbook-sidebar"].forEach(function (key) {
            var value = localStorage.getItem(key);
            if (value && value.startsWith('"') && value.endsWith('"')) {
                localStorage.setItem(key, value.slice(1, value.length - 1));
            }
        });
    } catch (e) { /* storage disabled */ }
})();
var default_theme = window.matchMedia("(prefers-color-scheme: dark)").matches
    ? default_dark_theme : default_light_theme;
(function () {
    var theme = null;
    try { theme = localStorage.getItem("mdbook-theme"); } catch (e) { /* storage disabled */ }
    if (theme === null || theme === undefined) { theme = default_theme; }
    var html = document.documentElement;
    html.classList.remove(html.dataset.defaultTheme);
    html.classList.add(theme);
    html.classList.add("js");
})();
