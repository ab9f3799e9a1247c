// The checker page's logic without a browser: book/assets/checker/engine.js
// (WX_LOGIC) run in a bare VM context with the built checker-words.js, as
// tables of cases. What it gets wrong here the page would show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { repoRoot, siteDir } from "./harness.mjs";

function load() {
    const window = {};
    const context = vm.createContext({ window });
    vm.runInContext(readFileSync(join(siteDir, "checker-words.js"), "utf8") + "\nwindow.WX_WORDS = WX_WORDS;", context);
    vm.runInContext(readFileSync(join(repoRoot, "book/assets/checker/engine.js"), "utf8"), context);
    return { logic: window.WX_LOGIC, words: window.WX_WORDS };
}
const loaded = load();
/** Objects made in the VM have its prototypes: compare them as plain data. */
const plain = (x) => JSON.parse(JSON.stringify(x));
const words = plain(loaded.words);
const logic = new Proxy(loaded.logic, {
    get: (target, key) => (typeof target[key] === "function" ? (...args) => {
        const r = target[key](...args);
        return r && typeof r.then === "function" ? r : r === undefined ? r : key === "scheduler" ? r : plain(r);
    } : target[key]),
});
const ORDER = words.severities.map((s) => s.id);

/** A finding at [start, end) of `text`. */
function f(text, start, end, severity, replacement = null) {
    return { rule: "r", clause: "1.1.1", label: "", severity, message: "", suggestion: "", replacement, start, end, text: text.slice(start, end) };
}

test("the check limit and the severity order come from the words", () => {
    assert.equal(logic.MAX_CHECK, words.maxCheck);
    assert.ok(logic.MAX_CHECK > 0);
    assert.deepEqual(ORDER, ["block", "senior", "revise", "advice"]);
});

test("applyFixes: every replacement, in text order; overlaps and stale findings skipped", () => {
    const t = "电话13812345678，备用13912345678，保过";
    // [findings, expected text, applied]
    const cases = [
        [[], t, 0],
        [[f(t, 2, 13, "block", "138****5678")], "电话138****5678，备用13912345678，保过", 1],
        [[f(t, 16, 27, "block", "139****5678"), f(t, 2, 13, "block", "138****5678")], "电话138****5678，备用139****5678，保过", 2],
        // no replacement: left alone
        [[f(t, 28, 30, "revise")], t, 0],
        // overlapping: the first in text order wins
        [[f(t, 2, 13, "block", "A"), f(t, 5, 9, "advice", "B")], "电话A，备用13912345678，保过", 1],
        // stale: its text is no longer there
        [[{ ...f(t, 2, 13, "block", "X"), text: "13800000000" }], t, 0],
    ];
    for (const [findings, expected, applied] of cases) {
        assert.deepEqual(logic.applyFixes(t, findings), { text: expected, applied }, JSON.stringify(findings));
    }
});

test("orderFindings: most severe first, then text order; each keeps its report index", () => {
    const t = "0123456789";
    const findings = [f(t, 5, 6, "advice"), f(t, 1, 2, "revise"), f(t, 8, 9, "block"), f(t, 0, 1, "advice"), f(t, 3, 4, "block")];
    const ordered = logic.orderFindings(findings, ORDER);
    assert.deepEqual(ordered.map((x) => [x.severity, x.start, x.index]),
        [["block", 3, 4], ["block", 8, 2], ["revise", 1, 1], ["advice", 0, 3], ["advice", 5, 0]]);
    assert.equal(findings[0].index, undefined, "the report itself is not changed");
});

test("shownVerdict: a draft checked in part never passes", () => {
    // [engine verdict, truncated, shown]
    for (const [verdict, truncated, shown] of [
        ["pass", false, "pass"], ["advice", false, "advice"], ["block", false, "block"],
        ["pass", true, "partial"], ["advice", true, "partial"],
        ["revise", true, "revise"], ["senior", true, "senior"], ["block", true, "block"],
    ]) {
        assert.equal(logic.shownVerdict(verdict, truncated), shown, `${verdict} ${truncated}`);
        assert.ok(words.verdicts.some((v) => v.id === shown), `words for ${shown}`);
    }
});

test("commonEnds: the unchanged items at both ends", () => {
    // [old, new, prefix, suffix]
    for (const [a, b, prefix, suffix] of [
        ["", "", 0, 0], ["abc", "abc", 3, 0], ["abc", "aXc", 1, 1], ["abc", "abXc", 2, 1],
        ["abc", "", 0, 0], ["", "abc", 0, 0], ["aaa", "aa", 2, 0], ["abcd", "ad", 1, 1],
    ]) {
        assert.deepEqual(logic.commonEnds([...a], [...b]), { prefix, suffix }, `${a} → ${b}`);
    }
});

test("markedRanges: overlapping findings marked with the most severe", () => {
    const t = "0123456789";
    assert.deepEqual(logic.markedRanges([f(t, 0, 6, "advice"), f(t, 2, 4, "block")], ORDER),
        [[0, 2, "advice"], [2, 4, "block"], [4, 6, "advice"]]);
    assert.deepEqual(logic.markedRanges([f(t, 1, 3, "revise"), f(t, 5, 7, "senior")], ORDER),
        [[1, 3, "revise"], [5, 7, "senior"]]);
});

test("splitInvisible: no-break spaces, fillers and direction controls are named", () => {
    const parts = logic.splitInvisible("a\u00a0b\u3164\u2800c\u202ed\u202d");
    assert.deepEqual(parts.map((p) => (typeof p === "string" ? p : p.char)), ["a", "\u00a0", "b", "\u3164", "\u2800", "c", "\u202e", "d", "\u202d"]);
    assert.match(parts[6].name, /RLO/);
    assert.match(parts[8].name, /LRO/);
    assert.deepEqual(logic.splitInvisible("普通文字 ok"), ["普通文字 ok"]);
});

test("safeCut never splits a surrogate pair", () => {
    assert.equal(logic.safeCut("ab😀", 3), "ab");
    assert.equal(logic.safeCut("ab😀", 4), "ab😀");
    assert.equal(logic.safeCut("abc", 10), "abc");
});

test("scheduler: one check at a time, the newest input wins, waiters get the current result", async () => {
    let input = "a";
    const runs = [];
    const pending = [];
    const s = logic.scheduler({
        input: () => ({ text: input, context: "public" }),
        same: (r, i) => r === i.text,
        run: (i) => new Promise((ok) => { runs.push(i.text); pending.push(() => ok(i.text)); }),
    });
    s.request();
    input = "ab";
    s.request();
    input = "abc";
    s.request();
    const waited = s.whenCurrent();
    assert.deepEqual(runs, ["a"], "the others wait for the first");
    pending.shift()();
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(runs, ["a", "abc"], "only the newest queued input is checked");
    pending.shift()();
    assert.equal(await waited, "abc");
    assert.equal(s.last(), "abc");
});
