// 发布前自检 — the page's logic that never touches the DOM: limits, ordering,
// counts, the verdict the page may claim, the fixed draft, highlight ranges,
// paragraphs, the one keyed list diff, invisible characters and the check
// scheduler. The words it works with (severity order, labels) are passed in
// from WX_WORDS (generated from Rust by `cargo xtask build`), never typed here.
//
// One global, WX_LOGIC. Pure functions except `scheduler`, which only keeps
// the state of the checks in flight.
(function () {
    "use strict";

    /** Drafts longer than this (UTF-16 units) are checked only up to here:
     *  20,000 字 is also the most a 公众号 article may hold. Beyond it the
     *  browser's own layout of the text box alone takes a noticeable time.
     *  The number comes from Rust (`rule_cost::DRAFT_CHARS`, which times the
     *  rules at that length) through WX_WORDS. */
    var words = /** @type {any} */ (window).WX_WORDS;
    var MAX_CHECK = words ? words.maxCheck : 0;
    /** At most this many findings are listed (all are counted). */
    var MAX_LISTED = 200;
    /** Drafts longer than this are not kept in sessionStorage (its quota is small). */
    var MAX_SAVE = 1000000;

    /** Cuts `text` at `n` UTF-16 units without splitting a surrogate pair.
     *  @param {string} text @param {number} n @returns {string} */
    function safeCut(text, n) {
        if (text.length <= n) return text;
        var code = text.charCodeAt(n - 1);
        return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
    }

    /** Counts per severity id (every id of `order` present, 0 if none).
     *  @param {Finding[]} findings @param {string[]} order @returns {Object<string, number>} */
    function countBySeverity(findings, order) {
        /** @type {Object<string, number>} */
        var counts = {};
        order.forEach(function (s) { counts[s] = 0; });
        findings.forEach(function (f) { counts[f.severity] = (counts[f.severity] || 0) + 1; });
        return counts;
    }

    /** Findings most severe first (`order` is most severe first), then in text
     *  order; each keeps its index in the report as `index`.
     *  @param {Finding[]} findings @param {string[]} order @returns {Finding[]} */
    function orderFindings(findings, order) {
        return findings.map(function (f, i) {
            var copy = Object.assign({}, f);
            copy.index = i;
            return copy;
        }).sort(function (a, b) {
            return (order.indexOf(a.severity) - order.indexOf(b.severity)) || (a.start - b.start) || (a.end - b.end)
                || (/** @type {number} */ (a.index) - /** @type {number} */ (b.index));
        });
    }

    /**
     * The verdict the page may show. A draft checked only in part never
     * passes: what was not checked may hold anything, so a verdict that would
     * let it go to review (`pass`, `advice`) becomes `partial`.
     * @param {string} verdict the engine's verdict of the checked part
     * @param {boolean} truncated
     * @returns {string}
     */
    function shownVerdict(verdict, truncated) {
        if (truncated && (verdict === "pass" || verdict === "advice")) return "partial";
        return verdict;
    }

    /**
     * The draft with every finding's replacement applied. Findings are taken in
     * text order; one that overlaps a replacement already applied is skipped
     * (its text is gone), and so is one whose text no longer matches the draft.
     * @param {string} text @param {Finding[]} findings
     * @returns {{text: string, applied: number}}
     */
    function applyFixes(text, findings) {
        var fixes = findings.filter(function (f) {
            return f.replacement !== null && f.replacement !== undefined && text.slice(f.start, f.end) === f.text;
        }).sort(function (a, b) { return a.start - b.start || a.end - b.end; });
        var out = "";
        var pos = 0;
        var applied = 0;
        fixes.forEach(function (f) {
            if (f.start < pos) return;
            out += text.slice(pos, f.start) + f.replacement;
            pos = f.end;
            applied++;
        });
        return { text: out + text.slice(pos), applied: applied };
    }

    /**
     * Ranges to mark in the draft, [start, end, severity], in text order: a
     * range covered by several findings (of different clauses) is marked with
     * the most severe of them. A sweep over the boundaries.
     * @param {Finding[]} findings @param {string[]} order most severe first
     * @returns {Array<[number, number, string]>}
     */
    function markedRanges(findings, order) {
        var n = order.length;
        /** @type {Array<[number, number, number]>} */
        var events = [];
        findings.forEach(function (f) {
            var rank = order.indexOf(f.severity);
            if (rank < 0) rank = n - 1;
            events.push([f.start, 1, rank], [f.end, -1, rank]);
        });
        events.sort(function (a, b) { return a[0] - b[0]; });
        /** @type {Array<[number, number, string]>} */
        var ranges = [];
        var active = order.map(function () { return 0; });
        var pos = 0;
        for (var i = 0; i < events.length;) {
            var at = events[i][0];
            if (at > pos) {
                for (var r = 0; r < n; r++) {
                    if (active[r] > 0) {
                        ranges.push([pos, at, order[r]]);
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

    /**
     * Characters a reader cannot see or that reorder what they see: shown in
     * the highlight layer with a visible marker. Names are what the marker's
     * title says.
     * @type {Object<string, string>}
     */
    var INVISIBLE = {
        "\u00a0": "不换行空格（U+00A0）",
        "\u2007": "数字空格（U+2007）",
        "\u202f": "窄不换行空格（U+202F）",
        "\u3164": "韩文填充符（U+3164），看起来是空白",
        "\u2800": "盲文空白（U+2800），看起来是空白",
        "\u200b": "零宽空格（U+200B）",
        "\u200c": "零宽不连字（U+200C）",
        "\u200d": "零宽连字（U+200D）",
        "\u2060": "零宽不换行（U+2060）",
        "\ufeff": "零宽不换行空格（U+FEFF）",
        "\u00ad": "软连字符（U+00AD）",
        "\u061c": "阿拉伯字母标记（U+061C），改变文字方向",
        "\u200e": "从左到右标记（U+200E），改变文字方向",
        "\u200f": "从右到左标记（U+200F），改变文字方向",
        "\u202a": "从左到右嵌入（U+202A），改变文字方向",
        "\u202b": "从右到左嵌入（U+202B），改变文字方向",
        "\u202c": "方向格式结束（U+202C）",
        "\u202d": "从左到右强制（LRO，U+202D），改变文字方向",
        "\u202e": "从右到左强制（RLO，U+202E），会把后面的文字倒过来显示",
        "\u2066": "从左到右隔离（U+2066），改变文字方向",
        "\u2067": "从右到左隔离（U+2067），改变文字方向",
        "\u2068": "方向隔离（U+2068），改变文字方向",
        "\u2069": "方向隔离结束（U+2069）",
    };
    var INVISIBLE_RE = new RegExp("[" + Object.keys(INVISIBLE).join("") + "]", "g");

    /**
     * `text` cut into plain runs (strings) and invisible characters
     * ({char, name}), in order.
     * @param {string} text @returns {Array<string | {char: string, name: string}>}
     */
    function splitInvisible(text) {
        /** @type {Array<string | {char: string, name: string}>} */
        var out = [];
        var pos = 0;
        INVISIBLE_RE.lastIndex = 0;
        for (var m = INVISIBLE_RE.exec(text); m; m = INVISIBLE_RE.exec(text)) {
            if (m.index > pos) out.push(text.slice(pos, m.index));
            out.push({ char: m[0], name: INVISIBLE[m[0]] });
            pos = m.index + 1;
        }
        if (pos < text.length) out.push(text.slice(pos));
        return out;
    }

    /**
     * The draft cut into paragraphs (one per line, the newline included), each
     * with its marked pieces and a key that changes when its text or marks do.
     * @param {string} text @param {Array<[number, number, string]>} ranges
     * @returns {Paragraph[]}
     */
    function paragraphs(text, ranges) {
        /** @type {Paragraph[]} */
        var paras = [];
        var r = 0;
        for (var start = 0; ;) {
            var nl = text.indexOf("\n", start);
            var end = nl < 0 ? text.length : nl + 1;
            /** @type {Array<[number, number, string]>} */
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
            paras.push({ start: start, end: end, pieces: pieces, last: last, key: (last ? "$" : "") + key + "|" + text.slice(start, end) });
            if (last) break;
            start = end;
        }
        return paras;
    }

    /**
     * The one list diff: how many items at the start and at the end of two
     * keyed lists are the same, so only the middle is rebuilt. Typing in one
     * place changes one paragraph or finding; the rest is kept.
     * @param {string[]} oldKeys @param {string[]} newKeys
     * @returns {{prefix: number, suffix: number}}
     */
    function commonEnds(oldKeys, newKeys) {
        var oldCount = oldKeys.length;
        var newCount = newKeys.length;
        var prefix = 0;
        while (prefix < oldCount && prefix < newCount && oldKeys[prefix] === newKeys[prefix]) prefix++;
        var suffix = 0;
        while (suffix < oldCount - prefix && suffix < newCount - prefix
            && oldKeys[oldCount - 1 - suffix] === newKeys[newCount - 1 - suffix]) suffix++;
        return { prefix: prefix, suffix: suffix };
    }

    /** The key of a finding's list item: what it shows apart from offsets.
     *  @param {Finding} f @returns {string} */
    function findingKey(f) {
        return f.rule + "\u0000" + f.severity + "\u0000" + f.text + "\u0000" + f.replacement;
    }

    /**
     * Runs one check at a time: a request while one is in flight is queued
     * (only the newest matters), and `whenCurrent` resolves once a result of
     * exactly the current input is in.
     * @template R
     * @param {{input: () => CheckInput, run: (input: CheckInput) => Promise<R>, same: (result: R, input: CheckInput) => boolean}} hooks
     */
    function scheduler(hooks) {
        var inFlight = false;
        var queued = false;
        /** @type {R|null} */
        var last = null;
        /** @type {Array<(r: R) => void>} */
        var waiters = [];
        function request() {
            if (inFlight) {
                queued = true;
                return;
            }
            inFlight = true;
            hooks.run(hooks.input()).then(function (r) {
                last = r;
            }, function () { /* the caller reports it */ }).then(function () {
                inFlight = false;
                if (queued) {
                    queued = false;
                    request();
                } else if (last !== null && hooks.same(last, hooks.input())) {
                    var w = waiters;
                    waiters = [];
                    var done = /** @type {R} */ (last);
                    w.forEach(function (fn) { fn(done); });
                }
            });
        }
        /** @returns {Promise<R>} */
        function whenCurrent() {
            if (!inFlight && last !== null && hooks.same(last, hooks.input())) return Promise.resolve(last);
            return new Promise(function (resolve) {
                waiters.push(resolve);
                if (!inFlight) request();
            });
        }
        return {
            request: request,
            whenCurrent: whenCurrent,
            /** @returns {R|null} */
            last: function () { return last; },
        };
    }

    /** @type {any} */ (window).WX_LOGIC = {
        MAX_CHECK: MAX_CHECK,
        MAX_LISTED: MAX_LISTED,
        MAX_SAVE: MAX_SAVE,
        safeCut: safeCut,
        countBySeverity: countBySeverity,
        orderFindings: orderFindings,
        shownVerdict: shownVerdict,
        applyFixes: applyFixes,
        markedRanges: markedRanges,
        splitInvisible: splitInvisible,
        paragraphs: paragraphs,
        commonEnds: commonEnds,
        findingKey: findingKey,
        scheduler: scheduler,
    };
})();
