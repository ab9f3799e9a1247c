// Search benchmark: index size and query latency in headless Chromium, on the real
// handbook and on a synthetic handbook 50× larger. Targets: under 5 ms and under
// 20 ms per query.
//
//   cargo xtask build && cd tests && node browser/search.bench.mjs
//
// The 50× index is generated through the xtask's own `search_index::render` by
// an ignored Rust test (`write_bench_indexes`), which this script runs first; it
// writes target/search-bench/{real,x50}.js. Results are printed and written to
// tests/output/search-bench.json; the exit code is 1 if a target is missed.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { fileUrl, launchBrowser, outputPath, repoRoot, siteDir } from "./harness.mjs";

const QUERIES = [
    "密码", "账号", "泄露", "回复", "客户隐私", "保密", "审核", "考核", "赌博", "个人微信", "本制度",
    "賬號", "密碼", "洩露", "客戶隱私", "賬號安全", "密", "群", "诈", "的", "公司",
    "2027", "２０２７", "2", "2小时", "1月1日", "三（三）3", "3.3.3", "微信 账号",
    "mima", "zhanghao", "xie lu", "mm", "WeChat", "二维码", "xyz", "工作群", "隐私泄露",
    "员工应妥善保管个人微信账号密码", "weixinguanli",
];
const REPS = 20;

const benchDir = join(repoRoot, "target", "search-bench");
execFileSync("cargo", ["test", "-q", "-p", "xtask", "--", "--ignored", "--exact", "search_index::tests::write_bench_indexes"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
});
copyFileSync(join(repoRoot, "book", "assets", "search.js"), join(benchDir, "search.js"));
// The search DOM of the theme, so the UI path (input → rendered results) is measured too.
const page = (index) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title></head><body>
<button id="mdbook-search-toggle" aria-expanded="false"></button>
<div id="mdbook-search-wrapper" class="hidden"><form id="mdbook-searchbar-outer"><div class="search-wrapper">
<input type="search" id="mdbook-searchbar"></div></form>
<div id="mdbook-searchresults-outer" class="hidden"><div id="mdbook-searchresults-header"></div><ul id="mdbook-searchresults"></ul></div></div>
<div id="mdbook-content"><main></main></div>
<script src="${index}"></script><script src="search.js"></script></body></html>`;
for (const name of ["real", "x50"]) writeFileSync(join(benchDir, `${name}.html`), page(`${name}.js`));

function measure([queries, reps]) {
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const t0 = performance.now();
    const engine = wxSearch.makeEngine(window.wxSearchIndex);
    const init = performance.now() - t0;
    const perQuery = {};
    // Chromium coarsens performance.now() to 0.1 ms: time batches, not single runs.
    for (const q of queries) {
        engine.query(q);
        const batches = [];
        let total = 0;
        for (let b = 0; b < 5; b++) {
            const t = performance.now();
            for (let i = 0; i < reps; i++) {
                total = engine.query(q, 100).total;
            }
            batches.push((performance.now() - t) / reps);
        }
        perQuery[q] = { ms: median(batches), total };
    }
    // UI: set the bar, fire `input`, results rendered synchronously.
    const bar = document.getElementById("mdbook-searchbar");
    const ui = [];
    for (const q of queries) {
        const times = [];
        for (let i = 0; i < 5; i++) {
            bar.value = "";
            bar.dispatchEvent(new Event("input"));
            const t = performance.now();
            bar.value = q;
            bar.dispatchEvent(new Event("input"));
            times.push(performance.now() - t);
        }
        ui.push(median(times));
    }
    const all = Object.values(perQuery).map((x) => x.ms).sort((a, b) => a - b);
    ui.sort((a, b) => a - b);
    const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
    return {
        clauses: engine.size,
        initMs: init,
        query: { median: pct(all, 0.5), p95: pct(all, 0.95), max: all[all.length - 1] },
        ui: { median: pct(ui, 0.5), p95: pct(ui, 0.95), max: ui[ui.length - 1] },
        perQuery,
    };
}

const sizeOf = (path) => {
    const bytes = readFileSync(path);
    return { bytes: statSync(path).size, gzip: gzipSync(bytes).length };
};

const context = await launchBrowser();
const results = {};
const targets = { real: 5, x50: 20 };
try {
    for (const name of ["real", "x50"]) {
        const tab = await context.newPage();
        // The real handbook is measured on the built site itself.
        const url = name === "real" ? fileUrl("general.html") : pathToFileURL(join(benchDir, "x50.html")).href;
        await tab.goto(url);
        const m = await tab.evaluate(measure, [QUERIES, REPS]);
        const indexPath = name === "real"
            ? join(siteDir, (await tab.evaluate(() => [...document.scripts].map((s) => s.getAttribute("src")).find((s) => /search-index/.test(s ?? "")))).replace(/^(\.\/)?/, ""))
            : join(benchDir, "x50.js");
        results[name] = { index: sizeOf(indexPath), ...m };
        await tab.close();
    }
} finally {
    await context.close();
}

const f = (x) => x.toFixed(2);
console.log("handbook   clauses  index (gzip)        init ms  query median/p95/max ms   UI median/p95/max ms");
for (const [name, r] of Object.entries(results)) {
    console.log(
        `${name.padEnd(10)} ${String(r.clauses).padStart(7)}  ${(r.index.bytes / 1024).toFixed(1).padStart(7)} KB (${(r.index.gzip / 1024).toFixed(1)} KB)`
            + `  ${f(r.initMs).padStart(7)}  ${f(r.query.median)}/${f(r.query.p95)}/${f(r.query.max)}`.padEnd(28)
            + `  ${f(r.ui.median)}/${f(r.ui.p95)}/${f(r.ui.max)}`,
    );
}
const slow = Object.entries(results[`x50`].perQuery).sort((a, b) => b[1].ms - a[1].ms).slice(0, 5);
console.log("slowest on x50:", slow.map(([q, r]) => `${q} ${f(r.ms)} ms (${r.total} hits)`).join("; "));
writeFileSync(outputPath("search-bench.json"), JSON.stringify(results, null, 2));
let ok = true;
for (const [name, limit] of Object.entries(targets)) {
    if (results[name].query.max >= limit) {
        console.error(`${name}: slowest query ${f(results[name].query.max)} ms, target < ${limit} ms`);
        ok = false;
    }
}
process.exitCode = ok ? 0 : 1;
