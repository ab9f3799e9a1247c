// 发布前自检 — the review record (clause 3.1.2 asks for one; the words citing it
// come from WX_WORDS): what was checked, when, in which context, the verdict the
// page showed, every finding, the draft's SHA-256 (from the engine, Rust's
// `sha2`), the edition and the rules version. Built locally; nothing is sent.
//
// One global, WX_RECORD, with `build(input) -> {text, json, data}` (pure but
// for nothing: the time and hash are passed in) and `stamp(time)`.
(function () {
    "use strict";

    var LOGIC = /** @type {any} */ (window).WX_LOGIC;

    /** @param {number} n */
    function pad(n) {
        return (n < 10 ? "0" : "") + n;
    }

    /** ISO 8601 local time with its offset. @param {Date} d */
    function localTime(d) {
        var off = -d.getTimezoneOffset();
        var sign = off >= 0 ? "+" : "-";
        off = Math.abs(off);
        return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds())
            + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
    }

    /**
     * The record of one check.
     * @param {{state: CheckState, hash: string, now: Date, meta: any, words: WxWords, includeDraft: boolean,
     *          labels: {severity: (id: string) => string, context: (id: string) => string, verdict: (id: string) => string}}} input
     * @returns {{text: string, json: string, data: Object<string, any>}}
     */
    function build(input) {
        var state = input.state;
        var report = state.report;
        var meta = input.meta;
        var labels = input.labels;
        var order = input.words.severities.map(function (s) { return s.id; });
        var counts = LOGIC.countBySeverity(report.findings, order);
        var verdict = LOGIC.shownVerdict(report.verdict, state.truncated);
        /** @type {Object<string, any>} */
        var json = {
            kind: "wx-self-check-record",
            time: localTime(input.now),
            context: state.context,
            contextLabel: labels.context(state.context),
            verdict: verdict,
            verdictLabel: labels.verdict(verdict),
            counts: counts,
            findings: report.findings.map(function (f) {
                return { rule: f.rule, clause: f.clause, label: f.label, severity: f.severity, severityLabel: labels.severity(f.severity), text: f.text, message: f.message, start: f.start, end: f.end };
            }),
            checkedWhole: !state.truncated,
            checkedLength: state.checkedLength,
            draftLength: state.text.length,
            draftSha256: input.hash,
            policyVersion: meta.policyVersion,
            policySha256: meta.policySha256,
            policyReleased: meta.policyReleased,
            rulesVersion: meta.rulesVersion,
        };
        if (input.includeDraft) json.draft = state.text;
        var lines = [
            "【发布前自检记录】",
            "时间：" + json.time.replace("T", " "),
            "发布场景：" + json.contextLabel,
            "结论：" + json.verdictLabel,
        ];
        var n = report.findings.length;
        lines.push("问题：" + (n ? n + " 处（" + order.filter(function (s) { return counts[s]; }).map(function (s) { return labels.severity(s) + " " + counts[s]; }).join("，") + "）" : "无"));
        report.findings.forEach(function (f, i) {
            lines.push((i + 1) + ". [" + labels.severity(f.severity) + "] " + f.label + "「" + f.text + "」" + f.message);
        });
        if (state.truncated) lines.push("注意：草稿过长，仅检查了前 " + state.checkedLength + " 字，其余部分没有检查。");
        lines.push("草稿 SHA-256：" + input.hash);
        lines.push("草稿字数：" + json.draftLength);
        lines.push("制度版本：" + json.policyVersion + (json.policyReleased ? "" : "（尚未定版）") + "；正文 SHA-256：" + json.policySha256 + "；规则版本：" + json.rulesVersion);
        if (input.includeDraft) lines.push("草稿全文：", state.text);
        else lines.push("草稿全文：未附（可凭 SHA-256 核对）");
        return { text: lines.join("\n") + "\n", json: JSON.stringify(json, null, 2) + "\n", data: json };
    }

    /** `2026-11-29T17:30:00+08:00` → `20261129-173000`, for file names. @param {string} time */
    function stamp(time) {
        return time.slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    }

    /** @type {any} */ (window).WX_RECORD = { build: build, stamp: stamp, localTime: localTime };
})();
