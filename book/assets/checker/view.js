// 发布前自检 — the view: builds the checker's DOM inside #wx-checker and
// renders a check's state into it. No storage, no engine, no policy words of
// its own: labels and next steps come from WX_WORDS (generated from Rust),
// clause links from the engine's metadata.
//
// Safety: the draft and everything from the rules are only ever put into the
// DOM as text nodes (`h()` never sets innerHTML).
//
// One global, WX_VIEW, with `create(root, words) -> View`.
(function () {
    "use strict";

    var LOGIC = /** @type {any} */ (window).WX_LOGIC;

    /**
     * An element with attributes (`text` sets its text) and children (the
     * further arguments: nodes, strings, or null/undefined to skip).
     * @param {string} tag @param {Object<string, any>|null} [attrs]
     * @param {...(Node|string|null|undefined)} children
     * @returns {HTMLElement}
     */
    function h(tag, attrs, ...children) {
        var el = document.createElement(tag);
        if (attrs) {
            for (var key in attrs) {
                if (attrs[key] === null || attrs[key] === undefined || attrs[key] === false) continue;
                if (key === "text") el.textContent = attrs[key];
                else if (key === "className") el.className = attrs[key];
                else el.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
            }
        }
        children.forEach(function (child) {
            if (child === null || child === undefined) return;
            el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
        });
        return el;
    }

    /** @param {Element} el @param {string} name @param {string} value */
    function setIfChanged(el, name, value) {
        if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }

    /** @param {number} n */
    function num(n) {
        return n.toLocaleString("zh-CN");
    }

    /**
     * Keeps `nodes` (built from `keys`) in step with `newKeys`: the unchanged
     * items at both ends stay, the middle is rebuilt with `build(i)`. The one
     * list diff of the page, used for the findings and the paragraphs.
     * @param {Element} parent @param {Element[]} nodes @param {string[]} keys
     * @param {string[]} newKeys @param {(i: number) => Element} build
     * @returns {{nodes: Element[], prefix: number, suffix: number}}
     */
    function patchList(parent, nodes, keys, newKeys, build) {
        var ends = LOGIC.commonEnds(keys, newKeys);
        var oldCount = keys.length;
        var newCount = newKeys.length;
        var anchor = ends.suffix ? nodes[oldCount - ends.suffix] : null;
        for (var i = ends.prefix; i < oldCount - ends.suffix; i++) nodes[i].remove();
        /** @type {Element[]} */
        var fresh = [];
        var frag = document.createDocumentFragment();
        for (i = ends.prefix; i < newCount - ends.suffix; i++) {
            var node = build(i);
            fresh.push(node);
            frag.appendChild(node);
        }
        parent.insertBefore(frag, anchor);
        return {
            nodes: nodes.slice(0, ends.prefix).concat(fresh, nodes.slice(oldCount - ends.suffix)),
            prefix: ends.prefix,
            suffix: ends.suffix,
        };
    }

    /**
     * Builds the checker inside `root`.
     * @param {HTMLElement} root @param {WxWords} words
     */
    function create(root, words) {
        var severityIds = words.severities.map(function (s) { return s.id; });
        /** @param {WxLabel[]} list @param {string} id */
        function find(list, id) {
            for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
            return null;
        }
        /** @param {string} id */
        function severityLabel(id) {
            var s = find(words.severities, id);
            return s ? s.label : id;
        }
        /** @param {string} id */
        function contextLabel(id) {
            var c = find(words.contexts, id);
            return c ? c.label : id;
        }
        /** @param {string} id @returns {WxVerdictWords} */
        function verdictWords(id) {
            return /** @type {WxVerdictWords} */ (find(words.verdicts, id)) || { id: id, label: id, next: "" };
        }

        /** @type {Object<string, HTMLInputElement>} */
        var contextInputs = {};
        var contextFieldset = h("fieldset", { className: "wx-contexts" }, h("legend", { text: "发布场景" }));
        words.contexts.forEach(function (c) {
            var input = /** @type {HTMLInputElement} */ (h("input", { type: "radio", name: "wx-context", value: c.id, id: "wx-context-" + c.id }));
            contextInputs[c.id] = input;
            contextFieldset.appendChild(h("label", { className: "wx-context", for: "wx-context-" + c.id }, input, " " + c.label));
        });

        var textarea = /** @type {HTMLTextAreaElement} */ (h("textarea", {
            id: "wx-draft",
            className: "wx-draft",
            spellcheck: "false",
            autocomplete: "off",
            rows: "10",
            "aria-describedby": "wx-draft-hint wx-draft-status",
            placeholder: "在这里粘贴或输入准备发到微信的草稿……",
        }));
        var highlights = h("div", { className: "wx-highlights" });
        var backdrop = h("div", { className: "wx-backdrop", "aria-hidden": "true" }, highlights);
        var editor = h("div", { className: "wx-editor" }, backdrop, textarea);
        var draftStatus = h("p", { id: "wx-draft-status", className: "wx-draft-status" });
        var invisibleNote = h("p", { className: "wx-invisible-note", hidden: true });
        var clearButton = h("button", { type: "button", className: "wx-button wx-clear", text: "清空草稿" });
        var tryNotice = h("div", { className: "wx-try-notice", hidden: true });

        // The bar that stays in sight while typing (sticky; above the phone's
        // keyboard where the browser reports it): verdict and counts, and a
        // tap takes the reader to the findings.
        var barTitle = h("span", { className: "wx-bar-verdict" });
        var barCounts = h("span", { className: "wx-bar-counts" });
        var barButton = h("button", { type: "button", className: "wx-bar-button", id: "wx-bar-button", "aria-controls": "wx-results" },
            barTitle, " ", barCounts, " ", h("span", { className: "wx-bar-go", text: "查看问题 ↓" }));
        var bar = h("div", { className: "wx-bar", id: "wx-bar", "data-state": "loading" }, barButton);

        var verdict = h("div", { className: "wx-verdict", id: "wx-verdict", "data-state": "loading" },
            h("p", { className: "wx-verdict-title", text: "正在加载自检工具……" }));
        var counts = h("ul", { className: "wx-counts", "aria-label": "各严重程度的问题数" });
        var fixedButton = h("button", { type: "button", className: "wx-button wx-copy-fixed", text: "复制修改后的草稿", hidden: true });
        var fixedStatus = h("p", { className: "wx-fixed-status", role: "status" });
        var findingsList = h("ol", { className: "wx-findings", id: "wx-findings", "aria-label": "发现的问题" });
        var tooLong = h("p", { className: "wx-too-long", role: "alert", hidden: true });
        var moreFindings = h("p", { className: "wx-more-findings", hidden: true });
        var announcer = h("p", { className: "wx-sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });

        var includeDraft = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "wx-record-draft" }));
        var copyButton = h("button", { type: "button", className: "wx-button", text: "复制记录（文本）" });
        var textButton = h("button", { type: "button", className: "wx-button", text: "下载文本记录" });
        var jsonButton = h("button", { type: "button", className: "wx-button", text: "下载 JSON 记录" });
        var recordStatus = h("p", { className: "wx-record-status", role: "status" });
        var record = h("section", { className: "wx-record", "aria-labelledby": "wx-record-title" },
            h("h2", { id: "wx-record-title", className: "wx-record-title", text: "审核记录" }),
            h("p", { text: words.recordIntro }),
            h("p", { className: "wx-record-option" }, includeDraft, " ", h("label", { for: "wx-record-draft", text: "在记录中附上草稿全文" })),
            h("p", { className: "wx-record-actions" }, copyButton, " ", textButton, " ", jsonButton),
            recordStatus);

        var results = h("section", { className: "wx-results", id: "wx-results", "aria-labelledby": "wx-results-title", tabindex: "-1" },
            h("h2", { id: "wx-results-title", className: "wx-results-title", text: "检查结果" }),
            verdict, counts, h("p", { className: "wx-fixed" }, fixedButton, " ", fixedStatus), findingsList, moreFindings);

        var ui = h("div", { className: "wx-checker-ui" },
            contextFieldset,
            h("div", { className: "wx-draft-head" },
                h("label", { for: "wx-draft", className: "wx-draft-label", text: "草稿" }),
                h("span", { id: "wx-draft-hint", className: "wx-draft-hint", text: "边输入边检查；草稿只保存在本标签页，关闭即清除。" })),
            editor,
            h("div", { className: "wx-draft-foot" }, draftStatus, clearButton),
            invisibleNote,
            tryNotice,
            tooLong,
            bar,
            results,
            record,
            announcer);

        root.textContent = "";
        root.appendChild(ui);
        root.setAttribute("data-state", "loading");

        // ---- Rendering -------------------------------------------------------

        var lastSummaryKey = /** @type {string|null} */ (null);
        /** @type {Element[]} */
        var listItems = [];
        /** @type {string[]} */
        var listKeys = [];
        /** @type {Element[]} */
        var paraNodes = [];
        /** @type {string[]} */
        var paraKeys = [];
        /** @type {number[]} */
        var paraStarts = [];

        /** @param {Finding} f */
        function findingItem(f) {
            var meta = /** @type {any} */ (window).WX_ENGINE.meta;
            var clause = meta.clauses[f.clause];
            var clauseLink = clause
                ? h("a", { className: "wx-clause", href: clause.url, title: clause.title, text: f.label })
                : h("span", { className: "wx-clause", text: f.label });
            var locate = h("button", { type: "button", className: "wx-link-button wx-locate", "data-index": "0", "aria-label": "在草稿中选中：" + f.text },
                "「" + f.text + "」");
            var item = h("li", { className: "wx-finding", "data-rule": f.rule, "data-clause": f.clause, "data-severity": f.severity },
                h("p", { className: "wx-finding-head" },
                    h("span", { className: "wx-sev-badge", "data-severity": f.severity, text: severityLabel(f.severity) }),
                    " ", clauseLink, " ", locate),
                h("p", { className: "wx-message", text: f.message }),
                h("p", { className: "wx-suggestion" }, h("span", { className: "wx-suggestion-label", text: "修改建议：" }), f.suggestion));
            if (f.replacement !== null && f.replacement !== undefined) {
                item.appendChild(h("p", { className: "wx-actions" },
                    h("button", { type: "button", className: "wx-button wx-replace", "data-index": "0", text: "替换为「" + f.replacement + "」" })));
            }
            return item;
        }

        /**
         * Shows a check's result.
         * @param {CheckState} state @param {string} pasteNote
         */
        function render(state, pasteNote) {
            var report = state.report;
            var findings = report.findings;
            var byseverity = LOGIC.countBySeverity(findings, severityIds);
            var shown = state.text ? LOGIC.shownVerdict(report.verdict, state.truncated) : "";

            // Verdict, bar and counts (rebuilt only when they change).
            var summaryKey = state.text ? shown + ":" + severityIds.map(function (s) { return byseverity[s]; }).join(",") : "";
            if (summaryKey !== lastSummaryKey) {
                lastSummaryKey = summaryKey;
                verdict.textContent = "";
                counts.textContent = "";
                barCounts.textContent = "";
                if (!state.text) {
                    verdict.removeAttribute("data-verdict");
                    verdict.setAttribute("data-state", "empty");
                    verdict.appendChild(h("p", { className: "wx-verdict-title", text: "请粘贴或输入草稿" }));
                    verdict.appendChild(h("p", { className: "wx-verdict-next", text: "检查结果会随输入即时更新。" }));
                    bar.setAttribute("data-state", "empty");
                    bar.removeAttribute("data-verdict");
                    barTitle.textContent = "请粘贴或输入草稿";
                } else {
                    var v = verdictWords(shown);
                    verdict.removeAttribute("data-state");
                    verdict.setAttribute("data-verdict", shown);
                    verdict.appendChild(h("p", { className: "wx-verdict-title", text: v.label }));
                    verdict.appendChild(h("p", { className: "wx-verdict-next", text: v.next }));
                    bar.removeAttribute("data-state");
                    bar.setAttribute("data-verdict", shown);
                    barTitle.textContent = v.label;
                    severityIds.forEach(function (s) {
                        if (!byseverity[s]) return;
                        barCounts.appendChild(h("span", { className: "wx-bar-count", "data-severity": s, text: severityLabel(s) + " " + byseverity[s] }));
                        barCounts.appendChild(document.createTextNode(" "));
                    });
                }
                counts.hidden = !state.text;
                severityIds.forEach(function (s) {
                    counts.appendChild(h("li", { className: "wx-count", "data-severity": s, "data-count": String(byseverity[s]) },
                        h("span", { className: "wx-sev-badge", "data-severity": s, text: severityLabel(s) }),
                        " " + byseverity[s] + " 处"));
                });
            }

            // Findings, most severe first: items whose content is unchanged are
            // kept (typing elsewhere only moves offsets).
            var ordered = LOGIC.orderFindings(findings, severityIds).slice(0, LOGIC.MAX_LISTED);
            var keys = ordered.map(LOGIC.findingKey);
            listItems = patchList(findingsList, listItems, listKeys, keys, function (i) { return findingItem(ordered[i]); }).nodes;
            listKeys = keys;
            listItems.forEach(function (item, n) {
                setIfChanged(item, "data-start", String(ordered[n].start));
                setIfChanged(item, "data-end", String(ordered[n].end));
                item.querySelectorAll("button[data-index]").forEach(function (b) { setIfChanged(b, "data-index", String(ordered[n].index)); });
            });
            findingsList.hidden = findings.length === 0;
            moreFindings.hidden = findings.length <= LOGIC.MAX_LISTED;
            moreFindings.textContent = findings.length > LOGIC.MAX_LISTED
                ? "另有 " + (findings.length - LOGIC.MAX_LISTED) + " 处问题没有列出（只列出前 " + LOGIC.MAX_LISTED + " 处）。请先修改上面的问题，或分段检查。"
                : "";

            var fixes = findings.filter(function (/** @type {Finding} */ f) { return f.replacement !== null && f.replacement !== undefined; }).length;
            fixedButton.hidden = fixes === 0;
            if (fixes === 0) fixedStatus.textContent = "";

            // Too long to check whole.
            if (pasteNote) {
                tooLong.hidden = false;
                tooLong.textContent = pasteNote;
            } else if (state.truncated) {
                tooLong.hidden = false;
                tooLong.textContent = "草稿共 " + num(state.text.length) + " 字，超过一次可检查的 " + num(LOGIC.MAX_CHECK)
                    + " 字：仅检查了前 " + num(state.checkedLength) + " 字，草稿中也不再标出位置。请把草稿分成几段，分别检查。";
            } else {
                tooLong.hidden = true;
            }

            renderHighlights(state);
            renderInvisibleNote(state.text);
            scheduleAnnouncement(state, byseverity, shown);
        }

        /** Names the invisible characters of the draft under it, with counts.
         *  @param {string} text */
        function renderInvisibleNote(text) {
            /** @type {Object<string, number>} */
            var seen = {};
            var names = [];
            LOGIC.splitInvisible(text).forEach(function (/** @type {any} */ part) {
                if (typeof part === "string") return;
                if (!seen[part.name]) names.push(part.name);
                seen[part.name] = (seen[part.name] || 0) + 1;
            });
            invisibleNote.hidden = names.length === 0;
            invisibleNote.textContent = names.length
                ? "草稿里有看不见或会改变文字方向的字符（已在草稿中用框标出）：" + names.map(function (n) { return n + " " + seen[n] + " 处"; }).join("；")
                    + "。发到微信前请确认是否需要删除。"
                : "";
        }

        /** The mirror behind the textarea: the draft as text nodes, hits wrapped in
         *  <span class="wx-mark">, invisible characters in <span class="wx-invisible">,
         *  one block per paragraph. Only paragraphs whose text or marks changed are
         *  rebuilt, so a keystroke re-lays out one paragraph, not all.
         *  @param {CheckState} state */
        function renderHighlights(state) {
            if (state.truncated) {
                backdrop.hidden = true;
                highlights.textContent = "";
                paraNodes = [];
                paraKeys = [];
                paraStarts = [];
                return;
            }
            backdrop.hidden = false;
            var text = state.text;
            var paras = LOGIC.paragraphs(text, LOGIC.markedRanges(state.report.findings, severityIds));
            var keys = paras.map(function (/** @type {Paragraph} */ p) { return p.key; });
            var oldStarts = paraStarts;
            var patched = patchList(highlights, paraNodes, paraKeys, keys, function (i) { return buildParagraph(text, paras[i]); });
            // Kept tail paragraphs may have moved: keep their marks' offsets true.
            var newCount = paras.length;
            var shift = patched.suffix ? paras[newCount - patched.suffix].start - oldStarts[paraKeys.length - patched.suffix] : 0;
            if (shift) {
                patched.nodes.slice(newCount - patched.suffix).forEach(function (p) {
                    p.querySelectorAll(".wx-mark").forEach(function (m) {
                        m.setAttribute("data-start", String(Number(m.getAttribute("data-start")) + shift));
                        m.setAttribute("data-end", String(Number(m.getAttribute("data-end")) + shift));
                    });
                });
            }
            paraNodes = patched.nodes;
            paraKeys = keys;
            paraStarts = paras.map(function (/** @type {Paragraph} */ p) { return p.start; });
            requestAnimationFrame(syncScroll);
        }

        /** Appends `text` to `parent`, invisible characters boxed with a title.
         *  @param {Node} parent @param {string} text */
        function appendText(parent, text) {
            LOGIC.splitInvisible(text).forEach(function (/** @type {any} */ part) {
                if (typeof part === "string") parent.appendChild(document.createTextNode(part));
                else parent.appendChild(h("span", { className: "wx-invisible", title: part.name, "data-char": "U+" + part.char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") }, part.char));
            });
        }

        /** @param {string} text @param {Paragraph} para */
        function buildParagraph(text, para) {
            var div = h("div", { className: "wx-para" });
            var pos = para.start;
            para.pieces.forEach(function (piece) {
                if (piece[0] > pos) appendText(div, text.slice(pos, piece[0]));
                var mark = h("span", { className: "wx-mark", "data-severity": piece[2], "data-start": String(piece[0]), "data-end": String(piece[1]) });
                appendText(mark, text.slice(piece[0], piece[1]));
                div.appendChild(mark);
                pos = piece[1];
            });
            if (para.end > pos) appendText(div, text.slice(pos, para.end));
            // Keeps a trailing newline's empty last line as tall as in the textarea.
            if (para.last) div.appendChild(h("span", { className: "wx-eol" }, " "));
            return div;
        }

        function syncGeometry() {
            var cs = getComputedStyle(textarea);
            backdrop.style.top = textarea.offsetTop + textarea.clientTop + "px";
            backdrop.style.left = textarea.offsetLeft + textarea.clientLeft + "px";
            backdrop.style.width = textarea.clientWidth + "px";
            backdrop.style.height = textarea.clientHeight + "px";
            highlights.style.padding = cs.padding;
            syncScroll();
        }
        // The mirror follows the textarea's scrolling by a transform, not by
        // scrolling the backdrop: the backdrop clips (overflow: clip), so nothing
        // else can scroll it out of step.
        function syncScroll() {
            highlights.style.transform = "translate(" + -textarea.scrollLeft + "px," + -textarea.scrollTop + "px)";
        }
        textarea.addEventListener("scroll", syncScroll);
        if (typeof ResizeObserver === "function") new ResizeObserver(syncGeometry).observe(textarea);
        window.addEventListener("resize", syncGeometry);
        syncGeometry();

        // The bar sits above the on-screen keyboard: where the browser shrinks
        // only the visual viewport (Chrome since 108, WeChat's XWeb, Safari),
        // `bottom: 0` of the layout viewport (the root's client height) is
        // under the keyboard. Pinch zoom shrinks it the same way.
        var vv = window.visualViewport;
        function placeBar() {
            if (!vv) return;
            var hidden = Math.max(0, document.documentElement.clientHeight - vv.height - vv.offsetTop);
            bar.style.bottom = hidden ? hidden + "px" : "";
        }
        if (vv) {
            vv.addEventListener("resize", placeBar);
            vv.addEventListener("scroll", placeBar);
        }
        barButton.addEventListener("click", function () {
            results.scrollIntoView({ block: "start" });
            results.focus({ preventScroll: true });
        });

        var announceTimer = 0;
        var lastAnnounced = "";
        /** @param {CheckState} state @param {Object<string, number>} byseverity @param {string} shown */
        function scheduleAnnouncement(state, byseverity, shown) {
            clearTimeout(announceTimer);
            announceTimer = window.setTimeout(function () {
                var message;
                if (!state.text) {
                    message = "草稿为空。";
                } else {
                    var n = state.report.findings.length;
                    var parts = severityIds.filter(function (s) { return byseverity[s]; }).map(function (s) { return severityLabel(s) + " " + byseverity[s] + " 处"; });
                    message = "检查结果：" + verdictWords(shown).label + "。" + (n ? "共 " + n + " 处问题：" + parts.join("，") + "。" : "未命中自检规则。");
                    if (state.truncated) message += "草稿过长，仅检查了前 " + num(state.checkedLength) + " 字。";
                }
                if (message !== lastAnnounced) {
                    lastAnnounced = message;
                    announcer.textContent = message;
                }
            }, 700);
        }

        /** Shows that checking failed or cannot run; no verdict remains.
         *  @param {string} message */
        function fail(message) {
            root.setAttribute("data-state", "error");
            verdict.setAttribute("data-state", "error");
            verdict.removeAttribute("data-verdict");
            verdict.textContent = "";
            verdict.appendChild(h("p", { className: "wx-verdict-title", role: "alert", text: message }));
            bar.setAttribute("data-state", "error");
            bar.removeAttribute("data-verdict");
            barTitle.textContent = "自检工具无法运行";
            barCounts.textContent = "";
            counts.textContent = "";
            findingsList.textContent = "";
            listItems = [];
            listKeys = [];
            lastSummaryKey = null;
        }

        function ready() {
            root.setAttribute("data-state", "ready");
            verdict.removeAttribute("data-state");
        }

        /** @param {string} text */
        function setDraftStatus(text) {
            draftStatus.textContent = text;
        }

        /** The try notice: `parts` are strings or nodes. @param {Array<Node|string>|null} parts */
        function setTryNotice(parts) {
            tryNotice.textContent = "";
            tryNotice.hidden = !parts;
            if (parts) parts.forEach(function (p) { tryNotice.appendChild(typeof p === "string" ? document.createTextNode(p) : p); });
        }

        return {
            el: {
                root: root, textarea: textarea, contextInputs: contextInputs, clearButton: clearButton,
                findingsList: findingsList, includeDraft: includeDraft, copyButton: copyButton, textButton: textButton,
                jsonButton: jsonButton, recordStatus: recordStatus, fixedButton: fixedButton, fixedStatus: fixedStatus,
                bar: bar, results: results,
            },
            h: h,
            render: render,
            fail: fail,
            ready: ready,
            setDraftStatus: setDraftStatus,
            setTryNotice: setTryNotice,
            contextLabel: contextLabel,
            severityLabel: severityLabel,
            verdictLabel: function (/** @type {string} */ id) { return verdictWords(id).label; },
        };
    }

    /** @type {any} */ (window).WX_VIEW = { create: create, h: h };
})();
