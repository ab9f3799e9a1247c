// The checker on a cheap phone (issue 12, "Fast on a cheap phone"): a 375×740
// viewport with the CPU slowed 4× (CDP Emulation.setCPUThrottlingRate), over
// both ways the engine loads — http(s) with the wasm as its own file, compiled
// while it streams, and file:// with the base64 script.
//
// Nothing here asserts a wall-clock threshold (a shared machine swings 2×):
// the tests assert on what the page records (which path loaded the wasm, that
// ready was recorded, that a draft typed while loading was kept and checked,
// that every keystroke was painted before its check began) and report the figures in
// tests/output/perf-figures.json. The goals they are read against: ready
// < 1 s after load at ×4; a keystroke in a 5,000-character draft painted
// within one frame (16.7 ms) at ×4, its findings in the frames after.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { fileUrl, launchBrowser, outputPath, startServer, watchPage } from "./harness.mjs";

const RUNS = 5;
const figures = {};
let context;
let server;

before(async () => {
    context = await launchBrowser();
    server = await startServer({ wasmType: true });
});

after(async () => {
    writeFileSync(outputPath("perf-figures.json"), JSON.stringify(figures, null, 2) + "\n");
    console.log("perf figures:", JSON.stringify(figures, null, 2));
    await context?.close();
    await server?.close();
});

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

/** A phone: 375×740, CPU slowed 4×, long tasks recorded from the first script on. */
async function phonePage() {
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await page.addInitScript(() => {
        // A reader who types the moment the box appears, before the engine is in.
        new MutationObserver((_, observer) => {
            const ta = document.getElementById("wx-draft");
            if (!ta) return;
            observer.disconnect();
            ta.value = "签约保过";
            ta.dispatchEvent(new Event("input", { bubbles: true }));
            window.__typed = { state: document.getElementById("wx-checker").getAttribute("data-state") };
        }).observe(document, { childList: true, subtree: true });
        window.__longTasks = [];
        new PerformanceObserver((list) => {
            for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
        }).observe({ type: "longtask", buffered: true });
    });
    return { page, watch: watchPage(page) };
}

/** What the page recorded about loading the engine. */
async function loadRecord(page) {
    return page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const t = window.wxChecker.timing;
        const mark = (n) => performance.getEntriesByName(n)[0];
        const ready = mark("wx-engine:ready");
        const tasks = window.__longTasks.filter((x) => x.start < t.ready);
        return {
            path: t.wasmPath,
            backend: ready && ready.detail.backend,
            readyMark: !!ready,
            compiledMark: !!mark("wx-engine:compiled"),
            readyMs: t.ready,
            readyAfterLoadEventMs: t.ready - nav.loadEventEnd,
            readyAfterDomContentLoadedMs: t.ready - nav.domContentLoadedEventEnd,
            compiledMs: t.compiled,
            scriptMs: t.script,
            workerInitMs: t.wasmInit,
            inlineInitMs: t.inlineInit,
            longTasksWhileLoading: tasks.length,
            longestTaskWhileLoadingMs: tasks.length ? Math.max(...tasks.map((x) => x.ms)) : 0,
            longTasks: window.__longTasks.map((x) => `${Math.round(x.start)}+${Math.round(x.ms)}`).join(" "),
            marks: `load ${Math.round(nav.loadEventEnd)} script ${Math.round(t.script)} compiled ${Math.round(t.compiled)} ready ${Math.round(t.ready)}`,
        };
    });
}

describe("发布前自检 on a phone (CPU ×4, 375 px)", () => {
    for (const [name, url, path] of [
        ["http(s): wasm streamed and compiled as its own file", () => server.url("self-check.html"), "stream"],
        ["file://: wasm from the base64 script", () => fileUrl("self-check.html"), "base64"],
    ]) {
        test(`${name}; ready recorded; typing while loading is kept and checked`, async () => {
            const runs = [];
            for (let n = 0; n < RUNS; n++) {
                const { page, watch } = await phonePage();
                const before = server.requests.length;
                await page.goto(url(), { waitUntil: "commit" });
                await page.waitForSelector("#wx-checker[data-state=ready]", { timeout: 30000 });
                const typed = await page.evaluate(() => window.__typed);
                assert.ok(typed && typed.state !== "ready", `typed before ready: ${JSON.stringify(typed)}`);
                await page.waitForFunction(() => window.wxChecker.lastRun && window.wxChecker.lastRun.length === 4);
                assert.equal(await page.inputValue("#wx-draft"), "签约保过", "nothing typed was lost");
                const verdict = await page.getAttribute("#wx-verdict", "data-verdict");
                assert.ok(verdict && verdict !== "pass", `verdict ${verdict}`);
                const record = await loadRecord(page);
                assert.equal(record.path, path);
                assert.equal(record.backend, "worker");
                assert.ok(record.readyMark && record.compiledMark, JSON.stringify(record));
                if (path === "stream") {
                    const asked = server.requests.slice(before);
                    assert.ok(asked.some((u) => u.endsWith("/checker-engine.wasm")), asked.join(" "));
                    assert.ok(!asked.some((u) => u.endsWith("/checker-engine-wasm.js")), "no base64 over http");
                }
                // The main thread's own Checker for short drafts, built when idle.
                await page.waitForFunction(() => performance.getEntriesByName("wx-engine:inline").length === 1);
                record.inlineInitMs = await page.evaluate(() => window.wxChecker.timing.inlineInit);
                assert.deepEqual(watch.errors, []);
                runs.push(record);
                await page.close();
            }
            const pick = (k) => round(median(runs.map((r) => r[k])));
            figures[path] = {
                runs: RUNS,
                medianReadyMs: pick("readyMs"),
                medianReadyAfterLoadEventMs: pick("readyAfterLoadEventMs"),
                medianReadyAfterDomContentLoadedMs: pick("readyAfterDomContentLoadedMs"),
                medianCompiledMs: pick("compiledMs"),
                medianWorkerInitMs: pick("workerInitMs"),
                medianInlineInitMs: pick("inlineInitMs"),
                medianLongestTaskWhileLoadingMs: pick("longestTaskWhileLoadingMs"),
                lastRun: { longTasks: runs[RUNS - 1].longTasks, marks: runs[RUNS - 1].marks },
            };
        });
    }

    test("a 5,000-character dense draft: each keystroke painted before its check runs; per-keystroke figures", async () => {
        const { page, watch } = await phonePage();
        await page.goto(server.url("self-check.html"));
        await page.waitForSelector("#wx-checker[data-state=ready]", { timeout: 30000 });
        await page.waitForFunction(() => performance.getEntriesByName("wx-engine:inline").length === 1);
        await page.evaluate(() => {
            const sentence = "本周六上午九点在城东校区上数学课，请家长准时送孩子到校，有问题请联系班主任。";
            let base = "";
            let i = 0;
            while (base.length < 5000) {
                base += i % 4 === 1 ? "暑期冲刺班保过，全网最低价！家长电话13812345678。\n" : sentence + (i % 3 === 0 ? "\n" : "");
                i++;
            }
            const ta = document.getElementById("wx-draft");
            ta.value = base.slice(0, 5000);
            ta.dispatchEvent(new Event("input", { bubbles: true }));
        });
        await page.waitForFunction(() => {
            const run = window.wxChecker.lastRun;
            return run && run.length === 5000 && run.paintedMs !== undefined;
        }, null, { timeout: 30000 });
        await page.evaluate(() => {
            const ta = document.getElementById("wx-draft");
            const root = document.getElementById("wx-checker");
            ta.focus();
            ta.setSelectionRange(2500, 2500);
            // Per keystroke: when its input handlers were done, when the next
            // frame began (rAF), and the check that followed it.
            window.__keys = [];
            window.addEventListener("input", () => {
                const key = { handled: performance.now() };
                window.__keys.push(key);
                requestAnimationFrame(() => { key.frame = performance.now(); });
            });
            root.addEventListener("wx-checker:rendered", (e) => {
                const m = performance.getEntriesByName("wx-engine:check")[0];
                const key = window.__keys[window.__keys.length - 1];
                if (key && !key.check) key.check = { start: m.startTime, length: m.detail.length, run: e.detail };
            });
            // Event Timing: keystroke to the paint that shows it (8 ms
            // granularity; entries under 16 ms are not reported).
            window.__events = [];
            new PerformanceObserver((list) => {
                for (const e of list.getEntries()) if (e.name === "keydown" || e.name === "input") window.__events.push({ name: e.name, duration: e.duration });
            }).observe({ type: "event", durationThreshold: 16 });
        });
        const KEYS = 16;
        for (let k = 0; k < KEYS; k++) {
            await page.keyboard.type("字");
            // A brisk typist on a phone: a key every ~200 ms; the check of each
            // is painted before the next.
            await page.waitForFunction((n) => {
                const key = window.__keys[n];
                return key && key.check && key.check.run.paintedMs !== undefined;
            }, k, { timeout: 30000 });
            await page.waitForTimeout(50);
        }
        const { keys, events, text } = await page.evaluate(() => ({ keys: window.__keys, events: window.__events, text: document.getElementById("wx-draft").value }));
        assert.equal(text.length, 5000 + KEYS, "every keystroke is in the draft");
        assert.equal(text.slice(2500, 2500 + KEYS), "字".repeat(KEYS));
        assert.equal(keys.length, KEYS);
        for (const [n, key] of keys.entries()) {
            assert.equal(key.check.length, 5001 + n, `keystroke ${n + 1} was checked`);
            // The structural promise: the check began after the frame that
            // shows the keystroke had started, never inside the keystroke's task.
            assert.ok(key.frame !== undefined && key.check.start >= key.frame, `keystroke ${n + 1}: check at ${key.check.start}, frame at ${key.frame}`);
        }
        const runs = keys.map((k) => k.check.run);
        assert.ok(runs[0].findings >= 100, `findings: ${runs[0].findings}`);
        const durations = (name) => events.filter((e) => e.name === name).map((e) => e.duration);
        const pick = (k) => round(median(runs.map((r) => r[k])));
        figures.draft5000 = {
            keystrokes: KEYS,
            findings: runs[0].findings,
            // Keystroke to its paint (Event Timing). Unreported keystrokes took under 16 ms.
            keystrokesOver16Ms: durations("input").length,
            medianKeystrokeToPaintMs: durations("input").length ? median(durations("input")) : "< 16",
            medianCheckMs: pick("checkMs"),
            medianRenderMs: pick("renderMs"),
            // Keystroke until its findings are painted.
            medianFindingsPaintedMs: pick("paintedMs"),
        };
        assert.deepEqual(watch.errors, []);
        await page.close();
    });
});
