// 发布前自检 — the checker page, and the header button's keyboard shortcut.
//
// Loaded on every page (output.html.additional-js). On every page it only wires
// the shortcut `c`; on the self-check page (the one with #wx-checker) it builds
// the checker UI and loads the engine: it injects `checker-engine.js` (generated
// by `cargo xtask build`, see xtask/src/wasm.rs), which defines WX_ENGINE, and
// runs the wasm in a blob: Web Worker so a huge paste never blocks the page. If
// workers are unavailable it runs the same glue on the main thread.
//
// Privacy: the draft never leaves the tab. Nothing is fetched; the draft is kept
// in sessionStorage only; the review record is built locally.
// Safety: the draft is only ever put into the DOM as text nodes.
(function () {
    "use strict";

    // ---- Every page: shortcut `c` opens the checker (or focuses the draft on its page).
    document.addEventListener("keydown", function (event) {
        if (event.key !== "c" && event.key !== "C") return;
        if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
        var target = event.target;
        if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
        var draft = document.getElementById("wx-draft");
        if (draft) {
            event.preventDefault();
            draft.focus();
            return;
        }
        var button = document.getElementById("wx-check-button");
        if (button && button.href) {
            event.preventDefault();
            window.location.href = button.href;
        }
    });

    var root = document.getElementById("wx-checker");
    if (!root) return;

    // ---- The checker page --------------------------------------------------------

    /** Drafts longer than this (UTF-16 units) are checked only up to here:
     *  20,000 字 is also the most a 公众号 article may hold. Beyond it the
     *  browser's own layout of the text box alone takes a noticeable time. */
    var MAX_CHECK = 20000;
    /** Drafts up to this long are checked on the main thread (well within a
     *  frame); longer ones in the worker, so a long draft never blocks. */
    var INLINE_MAX = 10000;
    /** At most this many findings are listed (all are counted). */
    var MAX_LISTED = 200;
    /** Drafts longer than this are not kept in sessionStorage (its quota is small). */
    var MAX_SAVE = 1000000;
    var SEVERITIES = ["block", "senior", "revise", "advice"];
    var STORE_DRAFT = "wx-checker-draft";
    var STORE_CONTEXT = "wx-checker-context";
    var NEXT_STEP = {
        block: "草稿含有制度禁止发布的内容：删除或改写下列「禁止发布」各项之前，不得发布，也不要提交审核。",
        senior: "草稿涉及重大决策或重要经营信息：须报公司高层审批（三（一）3），批准后方可发布。",
        revise: "请按下列建议修改草稿，修改后再提交部门负责人审核。",
        advice: "未发现必须修改的问题，下列建议请酌情采纳；发布前仍须经部门负责人审核（三（一）2）。",
        pass: "未发现违反本制度的内容。按三（一）2，发布前仍须经部门负责人审核。",
    };
    var FALLBACK_LABELS = {
        block: "禁止发布", senior: "需高层审批", revise: "需修改", advice: "建议",
        pass: "可提交部门负责人审核", public: "朋友圈·公众号", customer: "客户私聊", parents: "家长群·学员群", group: "工作群",
    };

    var api = {
        /** Resolves once the engine is ready (rejects if it cannot load). */
        ready: null,
        /** Checks `text` in `context`; resolves with the report (UTF-16 offsets). */
        check: null,
        /** The review record of the current draft: {text, json}. */
        record: null,
        /** Timings (ms, performance.now()) for tests and the curious. */
        timing: { start: performance.now() },
        lastRun: null,
        sha256Fallback: sha256Fallback,
    };
    window.wxChecker = api;

    // ---- DOM helpers (text only: never innerHTML with data) ----------------------

    function h(tag, attrs) {
        var el = document.createElement(tag);
        if (attrs) {
            for (var key in attrs) {
                if (attrs[key] === null || attrs[key] === undefined || attrs[key] === false) continue;
                if (key === "text") el.textContent = attrs[key];
                else if (key === "className") el.className = attrs[key];
                else el.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
            }
        }
        for (var i = 2; i < arguments.length; i++) {
            var child = arguments[i];
            if (child === null || child === undefined) continue;
            el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
        }
        return el;
    }

    function storage() {
        try {
            return window.sessionStorage;
        } catch (e) {
            return null;
        }
    }

    function label(kind, id) {
        var meta = window.WX_ENGINE && window.WX_ENGINE.meta;
        var list = meta && meta[kind];
        if (list) {
            for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i].label;
        }
        return FALLBACK_LABELS[id] || id;
    }

    // ---- Build the UI ------------------------------------------------------------

    var contexts = ["public", "customer", "parents", "group"];
    var contextInputs = {};
    var contextFieldset = h("fieldset", { className: "wx-contexts" }, h("legend", { text: "发布场景" }));
    contexts.forEach(function (id) {
        var input = h("input", { type: "radio", name: "wx-context", value: id, id: "wx-context-" + id });
        contextInputs[id] = input;
        contextFieldset.appendChild(h("label", { className: "wx-context", for: "wx-context-" + id }, input, " " + FALLBACK_LABELS[id]));
    });

    var textarea = h("textarea", {
        id: "wx-draft",
        className: "wx-draft",
        spellcheck: "false",
        autocomplete: "off",
        rows: "10",
        "aria-describedby": "wx-draft-hint wx-draft-status",
        placeholder: "在这里粘贴或输入准备发到微信的草稿……",
    });
    var highlights = h("div", { className: "wx-highlights" });
    var backdrop = h("div", { className: "wx-backdrop", "aria-hidden": "true" }, highlights);
    var editor = h("div", { className: "wx-editor" }, backdrop, textarea);
    var draftStatus = h("p", { id: "wx-draft-status", className: "wx-draft-status" });
    var clearButton = h("button", { type: "button", className: "wx-button wx-clear", text: "清空草稿" });
    var tryNotice = h("p", { className: "wx-try-notice", hidden: true });

    var verdict = h("div", { className: "wx-verdict", id: "wx-verdict", "data-state": "loading" },
        h("p", { className: "wx-verdict-title", text: "正在加载自检工具……" }));
    var counts = h("ul", { className: "wx-counts", "aria-label": "各严重程度的问题数" });
    var findingsList = h("ol", { className: "wx-findings", id: "wx-findings", "aria-label": "发现的问题" });
    var tooLong = h("p", { className: "wx-too-long", role: "alert", hidden: true });
    var moreFindings = h("p", { className: "wx-more-findings", hidden: true });
    var pasteNote = "";
    var announcer = h("p", { className: "wx-sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });

    var includeDraft = h("input", { type: "checkbox", id: "wx-record-draft" });
    var copyButton = h("button", { type: "button", className: "wx-button", text: "复制记录（文本）" });
    var textButton = h("button", { type: "button", className: "wx-button", text: "下载文本记录" });
    var jsonButton = h("button", { type: "button", className: "wx-button", text: "下载 JSON 记录" });
    var recordStatus = h("p", { className: "wx-record-status", role: "status" });
    var record = h("section", { className: "wx-record", "aria-labelledby": "wx-record-title" },
        h("h2", { id: "wx-record-title", className: "wx-record-title", text: "审核记录" }),
        h("p", { text: "按三（一）2 留存审核记录：记录包含检查时间、发布场景、结论、每个问题、草稿的 SHA-256 指纹、制度版本（及其正文的 SHA-256）和规则版本。草稿原文默认不包含在记录中。" }),
        h("p", { className: "wx-record-option" }, includeDraft, " ", h("label", { for: "wx-record-draft", text: "在记录中附上草稿全文" })),
        h("p", { className: "wx-record-actions" }, copyButton, " ", textButton, " ", jsonButton),
        recordStatus);

    var ui = h("div", { className: "wx-checker-ui" },
        contextFieldset,
        h("div", { className: "wx-draft-head" },
            h("label", { for: "wx-draft", className: "wx-draft-label", text: "草稿" }),
            h("span", { id: "wx-draft-hint", className: "wx-draft-hint", text: "边输入边检查；草稿只保存在本标签页，关闭即清除。" })),
        editor,
        h("div", { className: "wx-draft-foot" }, draftStatus, clearButton),
        tryNotice,
        tooLong,
        h("section", { className: "wx-results", "aria-labelledby": "wx-results-title" },
            h("h2", { id: "wx-results-title", className: "wx-results-title", text: "检查结果" }),
            verdict, counts, findingsList, moreFindings),
        record,
        announcer);

    root.textContent = "";
    root.appendChild(ui);
    root.setAttribute("data-state", "loading");

    // ---- Draft and context persistence (sessionStorage only) --------------------

    var store = storage();
    var saveTimer = 0;
    var saveNote = "";
    function saveDraft() {
        clearTimeout(saveTimer);
        saveTimer = 0;
        if (!store) return;
        var text = textarea.value;
        saveNote = "";
        try {
            if (text.length > MAX_SAVE) {
                store.removeItem(STORE_DRAFT);
                saveNote = "草稿太长，没有保存在本标签页，刷新后需重新粘贴。";
            } else if (text) {
                store.setItem(STORE_DRAFT, text);
            } else {
                store.removeItem(STORE_DRAFT);
            }
        } catch (e) {
            saveNote = "浏览器没有足够的空间保存这份草稿，刷新后需重新粘贴。";
        }
    }
    function scheduleSave() {
        if (!saveTimer) saveTimer = setTimeout(saveDraft, 300);
    }
    window.addEventListener("pagehide", saveDraft);

    function currentContext() {
        for (var i = 0; i < contexts.length; i++) if (contextInputs[contexts[i]].checked) return contexts[i];
        return "public";
    }
    function setContext(id) {
        if (!contextInputs[id]) id = "public";
        contextInputs[id].checked = true;
        if (store) {
            try {
                store.setItem(STORE_CONTEXT, id);
            } catch (e) { /* storage full: the context just isn't remembered */ }
        }
    }

    var savedDraft = null;
    var savedContext = null;
    if (store) {
        try {
            savedDraft = store.getItem(STORE_DRAFT);
            savedContext = store.getItem(STORE_CONTEXT);
        } catch (e) { /* storage unavailable */ }
    }
    setContext(savedContext || "public");
    if (savedDraft) textarea.value = savedDraft;

    // ---- The engine --------------------------------------------------------------

    var backend = null; // {check(text, context) -> Promise<{json, ms}>}

    function fail(message) {
        root.setAttribute("data-state", "error");
        verdict.setAttribute("data-state", "error");
        verdict.removeAttribute("data-verdict");
        verdict.textContent = "";
        verdict.appendChild(h("p", { className: "wx-verdict-title", role: "alert", text: message }));
        counts.textContent = "";
        findingsList.textContent = "";
        listItems = [];
        listKeys = [];
        lastSummaryKey = null;
    }

    function loadEngineScript() {
        return new Promise(function (resolve, reject) {
            if (window.WX_ENGINE) return resolve(window.WX_ENGINE);
            var rootPath = document.documentElement.getAttribute("data-path-to-root") || "";
            var script = document.createElement("script");
            script.src = rootPath + "checker-engine.js";
            script.onload = function () {
                if (window.WX_ENGINE) resolve(window.WX_ENGINE);
                else reject(new Error("checker-engine.js 内容不完整"));
            };
            script.onerror = function () {
                reject(new Error("无法加载自检引擎文件 checker-engine.js"));
            };
            document.head.appendChild(script);
        });
    }

    function decodeBase64(text) {
        if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
        var binary = atob(text);
        var bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        return bytes;
    }

    // Runs inside the worker: its source goes into the blob with the glue's.
    function workerMain(glue) {
        var checker = null;
        self.onmessage = function (event) {
            var msg = event.data;
            if (msg.type === "init") {
                try {
                    var started = performance.now();
                    var bindings = glue();
                    bindings.initSync({ module: msg.wasm });
                    checker = new bindings.Checker(msg.rules);
                    self.postMessage({ type: "ready", ms: performance.now() - started });
                } catch (e) {
                    self.postMessage({ type: "error", message: String(e && e.message || e) });
                }
            } else if (msg.type === "check") {
                var t0 = performance.now();
                try {
                    var json = checker.check(msg.text, msg.context);
                    self.postMessage({ type: "result", id: msg.id, json: json, ms: performance.now() - t0 });
                } catch (e) {
                    self.postMessage({ type: "result", id: msg.id, error: String(e && e.message || e) });
                }
            }
        };
    }

    function startWorker(engine, wasm) {
        return new Promise(function (resolve, reject) {
            var source = "(" + workerMain.toString() + ")(" + engine.glue.toString() + ");";
            var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
            var worker = new Worker(url);
            var pending = {};
            var nextId = 1;
            var settled = false;
            worker.onmessage = function (event) {
                var msg = event.data;
                if (msg.type === "ready") {
                    settled = true;
                    URL.revokeObjectURL(url);
                    resolve({
                        kind: "worker",
                        check: function (text, context) {
                            return new Promise(function (ok, no) {
                                var id = nextId++;
                                pending[id] = { ok: ok, no: no };
                                worker.postMessage({ type: "check", id: id, text: text, context: context });
                            });
                        },
                    });
                } else if (msg.type === "error") {
                    settled = true;
                    reject(new Error(msg.message));
                } else if (msg.type === "result") {
                    var p = pending[msg.id];
                    delete pending[msg.id];
                    if (!p) return;
                    if (msg.error) p.no(new Error(msg.error));
                    else p.ok({ json: msg.json, ms: msg.ms });
                }
            };
            worker.onerror = function (event) {
                event.preventDefault();
                if (!settled) reject(new Error(event.message || "worker failed"));
            };
            worker.postMessage({ type: "init", wasm: wasm, rules: engine.rules }, [wasm.buffer]);
        });
    }

    /** The engine on the main thread: instantiated asynchronously, checks synchronously. */
    function startInline(engine, wasm) {
        var bindings = engine.glue();
        var started = performance.now();
        return bindings({ module_or_path: wasm }).then(function () {
            var checker = new bindings.Checker(engine.rules);
            api.timing.wasmInit = performance.now() - started;
            return {
                kind: "inline",
                check: function (text, context) {
                    var t0 = performance.now();
                    var json = checker.check(text, context);
                    return Promise.resolve({ json: json, ms: performance.now() - t0 });
                },
            };
        });
    }

    var workerBackend = null; // a promise, started once the page is ready
    function bigBackend() {
        return workerBackend || Promise.resolve(backend);
    }

    api.ready = (function () {
        if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function" || typeof Promise !== "function") {
            return Promise.reject(new Error("nowasm"));
        }
        return loadEngineScript().then(function (engine) {
            api.timing.script = performance.now();
            onMeta(engine.meta);
            var wasm = decodeBase64(engine.wasmBase64);
            return startInline(engine, wasm).then(function (inline) {
                // The worker for long drafts: started after the page is ready, so it
                // doesn't delay it; if it can't start, long drafts run inline.
                if (typeof Worker === "function" && typeof Blob === "function" && window.URL && URL.createObjectURL) {
                    workerBackend = new Promise(function (resolve) {
                        setTimeout(function () {
                            try {
                                startWorker(engine, wasm.slice()).then(resolve, function () { resolve(inline); });
                            } catch (e) {
                                resolve(inline);
                            }
                        }, 0);
                    });
                    workerBackend.then(function (b) { api.worker = b.kind; });
                }
                return inline;
            });
        });
    })().then(function (b) {
        backend = b;
        api.timing.ready = performance.now();
        root.setAttribute("data-state", "ready");
        verdict.removeAttribute("data-state");
        runCheck();
    }, function (err) {
        if (err && err.message === "nowasm") {
            fail("当前浏览器不支持 WebAssembly，无法运行自检工具。请用新版微信、Chrome、Edge、Firefox 或 Safari 打开本手册。草稿没有被检查。");
        } else {
            fail("自检工具加载失败（" + (err && err.message || err) + "）。请刷新页面重试；如仍失败，请换用新版浏览器。草稿没有被检查。");
        }
        throw err;
    });
    api.ready.catch(function () { /* reported on the page */ });

    api.check = function (text, context) {
        return api.ready.then(function () {
            return (text.length > INLINE_MAX ? bigBackend() : Promise.resolve(backend)).then(function (b) {
                return b.check(text, context || "public");
            });
        }).then(function (r) {
            return JSON.parse(r.json);
        });
    };

    // ---- Labels and ?try= once the engine's metadata is in -----------------------

    var previousDraft = null;
    function onMeta(meta) {
        contexts.forEach(function (id) {
            var l = contextInputs[id].parentNode;
            l.lastChild.textContent = " " + label("contexts", id);
        });
        var params;
        try {
            params = new URLSearchParams(window.location.search);
        } catch (e) {
            return;
        }
        var ruleId = params.get("try");
        if (!ruleId) return;
        try {
            params.delete("try");
            var query = params.toString();
            history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
        } catch (e) { /* file:// may refuse: harmless, the URL holds no draft */ }
        var example = meta.examples && Object.prototype.hasOwnProperty.call(meta.examples, ruleId) ? meta.examples[ruleId] : null;
        tryNotice.hidden = false;
        tryNotice.textContent = "";
        if (!example) {
            tryNotice.appendChild(document.createTextNode("没有找到规则「" + ruleId + "」的示例。"));
            return;
        }
        if (textarea.value && textarea.value !== example.text) previousDraft = textarea.value;
        textarea.value = example.text;
        setContext(example.context);
        saveDraft();
        tryNotice.appendChild(document.createTextNode("已填入规则 "));
        tryNotice.appendChild(h("a", { href: "rules.html#rule-" + ruleId, text: ruleId }));
        tryNotice.appendChild(document.createTextNode(" 的示例（" + label("contexts", example.context) + "）。"));
        if (previousDraft !== null) {
            var restore = h("button", { type: "button", className: "wx-button", text: "恢复我的草稿" });
            restore.addEventListener("click", function () {
                textarea.value = previousDraft;
                previousDraft = null;
                tryNotice.hidden = true;
                onDraftChanged();
                textarea.focus();
            });
            tryNotice.appendChild(document.createTextNode(" "));
            tryNotice.appendChild(restore);
        }
    }

    // ---- Checking ---------------------------------------------------------------

    var inFlight = false;
    var queued = false;
    var lastReport = null; // {text, context, report, truncated}
    var waiters = [];
    var inputAt = 0;

    function onDraftChanged() {
        inputAt = performance.now();
        scheduleSave();
        updateDraftStatus();
        runCheck("input");
    }

    function runCheck() {
        if (!backend) return;
        if (inFlight) {
            queued = true;
            return;
        }
        var text = textarea.value;
        var context = currentContext();
        var truncated = text.length > MAX_CHECK;
        var checked = truncated ? safeCut(text, MAX_CHECK) : text;
        var started = inputAt || performance.now();
        inputAt = 0;
        var sent = performance.now();
        inFlight = true;
        var which = checked.length > INLINE_MAX ? bigBackend() : Promise.resolve(backend);
        var used = "";
        which.then(function (b) {
            used = b.kind;
            return b.check(checked, context);
        }).then(function (r) {
            var received = performance.now();
            var report = JSON.parse(r.json);
            lastReport = { text: text, context: context, report: report, truncated: truncated, checkedLength: checked.length };
            render(lastReport);
            var rendered = performance.now();
            api.lastRun = {
                length: text.length,
                checkMs: r.ms,
                roundTripMs: received - sent,
                renderMs: rendered - received,
                totalMs: rendered - started,
                findings: report.findings.length,
                backend: used,
            };
            root.dispatchEvent(new CustomEvent("wx-checker:rendered", { detail: api.lastRun }));
        }, function (err) {
            fail("检查出错：" + (err && err.message || err));
        }).then(function () {
            inFlight = false;
            if (queued) {
                queued = false;
                runCheck();
            } else if (textarea.value === (lastReport && lastReport.text) && currentContext() === lastReport.context) {
                var w = waiters;
                waiters = [];
                w.forEach(function (fn) { fn(lastReport); });
            }
        });
    }

    /** Cuts `text` at `n` UTF-16 units without splitting a surrogate pair. */
    function safeCut(text, n) {
        var code = text.charCodeAt(n - 1);
        return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
    }

    /** Resolves with a report of exactly the current draft and context. */
    function currentReport() {
        return api.ready.then(function () {
            if (!inFlight && lastReport && lastReport.text === textarea.value && lastReport.context === currentContext()) {
                return lastReport;
            }
            return new Promise(function (resolve) {
                waiters.push(resolve);
                if (!inFlight) runCheck();
            });
        });
    }
    api.currentReport = currentReport;

    function updateDraftStatus() {
        var n = textarea.value.length;
        var parts = [n ? "草稿 " + n.toLocaleString("zh-CN") + " 字" : "草稿为空"];
        if (saveNote) parts.push(saveNote);
        draftStatus.textContent = parts.join("；");
    }

    // ---- Rendering --------------------------------------------------------------

    var lastSummaryKey = null;
    var listItems = [];
    var listKeys = [];

    function setIfChanged(el, name, value) {
        if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }

    function findingItem(f) {
        var meta = window.WX_ENGINE.meta;
        var clause = meta.clauses[f.clause];
        var clauseLink = clause
            ? h("a", { className: "wx-clause", href: clause.url, title: clause.title, text: f.label })
            : h("span", { className: "wx-clause", text: f.label });
        var locate = h("button", { type: "button", className: "wx-link-button wx-locate", "data-index": "0", "aria-label": "在草稿中选中：" + f.text },
            "「" + f.text + "」");
        var item = h("li", { className: "wx-finding", "data-rule": f.rule, "data-clause": f.clause, "data-severity": f.severity },
            h("p", { className: "wx-finding-head" },
                h("span", { className: "wx-sev-badge", "data-severity": f.severity, text: label("severities", f.severity) }),
                " ", clauseLink, " ", locate),
            h("p", { className: "wx-message", text: f.message }),
            h("p", { className: "wx-suggestion" }, h("span", { className: "wx-suggestion-label", text: "修改建议：" }), f.suggestion));
        if (f.replacement !== null && f.replacement !== undefined) {
            item.appendChild(h("p", { className: "wx-actions" },
                h("button", { type: "button", className: "wx-button wx-replace", "data-index": "0", text: "替换为「" + f.replacement + "」" })));
        }
        return item;
    }

    function render(state) {
        var report = state.report;
        var findings = report.findings;
        var byseverity = { block: 0, senior: 0, revise: 0, advice: 0 };
        findings.forEach(function (f) { byseverity[f.severity] = (byseverity[f.severity] || 0) + 1; });

        // Verdict and what to do next (rebuilt only when it changes).
        var summaryKey = state.text ? report.verdict + ":" + SEVERITIES.map(function (s) { return byseverity[s]; }).join(",") : "";
        if (summaryKey !== lastSummaryKey) {
            lastSummaryKey = summaryKey;
            verdict.textContent = "";
            if (!state.text) {
                verdict.removeAttribute("data-verdict");
                verdict.setAttribute("data-state", "empty");
                verdict.appendChild(h("p", { className: "wx-verdict-title", text: "请粘贴或输入草稿" }));
                verdict.appendChild(h("p", { className: "wx-verdict-next", text: "检查结果会随输入即时更新。" }));
            } else {
                verdict.removeAttribute("data-state");
                verdict.setAttribute("data-verdict", report.verdict);
                verdict.appendChild(h("p", { className: "wx-verdict-title", text: label("verdicts", report.verdict) }));
                verdict.appendChild(h("p", { className: "wx-verdict-next", text: NEXT_STEP[report.verdict] }));
            }
            counts.textContent = "";
            counts.hidden = !state.text;
            SEVERITIES.forEach(function (s) {
                counts.appendChild(h("li", { className: "wx-count", "data-severity": s, "data-count": String(byseverity[s]) },
                    h("span", { className: "wx-sev-badge", "data-severity": s, text: label("severities", s) }),
                    " " + byseverity[s] + " 处"));
            });
        }

        // Findings: items whose content is unchanged are kept (typing elsewhere
        // only moves offsets), so the list is not laid out again on every key.
        var shown = findings.slice(0, MAX_LISTED);
        var keys = shown.map(function (f) { return f.rule + "\u0000" + f.severity + "\u0000" + f.text + "\u0000" + f.replacement; });
        var oldCount = listKeys.length;
        var newCount = keys.length;
        var prefix = 0;
        while (prefix < oldCount && prefix < newCount && listKeys[prefix] === keys[prefix]) prefix++;
        var suffix = 0;
        while (suffix < oldCount - prefix && suffix < newCount - prefix && listKeys[oldCount - 1 - suffix] === keys[newCount - 1 - suffix]) suffix++;
        var anchor = suffix ? listItems[oldCount - suffix] : null;
        for (var i = prefix; i < oldCount - suffix; i++) listItems[i].remove();
        var fresh = [];
        var frag = document.createDocumentFragment();
        for (i = prefix; i < newCount - suffix; i++) {
            var item = findingItem(shown[i]);
            fresh.push(item);
            frag.appendChild(item);
        }
        findingsList.insertBefore(frag, anchor);
        listItems = listItems.slice(0, prefix).concat(fresh, listItems.slice(oldCount - suffix));
        listKeys = keys;
        listItems.forEach(function (item, n) {
            setIfChanged(item, "data-start", String(shown[n].start));
            setIfChanged(item, "data-end", String(shown[n].end));
            item.querySelectorAll("button[data-index]").forEach(function (b) { setIfChanged(b, "data-index", String(n)); });
        });
        findingsList.hidden = findings.length === 0;
        moreFindings.hidden = findings.length <= MAX_LISTED;
        moreFindings.textContent = findings.length > MAX_LISTED
            ? "另有 " + (findings.length - MAX_LISTED) + " 处问题没有列出（只列出前 " + MAX_LISTED + " 处）。请先修改上面的问题，或分段检查。"
            : "";

        // Too long to check whole.
        if (pasteNote) {
            tooLong.hidden = false;
            tooLong.textContent = pasteNote;
        } else if (state.truncated) {
            tooLong.hidden = false;
            tooLong.textContent = "草稿共 " + state.text.length.toLocaleString("zh-CN") + " 字，超过一次可检查的 " + MAX_CHECK.toLocaleString("zh-CN")
                + " 字：只检查了前 " + state.checkedLength.toLocaleString("zh-CN") + " 字，草稿中也不再标出位置。请把草稿分成几段，分别检查。";
        } else {
            tooLong.hidden = true;
        }

        renderHighlights(state);
        scheduleAnnouncement(state, byseverity);
    }

    /** The mirror behind the textarea: the draft as text nodes, hits wrapped in
     *  <span class="wx-mark">, one block per paragraph. Only paragraphs whose text or marks
     *  changed are rebuilt, so a keystroke re-lays out one paragraph, not all. */
    var paraNodes = [];
    var paraKeys = [];
    var paraStarts = [];

    function markedRanges(findings) {
        // Sweep over boundaries: a range covered by several findings (of
        // different clauses) is marked with the most severe of them.
        var events = [];
        findings.forEach(function (f) {
            var rank = 3 - SEVERITIES.indexOf(f.severity);
            events.push([f.start, 1, rank], [f.end, -1, rank]);
        });
        events.sort(function (a, b) { return a[0] - b[0]; });
        var ranges = [];
        var active = [0, 0, 0, 0];
        var pos = 0;
        for (var i = 0; i < events.length;) {
            var at = events[i][0];
            if (at > pos) {
                for (var r = 3; r >= 0; r--) {
                    if (active[r] > 0) {
                        ranges.push([pos, at, SEVERITIES[3 - r]]);
                        break;
                    }
                }
                pos = at;
            }
            while (i < events.length && events[i][0] === at) {
                active[events[i][2]] += events[i][1];
                i++;
            }
        }
        return ranges;
    }

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
        var ranges = markedRanges(state.report.findings);
        var paras = [];
        var r = 0;
        for (var start = 0; ;) {
            var nl = text.indexOf("\n", start);
            var end = nl < 0 ? text.length : nl + 1;
            var pieces = [];
            var key = "";
            while (r < ranges.length && ranges[r][1] <= start) r++;
            for (var k = r; k < ranges.length && ranges[k][0] < end; k++) {
                var from = Math.max(ranges[k][0], start);
                var to = Math.min(ranges[k][1], end);
                pieces.push([from, to, ranges[k][2]]);
                key += (from - start) + "-" + (to - start) + ranges[k][2] + ";";
            }
            var last = nl < 0;
            paras.push({ start: start, end: end, pieces: pieces, key: (last ? "$" : "") + key + "|" + text.slice(start, end) });
            if (last) break;
            start = end;
        }
        // Reuse the unchanged paragraphs at both ends; rebuild the middle.
        var oldCount = paraKeys.length;
        var newCount = paras.length;
        var prefix = 0;
        while (prefix < oldCount && prefix < newCount && paraKeys[prefix] === paras[prefix].key) prefix++;
        var suffix = 0;
        while (suffix < oldCount - prefix && suffix < newCount - prefix
            && paraKeys[oldCount - 1 - suffix] === paras[newCount - 1 - suffix].key) suffix++;
        var anchor = suffix ? paraNodes[oldCount - suffix] : null;
        for (var i = prefix; i < oldCount - suffix; i++) paraNodes[i].remove();
        var fresh = [];
        var frag = document.createDocumentFragment();
        for (i = prefix; i < newCount - suffix; i++) {
            var node = buildParagraph(text, paras[i]);
            fresh.push(node);
            frag.appendChild(node);
        }
        highlights.insertBefore(frag, anchor);
        // Kept tail paragraphs may have moved: keep their marks' offsets true.
        var shift = suffix ? paras[newCount - suffix].start - paraStarts[oldCount - suffix] : 0;
        var tailNodes = paraNodes.slice(oldCount - suffix);
        if (shift) {
            tailNodes.forEach(function (p) {
                p.querySelectorAll(".wx-mark").forEach(function (m) {
                    m.setAttribute("data-start", String(Number(m.getAttribute("data-start")) + shift));
                    m.setAttribute("data-end", String(Number(m.getAttribute("data-end")) + shift));
                });
            });
        }
        paraNodes = paraNodes.slice(0, prefix).concat(fresh, tailNodes);
        paraKeys = paras.map(function (p) { return p.key; });
        paraStarts = paras.map(function (p) { return p.start; });
        requestAnimationFrame(syncScroll);
    }

    function buildParagraph(text, para) {
        var div = h("div", { className: "wx-para" });
        var pos = para.start;
        para.pieces.forEach(function (piece) {
            if (piece[0] > pos) div.appendChild(document.createTextNode(text.slice(pos, piece[0])));
            div.appendChild(h("span", { className: "wx-mark", "data-severity": piece[2], "data-start": String(piece[0]), "data-end": String(piece[1]) },
                text.slice(piece[0], piece[1])));
            pos = piece[1];
        });
        if (para.end > pos) div.appendChild(document.createTextNode(text.slice(pos, para.end)));
        // Keeps a trailing newline's empty last line as tall as in the textarea.
        if (para.key.charAt(0) === "$") div.appendChild(h("span", { className: "wx-eol" }, " "));
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

    var announceTimer = 0;
    var lastAnnounced = "";
    function scheduleAnnouncement(state, byseverity) {
        clearTimeout(announceTimer);
        announceTimer = setTimeout(function () {
            var message;
            if (!state.text) {
                message = "草稿为空。";
            } else {
                var n = state.report.findings.length;
                var parts = SEVERITIES.filter(function (s) { return byseverity[s]; }).map(function (s) { return label("severities", s) + " " + byseverity[s] + " 处"; });
                message = "检查结果：" + label("verdicts", state.report.verdict) + "。" + (n ? "共 " + n + " 处问题：" + parts.join("，") + "。" : "未发现问题。");
                if (state.truncated) message += "草稿过长，只检查了前 " + MAX_CHECK + " 字。";
            }
            if (message !== lastAnnounced) {
                lastAnnounced = message;
                announcer.textContent = message;
            }
        }, 700);
    }

    // ---- Interaction ------------------------------------------------------------

    textarea.addEventListener("input", function () {
        pasteNote = "";
        onDraftChanged();
    });
    // A huge paste is cut to what can be checked at once, before the browser lays
    // out megabytes of text: that alone would freeze the page for seconds.
    textarea.addEventListener("paste", function (event) {
        var data = event.clipboardData && event.clipboardData.getData("text/plain");
        if (!data) return;
        var start = textarea.selectionStart;
        var end = textarea.selectionEnd;
        var room = MAX_CHECK - (textarea.value.length - (end - start));
        if (data.length <= room) return;
        event.preventDefault();
        var kept = room > 0 ? safeCut(data, room) : "";
        textarea.setRangeText(kept, start, end, "end");
        pasteNote = "粘贴的内容有 " + data.length.toLocaleString("zh-CN") + " 字，草稿一次最多检查 " + MAX_CHECK.toLocaleString("zh-CN")
            + " 字：只放入了前 " + kept.length.toLocaleString("zh-CN") + " 字，其余没有放入。请分段粘贴、分段检查。";
        onDraftChanged();
    });
    contexts.forEach(function (id) {
        contextInputs[id].addEventListener("change", function () {
            setContext(currentContext());
            runCheck();
        });
    });
    clearButton.addEventListener("click", function () {
        textarea.value = "";
        pasteNote = "";
        previousDraft = null;
        tryNotice.hidden = true;
        if (store) {
            try {
                store.removeItem(STORE_DRAFT);
            } catch (e) { /* nothing stored */ }
        }
        onDraftChanged();
        textarea.focus();
    });

    findingsList.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-index]");
        if (!button || !lastReport) return;
        var f = lastReport.report.findings[Number(button.getAttribute("data-index"))];
        if (!f) return;
        if (textarea.value.slice(f.start, f.end) !== f.text) return; // stale: a re-check is under way
        if (button.classList.contains("wx-replace")) {
            replaceRange(f.start, f.end, f.replacement);
        } else {
            textarea.focus();
            textarea.setSelectionRange(f.start, f.end);
        }
    });

    /** Replaces [start, end) keeping the browser's undo history where it can. */
    function replaceRange(start, end, replacement) {
        textarea.focus();
        textarea.setSelectionRange(start, end);
        var done = false;
        try {
            done = document.execCommand("insertText", false, replacement);
        } catch (e) {
            done = false;
        }
        if (!done || textarea.value.slice(start, start + replacement.length) !== replacement) {
            textarea.setRangeText(replacement, start, end, "end");
            onDraftChanged();
        }
    }

    // ---- Review record ----------------------------------------------------------

    function sha256Hex(text) {
        var bytes = new TextEncoder().encode(text);
        var subtle = window.crypto && window.crypto.subtle;
        if (subtle && typeof subtle.digest === "function") {
            return subtle.digest("SHA-256", bytes).then(function (buf) {
                return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
            }, function () {
                return sha256Fallback(bytes);
            });
        }
        // Insecure origins (plain http on an intranet) have no crypto.subtle.
        return Promise.resolve(sha256Fallback(bytes));
    }

    function pad(n) {
        return (n < 10 ? "0" : "") + n;
    }
    function localTime(d) {
        var off = -d.getTimezoneOffset();
        var sign = off >= 0 ? "+" : "-";
        off = Math.abs(off);
        return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds())
            + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
    }

    api.record = function (options) {
        var withDraft = options && "includeDraft" in options ? !!options.includeDraft : includeDraft.checked;
        return currentReport().then(function (state) {
            return sha256Hex(state.text).then(function (hash) {
                var meta = window.WX_ENGINE.meta;
                var report = state.report;
                var now = new Date();
                var counts = { block: 0, senior: 0, revise: 0, advice: 0 };
                report.findings.forEach(function (f) { counts[f.severity]++; });
                var json = {
                    kind: "wx-self-check-record",
                    time: localTime(now),
                    context: state.context,
                    contextLabel: label("contexts", state.context),
                    verdict: report.verdict,
                    verdictLabel: label("verdicts", report.verdict),
                    counts: counts,
                    findings: report.findings.map(function (f) {
                        return { rule: f.rule, clause: f.clause, label: f.label, severity: f.severity, severityLabel: label("severities", f.severity), text: f.text, message: f.message, start: f.start, end: f.end };
                    }),
                    checkedWhole: !state.truncated,
                    draftLength: state.text.length,
                    draftSha256: hash,
                    policyVersion: meta.policyVersion,
                    policySha256: meta.policySha256,
                    policyReleased: meta.policyReleased,
                    rulesVersion: meta.rulesVersion,
                };
                if (withDraft) json.draft = state.text;
                var lines = [
                    "【发布前自检记录】",
                    "时间：" + json.time.replace("T", " "),
                    "发布场景：" + json.contextLabel,
                    "结论：" + json.verdictLabel,
                ];
                var n = report.findings.length;
                lines.push("问题：" + (n ? n + " 处（" + SEVERITIES.filter(function (s) { return counts[s]; }).map(function (s) { return label("severities", s) + " " + counts[s]; }).join("，") + "）" : "无"));
                report.findings.forEach(function (f, i) {
                    lines.push((i + 1) + ". [" + label("severities", f.severity) + "] " + f.label + "「" + f.text + "」" + f.message);
                });
                if (state.truncated) lines.push("注意：草稿过长，只检查了前 " + state.checkedLength + " 字。");
                lines.push("草稿 SHA-256：" + hash);
                lines.push("草稿字数：" + json.draftLength);
                lines.push("制度版本：" + json.policyVersion + (json.policyReleased ? "" : "（尚未定版）") + "；正文 SHA-256：" + json.policySha256 + "；规则版本：" + json.rulesVersion);
                if (withDraft) lines.push("草稿全文：", state.text);
                else lines.push("草稿全文：未附（可凭 SHA-256 核对）");
                return { text: lines.join("\n") + "\n", json: JSON.stringify(json, null, 2) + "\n", data: json };
            });
        });
    };

    function stamp(time) {
        return time.slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    }

    function download(name, content, type) {
        var url = URL.createObjectURL(new Blob([content], { type: type }));
        var a = h("a", { href: url, download: name, className: "wx-hidden-link" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }

    function copyText(text) {
        if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
            return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
        }
        return legacyCopy(text);
    }
    function legacyCopy(text) {
        var area = h("textarea", { className: "wx-offscreen", readonly: true, "aria-hidden": "true", tabindex: "-1" });
        area.value = text;
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

    function withRecord(action) {
        recordStatus.textContent = "正在生成记录……";
        api.record().then(action).catch(function () {
            recordStatus.textContent = "未能生成或复制记录，请改用下载。";
        });
    }
    copyButton.addEventListener("click", function () {
        withRecord(function (rec) {
            return copyText(rec.text).then(function () {
                recordStatus.textContent = "已复制审核记录（文本），可粘贴到与部门负责人的聊天中。";
            });
        });
    });
    textButton.addEventListener("click", function () {
        withRecord(function (rec) {
            download("自检记录-" + stamp(rec.data.time) + ".txt", rec.text, "text/plain;charset=utf-8");
            recordStatus.textContent = "已下载文本记录。";
        });
    });
    jsonButton.addEventListener("click", function () {
        withRecord(function (rec) {
            download("自检记录-" + stamp(rec.data.time) + ".json", rec.json, "application/json");
            recordStatus.textContent = "已下载 JSON 记录，可归档留存。";
        });
    });

    updateDraftStatus();

    // ---- SHA-256 for origins without crypto.subtle --------------------------------

    function sha256Fallback(bytes) {
        var k = [];
        var hh = [];
        for (var n = 2, found = 0; found < 64; n++) {
            var prime = true;
            for (var d = 2; d * d <= n; d++) {
                if (n % d === 0) {
                    prime = false;
                    break;
                }
            }
            if (!prime) continue;
            if (found < 8) hh[found] = (Math.pow(n, 1 / 2) * 4294967296) | 0;
            k[found++] = (Math.pow(n, 1 / 3) * 4294967296) | 0;
        }
        var length = bytes.length;
        var total = ((length + 9 + 63) >> 6) << 6;
        var m = new Uint8Array(total);
        m.set(bytes);
        m[length] = 0x80;
        var view = new DataView(m.buffer);
        view.setUint32(total - 4, (length * 8) >>> 0);
        view.setUint32(total - 8, Math.floor(length / 0x20000000));
        var w = new Int32Array(64);
        for (var off = 0; off < total; off += 64) {
            for (var i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4);
            for (i = 16; i < 64; i++) {
                var x = w[i - 15];
                var y = w[i - 2];
                var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
                var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
                w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
            }
            var a = hh[0], b = hh[1], c = hh[2], dd = hh[3], e = hh[4], f = hh[5], g = hh[6], h7 = hh[7];
            for (i = 0; i < 64; i++) {
                var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
                var t1 = (h7 + S1 + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
                var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
                var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
                h7 = g;
                g = f;
                f = e;
                e = (dd + t1) | 0;
                dd = c;
                c = b;
                b = a;
                a = (t1 + t2) | 0;
            }
            hh[0] = (hh[0] + a) | 0;
            hh[1] = (hh[1] + b) | 0;
            hh[2] = (hh[2] + c) | 0;
            hh[3] = (hh[3] + dd) | 0;
            hh[4] = (hh[4] + e) | 0;
            hh[5] = (hh[5] + f) | 0;
            hh[6] = (hh[6] + g) | 0;
            hh[7] = (hh[7] + h7) | 0;
        }
        return hh.map(function (v) { return ("0000000" + (v >>> 0).toString(16)).slice(-8); }).join("");
    }
})();
