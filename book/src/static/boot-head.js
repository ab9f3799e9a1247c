// Globals that mdBook's book.js and toc.js expect. They used to be an inline
// <script> in mdBook's template; the page's Content-Security-Policy forbids
// inline scripts, so the template passes the values as data attributes.
/* exported path_to_root, default_light_theme, default_dark_theme */
var path_to_root = document.documentElement.dataset.pathToRoot || "";
var default_light_theme = document.documentElement.dataset.defaultTheme || "light";
var default_dark_theme = document.documentElement.dataset.preferredDarkTheme || "navy";
