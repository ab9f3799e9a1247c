// The shortcut `c`: on any page it opens 发布前自检 (the header's 自检 button);
// on the self-check page it puts the cursor in the draft. The only checker
// code every page loads; the checker itself loads on its own page only.
(function () {
    "use strict";
    document.addEventListener("keydown", function (event) {
        if (event.key !== "c" && event.key !== "C") return;
        if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
        var target = /** @type {HTMLElement|null} */ (event.target);
        if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
        var draft = document.getElementById("wx-draft");
        if (draft) {
            event.preventDefault();
            draft.focus();
            return;
        }
        var button = /** @type {HTMLAnchorElement|null} */ (document.getElementById("wx-check-button"));
        if (button && button.href) {
            event.preventDefault();
            window.location.href = button.href;
        }
    });
})();
