// The supervision group's audit report (wxcheck audit --html): generated from the
// fixture exports by the real CLI, opened from file:// in Chromium. It must make no
// request at all, pass axe-core at phone and desktop widths, show totals that
// reconcile, highlight exactly the spans the checker found, and render hostile
// input values as text. Screenshots go to tests/output/ for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchBrowser, outputPath, repoRoot, watchPage } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const FIXTURES = "checker-wasm/engine/tests/audit";

let browser;
let work;
let records;

/** Runs the CLI from the repository root, as an auditor would. */
function wxcheck(args) {
    const bin = process.env.WXCHECK_BIN;
    const [cmd, argv] = bin ? [bin, args] : ["cargo", ["run", "-q", "-p", "wxcheck", "--bin", "wxcheck", "--", ...args]];
    return spawnSync(cmd, argv, { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 });
}

before(async () => {
    work = mkdtempSync(join(tmpdir(), "wxcheck-audit-"));
    // Values an attacker controls: sender, room and text with markup in them.
    const hostile = join(work, "hostile.jsonl");
    const msg = (o) => JSON.stringify({ action: "send", msgtype: "text", tolist: ["wmParent"], roomid: "", msgtime: 1709300000000, ...o });
    writeFileSync(hostile, [
        msg({ msgid: "h1_external", from: "<img src=x onerror=alert(1)>", text: { content: "<script>alert(1)</script>这里可以赌博&amp;" } }),
        msg({ msgid: "h2_external", from: "teacher\"' onmouseover=\"x", roomid: "<b>room</b>", text: { content: "报名就包过，<i>不过退费</i>" } }),
    ].join("\n") + "\n");
    const out = wxcheck(["audit", `${FIXTURES}/wecom-lines/input/archive.jsonl`, `${FIXTURES}/memotrace/input/chat.csv`,
        `${FIXTURES}/pywxdump/input/msg.csv`, hostile, "--html", join(work, "report.html"), "--jsonl", join(work, "out.jsonl")]);
    assert.equal(out.status, 1, `exit status (blocked findings) — stderr:\n${out.stderr}`);
    records = readFileSync(join(work, "out.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    browser = await launchBrowser({ requireSite: false });
});

after(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
});

async function openReport(width) {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    const watch = watchPage(page);
    await page.goto(pathToFileURL(join(work, "report.html")).href);
    return { page, watch };
}

async function axeViolations(page) {
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
}

test("opens from file:// with no request, no error, and passes axe at 375 px and desktop", async () => {
    for (const [width, name] of [[375, "audit-375.png"], [1280, "audit-desktop.png"]]) {
        const { page, watch } = await openReport(width);
        assert.deepEqual(watch.requests.filter((u) => !u.startsWith("file:")), []);
        assert.equal(watch.requests.length, 1, `only the report itself: ${watch.requests}`);
        assert.deepEqual(watch.errors, []);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        const wide = await page.evaluate(() => [...document.querySelectorAll("body *")]
            .filter((e) => !e.parentElement?.closest(".scroll") && e.getBoundingClientRect().right > window.innerWidth + 1)
            .map((e) => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 40)}`).slice(0, 5));
        assert.ok(overflow <= 0, `page scrolls sideways by ${overflow} px at ${width} px: ${wide.join(" | ")}`);
        await page.screenshot({ path: outputPath(name), fullPage: true });
        // Last: axe's injected script changes the page it measures.
        assert.deepEqual(await axeViolations(page), [], `axe at ${width} px`);

        await page.close();
    }
});

test("totals reconcile and match the JSONL", async () => {
    const { page } = await openReport(1280);
    const cards = await page.$$eval("#totals ~ .cards .card", (cs) =>
        Object.fromEntries(cs.map((c) => [c.querySelector("span").textContent, Number(c.querySelector("strong").textContent)])));
    const count = (status) => records.filter((r) => r.status === status).length;
    assert.equal(cards["读取的记录"], records.filter((r) => r.status !== "file-error").length);
    assert.equal(cards["已审计"], count("audited"));
    assert.equal(cards["按类型跳过（无文字）"], count("skipped-type"));
    assert.equal(cards["按发送人跳过（非员工）"], count("skipped-sender"));
    assert.equal(cards["撤回记录"], count("recall"));
    assert.equal(cards["重复（重复拉取的 msgid）"], count("duplicate"));
    assert.equal(cards["无法读取"], count("error"));
    assert.ok(cards["无法读取"] >= 4 && cards["重复（重复拉取的 msgid）"] >= 1 && cards["撤回记录"] >= 1);
    const sum = ["已审计", "按类型跳过（无文字）", "按发送人跳过（非员工）", "撤回记录", "重复（重复拉取的 msgid）", "无法读取"]
        .reduce((a, k) => a + cards[k], 0);
    assert.equal(sum, cards["读取的记录"]);
    assert.match(await page.textContent("#totals + .cards + p"), /核对无误/);
    // Every unreadable record is listed with its place.
    const badRows = await page.$$eval("#bad ~ .scroll tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(badRows, records.filter((r) => r.status === "error").map((r) => `${r.file}:${r.line}`));
    const days = await page.$$eval("#timeline ~ svg g", (gs) => gs.length);
    assert.equal(days, new Set(records.filter((r) => r.status === "audited" && r.time).map((r) => r.time.slice(0, 10))).size);
    await page.close();
});

test("findings: severity first, exact highlights, context, clause links, recalled marked", async () => {
    const { page } = await openReport(1280);
    const shown = await page.$$eval("article.finding", (as) => as.map((a) => ({
        severity: a.classList[1],
        mark: a.querySelector("mark").textContent,
        quote: a.querySelector("blockquote").textContent,
        href: a.querySelector("h3 a").getAttribute("href"),
        recalled: !!a.querySelector(".badge.recalled"),
        dd: [...a.querySelectorAll("dd")].map((d) => d.textContent),
    })));
    const rank = { block: 3, senior: 2, revise: 1, advice: 0 };
    for (let i = 1; i < shown.length; i++) assert.ok(rank[shown[i - 1].severity] >= rank[shown[i].severity], "severity first");
    const findings = records.filter((r) => r.status === "audited").flatMap((r) => r.findings.map((f) => ({ r, f })));
    assert.equal(shown.length, findings.length);
    // Every finding's exact text is highlighted once, and the window is the message's own text.
    assert.deepEqual(shown.map((s) => s.mark).sort(), findings.map(({ f }) => f.text).sort());
    for (const s of shown) assert.ok(s.quote.includes(s.mark));
    const gambling = shown.find((s) => s.mark === "赌博" && s.quote.includes("<script>"));
    assert.ok(gambling, "the hostile text is shown as text");
    assert.equal(gambling.dd[1], "<img src=x onerror=alert(1)>");
    assert.equal(await page.$$eval("img, script, i, b", (n) => n.length), 0, "no markup from input was rendered");
    // Contexts, with the fourth one labelled as checked by the strictest rules.
    const contexts = new Set(shown.map((s) => s.dd[3]));
    for (const c of ["客户私聊", "工作群", "家长群·学员群"]) assert.ok(contexts.has(c), c);
    // Links go to the clause's page and anchor of a site built beside the report.
    for (const s of shown) assert.match(s.href, /(^|\/)site\/[a-z]+\.html#c-\d+(-\d+)*$/);
    // m5 was recalled later in the archive.
    const recalled = shown.filter((s) => s.recalled);
    assert.equal(recalled.length, 1);
    assert.match(recalled[0].dd[4], /m5_external/);
    await page.close();
});
