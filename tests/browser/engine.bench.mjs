// Engine benchmark: the built checker (wasm + glue) of one or more sites side by
// side — `new Checker` start-up in node and in Chromium (the page's worker, at
// CPU ×1 and ×4), the per-edit cost of a 5,000-character draft dense with
// findings, throughput, and the gzipped size of wasm + glue. Used to choose the
// wasm profile (checker-wasm/engine/DESIGN.md, "Wasm profile"):
//
//   cargo xtask build                                   # the shipped profile, into site/
//   CARGO_PROFILE_WASM_OPT_LEVEL=3 cargo xtask build --out /tmp/site-3
//   cd tests && taskset -c 1 node browser/engine.bench.mjs z=../site 3=/tmp/site-3
//
// Runs are interleaved (every site once per round) so a machine that changes
// speed mid-run affects all alike; medians are reported. Results are printed and
// written to tests/output/engine-bench.json. No pass/fail: it measures.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { launchBrowser, outputPath, startServer } from "./harness.mjs";

const ROUNDS = 5;
const sites = process.argv.slice(2).map((arg) => {
    const [name, dir] = arg.includes("=") ? arg.split("=") : [arg, arg];
    return { name, dir: resolve(dir) };
});
if (!sites.length) {
    console.error("usage: node browser/engine.bench.mjs NAME=SITE_DIR …");
    process.exit(2);
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 100) / 100;

function load(dir) {
    const script = readFileSync(join(dir, "checker-engine.js"), "utf8");
    const wasm = readFileSync(join(dir, "checker-engine.wasm"));
    const sandbox = { TextDecoder, TextEncoder, WebAssembly, console };
    vm.createContext(sandbox);
    vm.runInContext(script, sandbox);
    const engine = sandbox.WX_ENGINE;
    // The glue tells `{ module }` from a bare module by its prototype, so the
    // object must come from the script's own realm.
    sandbox.newObject = () => vm.runInContext("({})", sandbox);
    const glue = script.slice(script.indexOf("glue: function"));
    return {
        engine,
        sandbox,
        module: new WebAssembly.Module(wasm),
        gzipKB: Math.round((gzipSync(wasm, { level: 9 }).length + gzipSync(glue, { level: 9 }).length) / 102.4) / 10,
    };
}

function denseDraft() {
    const sentence = "本周六上午九点在城东校区上数学课，请家长准时送孩子到校，有问题请联系班主任。";
    let base = "";
    for (let i = 0; base.length < 5000; i++) {
        base += i % 4 === 1 ? "暑期冲刺班保过，全网最低价！家长电话13812345678。\n" : sentence + (i % 3 === 0 ? "\n" : "");
    }
    return base.slice(0, 5000);
}

function corpus() {
    const sentences = [
        "最近天气转凉，请家长们给孩子多带一件外套。", "第一节课安排在周六上午9点，地点在总部301教室。",
        "暑期班报名需缴纳保证金200元，结课后全额退还。", "孩子这周的作业完成得很好，继续加油！",
        "谨防诈骗：本校不会通过个人账户收取学费。", "签约保过，不过退费，名额有限。", "全市第一的英语培训，顶级师资。",
        "家长电话13812345678，请尽快联系。", "Our summer camp starts on July 1st, welcome!", "網傳今年中考取消聽力，大家注意。",
    ];
    const drafts = [];
    let seed = 7;
    for (let d = 0; d < 400; d++) {
        let s = "";
        const len = 200 + (d * 37) % 1800;
        while (s.length < len) {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            s += sentences[seed % sentences.length];
        }
        drafts.push(s.slice(0, len));
    }
    return drafts;
}

function nodeRound(site, dense, drafts) {
    const t0 = performance.now();
    const bindings = site.engine.glue();
    const init = site.sandbox.newObject();
    init.module = site.module;
    bindings.initSync(init);
    const checker = new bindings.Checker(site.engine.rules);
    const startupMs = performance.now() - t0;
    const edits = [];
    for (let n = 0; n < 30; n++) {
        const text = dense.slice(0, 4990) + String(n).padStart(10, "0");
        const t = performance.now();
        checker.check(text, "public");
        edits.push(performance.now() - t);
    }
    let chars = 0;
    const t1 = performance.now();
    for (const d of drafts) {
        checker.check(d, "parents");
        chars += d.length;
    }
    const mcharsPerS = chars / ((performance.now() - t1) / 1000) / 1e6;
    checker.free();
    return { startupMs, editMs: median(edits), mcharsPerS };
}

async function chromiumRound(browser, srv, rate) {
    const page = await browser.newPage();
    const cdp = await browser.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    await page.goto(srv.url("self-check.html"));
    await page.waitForSelector("#wx-checker[data-state=ready]", { timeout: 60000 });
    const t = await page.evaluate(() => window.wxChecker.timing);
    await page.close();
    return { workerInitMs: t.wasmInit, readyMs: t.ready, path: t.wasmPath };
}

const loaded = sites.map((s) => ({ ...s, ...load(s.dir), node: [], chromium1: [], chromium4: [] }));
const dense = denseDraft();
const drafts = corpus();
const browser = await launchBrowser({ requireSite: false });
const servers = await Promise.all(loaded.map((s) => startServer({ root: s.dir, wasmType: true })));
for (let r = 0; r < ROUNDS; r++) {
    for (const [i, s] of loaded.entries()) {
        s.node.push(nodeRound(s, dense, drafts));
        s.chromium1.push(await chromiumRound(browser, servers[i], 1));
        s.chromium4.push(await chromiumRound(browser, servers[i], 4));
    }
}
await browser.close();
await Promise.all(servers.map((s) => s.close()));

const results = loaded.map((s) => ({
    name: s.name,
    wasmPlusGlueGzipKB: s.gzipKB,
    nodeNewCheckerMs: round(median(s.node.map((x) => x.startupMs))),
    nodeEdit5000Ms: round(median(s.node.map((x) => x.editMs))),
    nodeMCharsPerS: round(median(s.node.map((x) => x.mcharsPerS))),
    chromiumWorkerNewCheckerMs: round(median(s.chromium1.map((x) => x.workerInitMs))),
    chromiumWorkerNewCheckerMsCpu4: round(median(s.chromium4.map((x) => x.workerInitMs))),
    chromiumReadyMsCpu4: round(median(s.chromium4.map((x) => x.readyMs))),
}));
console.table(results);
writeFileSync(outputPath("engine-bench.json"), JSON.stringify(results, null, 2) + "\n");
