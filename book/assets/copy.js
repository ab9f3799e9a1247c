// Copying a text to the clipboard and saving it as a file, for the pages that
// hand the reader something to keep (发布前自检's record and fixed draft,
// 新员工练习's 阅读确认). Loaded on every page before them (additional-js);
// defines `WX_COPY` and touches nothing else.
(function () {
    "use strict";

    /** Off-screen, read-only text area holding `text` (for execCommand). @param {string} text */
    function holder(text) {
        var area = document.createElement("textarea");
        area.className = "wx-offscreen";
        area.readOnly = true;
        area.setAttribute("aria-hidden", "true");
        area.tabIndex = -1;
        area.value = text;
        return area;
    }

    /** The pre-Clipboard-API way, still the only one in some in-app browsers
     *  and over file://. @param {string} text @returns {Promise<void>} */
    function legacyCopy(text) {
        var area = holder(text);
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try {
            ok = document.execCommand("copy");
        } catch (e) {
            ok = false;
        }
        area.remove();
        return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
    }

    /** Copies `text`; rejects when neither way works. @param {string} text @returns {Promise<void>} */
    function copyText(text) {
        if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
            return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
        }
        return legacyCopy(text);
    }

    /** Saves `content` as a file named `name`, made here (nothing is sent).
     *  @param {string} name @param {string} content @param {string} type */
    function download(name, content, type) {
        var url = URL.createObjectURL(new Blob([content], { type: type }));
        var a = document.createElement("a");
        a.href = url;
        a.download = name;
        a.className = "wx-hidden-link";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }

    window.WX_COPY = { text: copyText, download: download };
})();
