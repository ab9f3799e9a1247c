// The 发布前自检 page in a real headless Chromium: live results, exact highlights,
// stable hooks, privacy (no request, sessionStorage only, text never HTML), the
// review record, rule notes, themes, phone width, keyboard, accessibility,
// robustness and speed. Figures and screenshots go to tests/output/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { fileUrl, launchBrowser, outputPath, siteDir, startServer, watchPage } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const PHONE_DRAFT = "恭喜张同学获得一等奖！家长电话：13812345678，欢迎咨询。";
const MIXED_DRAFT = "暑期冲刺班，保过！\n全网最低价，错过等一年。\n家长电话：138 1234 5678";
const figures = {};

let context;
let server;
let strictServer;

before(async () => {
    context = await launchBrowser();
    server = await startServer();
    strictServer = await startServer({ strictTypes: true });
});

after(async () => {
    writeFileSync(outputPath("checker-figures.json"), JSON.stringify(figures, null, 2) + "\n");
    console.log("checker figures:", JSON.stringify(figures, null, 2));
    await context?.close();
    await server?.close();
    await strictServer?.close();
});

/** Opens a page, waits for the checker to be ready; returns {page, watch}. */
async function openChecker(url) {
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForSelector("#wx-checker[data-state=ready]", { timeout: 15000 });
    return { page, watch };
}

/** Replaces the draft as a paste would, and waits until its report is rendered. */
async function setDraft(page, text) {
    await page.locator("#wx-draft").fill(text);
    return settle(page);
}

/** Waits for the report of exactly the current draft and context. */
async function settle(page) {
    return page.evaluate(async () => {
        const state = await window.wxChecker.currentReport();
        return state.report;
    });
}

/** Every finding element's hooks. */
async function findingHooks(page) {
    return page.$$eval("#wx-findings .wx-finding", (items) => items.map((li) => ({
        rule: li.dataset.rule,
        clause: li.dataset.clause,
        severity: li.dataset.severity,
        start: Number(li.dataset.start),
        end: Number(li.dataset.end),
    })));
}

async function setTheme(page, theme) {
    await page.keyboard.press("Escape");
    if (!(await page.isVisible(`#mdbook-theme-${theme}`))) await page.click("#mdbook-theme-toggle");
    await page.click(`#mdbook-theme-${theme}`);
    await page.waitForFunction((t) => document.documentElement.classList.contains(t), theme);
    if (await page.isVisible("#mdbook-theme-list")) await page.click("#mdbook-theme-toggle");
    await page.waitForSelector("#mdbook-theme-list", { state: "hidden" });
}

/**
 * axe-core violations in `scope` (default: the whole page, the mdBook chrome of
 * book/theme/index.hbs included).
 */
async function axeViolations(page, scope = null) {
    if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
    return page.evaluate(async (sel) => {
        const result = await window.axe.run(sel ? { include: [[sel]] } : document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary),
        }));
    }, scope);
}

describe("发布前自检", () => {
    test("checks live as you type from file://, hooks for tests, no request at all", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        const loadedRequests = watch.requests.length;
        const draft = page.getByLabel("草稿", { exact: true });
        assert.equal(await draft.evaluate((el) => el.tagName), "TEXTAREA");
        // Before typing: an empty draft has no verdict yet.
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), null);

        await draft.click();
        await page.keyboard.type("本班保过");
        await page.waitForSelector('#wx-verdict[data-verdict="revise"]');
        let hooks = await findingHooks(page);
        assert.deepEqual(hooks.map((h) => [h.rule, h.clause, h.severity]), [["ad-exam-promise", "3.1.1", "revise"]]);
        assert.match(await page.textContent("#wx-verdict"), /修改后再提交审核/);

        await page.keyboard.type("，电话13812345678");
        await page.waitForSelector('#wx-verdict[data-verdict="block"]');
        hooks = await findingHooks(page);
        // Most severe first: the 禁止发布 item leads, though it comes later in the text.
        assert.deepEqual(hooks.map((h) => h.clause), ["3.3.3", "3.1.1"]);
        assert.match(await page.textContent("#wx-verdict"), /禁止发布/);
        assert.equal(await page.getAttribute('.wx-count[data-severity="block"]', "data-count"), "1");
        assert.equal(await page.getAttribute('.wx-count[data-severity="revise"]', "data-count"), "1");

        // Senior and pass verdicts in words that say what to do next.
        await setDraft(page, "下月起全部课程涨价15%");
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), "senior");
        assert.match(await page.textContent("#wx-verdict"), /需高层审批/);
        await setDraft(page, "本周六上午九点照常上课，请准时到校。");
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), "pass");
        assert.match(await page.textContent("#wx-verdict"), /可提交部门负责人审核/);

        assert.equal(watch.requests.length, loadedRequests, `requests after load: ${watch.requests.slice(loadedRequests)}`);
        // Only the page's own files and the checker's blob: worker.
        assert.deepEqual(watch.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:")), []);
        assert.deepEqual(watch.errors, []);
        await page.waitForFunction(() => window.wxChecker.worker === "worker");
        await page.close();
    });

    test("highlights are exact after emoji, combining marks and CRLF (UTF-16 offsets)", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        const text = "👩‍👩‍👧家庭套餐😀 e\u0301 保过！🇨🇳\n第二行：包-過，电话 13812345678";
        await setDraft(page, text);
        const check = await page.evaluate(() => {
            const ta = document.getElementById("wx-draft");
            const value = ta.value;
            const marks = [...document.querySelectorAll(".wx-highlights .wx-mark")].map((m) => ({
                start: Number(m.dataset.start), end: Number(m.dataset.end), text: m.textContent, severity: m.dataset.severity,
            }));
            const findings = [...document.querySelectorAll("#wx-findings .wx-finding")].map((li) => ({
                start: Number(li.dataset.start), end: Number(li.dataset.end), severity: li.dataset.severity,
                shown: li.querySelector(".wx-locate").textContent,
            }));
            const mirror = document.querySelector(".wx-highlights").textContent;
            return { value, marks, findings, mirror };
        });
        assert.equal(check.mirror, check.value + " ", "the mirror holds exactly the draft (plus the end-of-line pad)");
        // The list is most severe first; in text order the slices read as typed.
        const slices = check.findings.slice().sort((a, b) => a.start - b.start).map((f) => check.value.slice(f.start, f.end));
        assert.deepEqual(slices, ["保过", "包-過", "13812345678"]);
        for (const f of check.findings) assert.equal(f.shown, `「${check.value.slice(f.start, f.end)}」`);
        // Blank lines and a trailing newline: the mirror is exactly as tall as the text.
        await setDraft(page, "第一段\n\n\n保过\n" + "很长的一段话，".repeat(40) + "\n");
        const heights = await page.evaluate(() => ({
            mirror: document.querySelector(".wx-highlights").scrollHeight,
            textarea: document.getElementById("wx-draft").scrollHeight,
        }));
        assert.ok(Math.abs(heights.mirror - heights.textarea) <= 1, JSON.stringify(heights));
        await setDraft(page, text);
        for (const m of check.marks) assert.equal(m.text, check.value.slice(m.start, m.end));
        assert.deepEqual(check.marks.map((m) => m.text), ["保过", "包-過", "13812345678"]);

        // The same mark sits where the textarea draws the text: compare with a
        // caret measurement from a clone laid out the same way.
        const geometry = await page.evaluate(() => {
            const mark = document.querySelector(".wx-highlights .wx-mark");
            const r = mark.getBoundingClientRect();
            const ta = document.getElementById("wx-draft");
            const t = ta.getBoundingClientRect();
            return { markLeft: r.left - t.left, markTop: r.top - t.top, width: r.width, height: r.height };
        });
        assert.ok(geometry.width > 0 && geometry.height > 0, JSON.stringify(geometry));

        // Scrolled: the mark under the textarea's text moves with it.
        await setDraft(page, "第一行\n".repeat(60) + "最后一行保过");
        const scrolled = await page.evaluate(async () => {
            const ta = document.getElementById("wx-draft");
            ta.scrollTop = ta.scrollHeight;
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            // The rule's mark on 保过 (the learned model may add its own
            // advice marks on the same sentence).
            const m = [...document.querySelectorAll(".wx-highlights .wx-mark")]
                .find((x) => x.textContent === "保过").getBoundingClientRect();
            const t = ta.getBoundingClientRect();
            return { markTop: m.top, markBottom: m.bottom, taTop: t.top, taBottom: t.bottom };
        });
        assert.ok(scrolled.markTop >= scrolled.taTop && scrolled.markBottom <= scrolled.taBottom, JSON.stringify(scrolled));
        await setDraft(page, text);

        // CRLF cannot survive a textarea (it normalises to LF), so the API checks it.
        const crlf = "第一行😀\r\n第二行 e\u0301：保过\r\n电话13812345678\r\n";
        const report = await page.evaluate((t) => window.wxChecker.check(t, "public"), crlf);
        assert.deepEqual(report.findings.map((f) => crlf.slice(f.start, f.end)), ["保过", "13812345678"]);
        for (const f of report.findings) assert.equal(crlf.slice(f.start, f.end), f.text);
        assert.deepEqual(watch.errors, []);
        await page.close();
    });

    test("context switch: 朋友圈·公众号 / 客户私聊 / 家长群·学员群 / 工作群", async () => {
        const { page } = await openChecker(fileUrl("self-check.html"));
        const labels = await page.$$eval(".wx-contexts label", (ls) => ls.map((l) => l.textContent.trim()));
        assert.deepEqual(labels, ["朋友圈·公众号", "客户私聊", "家长群·学员群", "工作群"]);
        await setDraft(page, "这个不归我管，你问别人去");
        // No rule about replying to customers applies to a public post (the
        // learned second opinion may still give advice).
        assert.ok(["pass", "advice"].includes(await page.getAttribute("#wx-verdict", "data-verdict")));
        assert.deepEqual((await findingHooks(page)).filter((h) => h.rule !== "learned"), []);
        await page.getByLabel("客户私聊").check();
        await settle(page);
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), "revise");
        // Two rude phrases, each under both clauses; which of two findings on
        // one span comes first is the engine's business, not the page's.
        assert.deepEqual((await findingHooks(page)).map((h) => h.clause).sort(), ["3.2.3", "3.2.3", "4.2.1", "4.2.1"]);

        await setDraft(page, "这个家长的电话13912345678，谁跟进一下");
        await page.getByLabel("工作群").check();
        await settle(page);
        assert.deepEqual((await findingHooks(page)).map((h) => [h.rule, h.clause]), [["group-personal-phone", "5.3.2"]]);
        await page.getByLabel("朋友圈·公众号").check();
        await settle(page);
        assert.deepEqual((await findingHooks(page)).map((h) => h.clause), ["3.3.3"]);
        await page.close();
    });

    test("clause label links to the clause; replacement masks a phone number", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        await setDraft(page, PHONE_DRAFT);
        const link = page.locator('.wx-finding[data-clause="3.3.3"] a.wx-clause');
        assert.equal(await link.textContent(), "三（三）3");
        assert.match(await link.getAttribute("href"), /^publishing\.html#c-3-3-3$/);

        await page.click('.wx-finding[data-rule="personal-phone"] .wx-replace');
        // The fix clears the rule's finding; the learned second opinion may
        // still add advice (a child's name with a prize), never more.
        await page.waitForFunction(() => !document.querySelector('.wx-finding[data-rule="personal-phone"]'));
        await settle(page);
        assert.ok(["pass", "advice"].includes(await page.getAttribute("#wx-verdict", "data-verdict")));
        assert.equal(await page.inputValue("#wx-draft"), "恭喜张同学获得一等奖！家长电话：138****5678，欢迎咨询。");

        await setDraft(page, PHONE_DRAFT);
        await link.click();
        await page.waitForURL(/publishing\.html#c-3-3-3$/);
        assert.equal(await page.locator("#c-3-3-3").getAttribute("data-clause"), "3.3.3");
        assert.deepEqual(watch.external(), []);
        await page.close();
    });

    test("privacy: draft in sessionStorage only, survives reload, clear button; text never HTML", async () => {
        const { page, watch } = await openChecker(server.url("self-check.html"));
        const secret = "<img src=x onerror=alert(1)> 家长电话13812345678";
        await setDraft(page, secret);
        assert.equal(await page.locator("#wx-checker img").count(), 0);
        assert.match(await page.textContent(".wx-highlights"), /<img src=x onerror=alert\(1\)>/);
        assert.equal(await page.inputValue("#wx-draft"), secret);

        await page.reload();
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await settle(page);
        assert.equal(await page.inputValue("#wx-draft"), secret, "reload keeps the draft");
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), "block");
        const stores = await page.evaluate(() => ({
            local: Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]),
            session: Object.keys(sessionStorage),
            cookie: document.cookie,
            url: location.href,
        }));
        for (const [key, value] of stores.local) {
            // The one thing kept across sessions: which edition the reader last saw.
            if (key === "wx-edition-seen") {
                assert.match(value, /^[0-9A-Za-z.\-]{1,20}$/);
                continue;
            }
            assert.ok(!key.startsWith("wx"), `our key in localStorage: ${key}`);
            assert.ok(!value.includes("13812345678"), `draft in localStorage under ${key}`);
        }
        assert.ok(stores.session.includes("wx-checker-draft"));
        assert.equal(stores.cookie, "");
        assert.equal(stores.url, server.url("self-check.html"));

        await page.click("button.wx-clear");
        await settle(page);
        assert.equal(await page.inputValue("#wx-draft"), "");
        assert.equal(await page.evaluate(() => sessionStorage.getItem("wx-checker-draft")), null);
        assert.equal(await page.evaluate(() => document.activeElement.id), "wx-draft");

        assert.deepEqual(watch.errors, [], "no alert dialog, no error");
        assert.deepEqual(watch.external(server.origin), []);
        assert.ok(!server.requests.some((u) => u.includes("x") && u.endsWith("/x")), "the <img> was never loaded");
        await page.close();
    });

    test("works over http and on a strict-MIME server; no request after load", async () => {
        // The test server sends .wasm as application/octet-stream (the wasm is
        // compiled from its bytes); the strict one refuses it (404), so the page
        // falls back to the base64 script. Streaming compilation, with
        // application/wasm, is in perf.test.mjs.
        for (const [srv, path] of [[server, "bytes"], [strictServer, "base64"]]) {
            const before = srv.requests.length;
            const { page, watch } = await openChecker(srv.url("self-check.html"));
            const afterLoad = srv.requests.length;
            await setDraft(page, MIXED_DRAFT);
            await page.getByLabel("客户私聊").check();
            await settle(page);
            await page.evaluate(() => window.wxChecker.record({ includeDraft: true }));
            assert.equal(srv.requests.length, afterLoad, `server saw: ${srv.requests.slice(afterLoad)}`);
            assert.ok(srv.requests.slice(before).some((u) => u.endsWith("/checker-engine.js")));
            assert.equal(await page.evaluate(() => window.wxChecker.timing.wasmPath), path);
            assert.deepEqual(watch.external(srv.origin), []);
            // The strict server's one refusal is the fallback working, not an error.
            const refused = /Failed to load resource: the server responded with a status of 404/;
            assert.deepEqual(watch.errors.filter((e) => !(path === "base64" && refused.test(e))), []);
            await page.close();
        }
    });

    test("review record: copy and download, text and JSON, SHA-256, draft only if ticked", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        await setDraft(page, MIXED_DRAFT);
        const expectedHash = createHash("sha256").update(MIXED_DRAFT).digest("hex");

        const plain = await page.evaluate(() => window.wxChecker.record());
        assert.equal(plain.data.draftSha256, expectedHash);
        assert.equal(plain.data.verdict, "block");
        assert.equal(plain.data.context, "public");
        // The edition the site was built from: its version and text hash.
        const edition = JSON.parse(readFileSync(join(siteDir, "edition.json"), "utf8"));
        assert.equal(plain.data.policyVersion, edition.version);
        assert.match(plain.data.policySha256, /^[0-9a-f]{64}$/);
        assert.equal(plain.data.policySha256, edition.sha256);
        assert.match(plain.data.rulesVersion, /^[0-9a-f]{12}$/);
        assert.match(plain.data.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
        assert.equal(plain.data.draft, undefined);
        assert.deepEqual(plain.data.findings.map((f) => [f.clause, f.severity, f.text]),
            [["3.1.1", "revise", "保过"], ["3.2.1", "revise", "全网最低价"], ["3.3.3", "block", "138 1234 5678"]]);
        for (const f of plain.data.findings) assert.ok(f.message.length > 0);
        assert.match(plain.text, /结论：禁止发布/);
        assert.match(plain.text, /三（三）3「138 1234 5678」/);
        assert.match(plain.text, new RegExp(`草稿 SHA-256：${expectedHash}`));
        assert.ok(!plain.text.includes("暑期冲刺班"), "draft not in the record unless ticked");

        // Download JSON with the box ticked: the draft is in it.
        await page.check("#wx-record-draft");
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=下载 JSON 记录")]);
        assert.match(download.suggestedFilename(), /^自检记录-\d{8}-\d{6}\.json$/);
        const saved = JSON.parse(readFileSync(await download.path(), "utf8"));
        assert.equal(saved.draft, MIXED_DRAFT);
        assert.equal(saved.draftSha256, expectedHash);
        const [textDownload] = await Promise.all([page.waitForEvent("download"), page.click("text=下载文本记录")]);
        const savedText = readFileSync(await textDownload.path(), "utf8");
        assert.match(savedText, /草稿全文：\n暑期冲刺班/);

        // Copy: falls back to execCommand where the clipboard API is refused.
        await page.click("text=复制记录（文本）");
        await page.waitForSelector(".wx-record-status:has-text('已复制')");

        // The engine's SHA-256 (Rust `sha2` through the binding), on any origin.
        for (const sample of ["", "abc", MIXED_DRAFT, "x".repeat(1000), "😀".repeat(300), "\ud800 lone"]) {
            const ours = await page.evaluate((s) => window.wxChecker.sha256(s), sample);
            assert.equal(ours, createHash("sha256").update(sample).digest("hex"), `sha256 of ${sample.slice(0, 10)}`);
        }
        assert.deepEqual(watch.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("blob:")), []);
        await page.close();
    });

    test("copy to the clipboard over http (clipboard API)", async () => {
        await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
        const { page } = await openChecker(server.url("self-check.html"));
        await setDraft(page, PHONE_DRAFT);
        await page.click("text=复制记录（文本）");
        await page.waitForSelector(".wx-record-status:has-text('已复制')");
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        assert.match(copied, /^【发布前自检记录】/);
        assert.match(copied, /发布场景：朋友圈·公众号/);
        await page.close();
    });

    test("without crypto.subtle the record still carries the SHA-256", async () => {
        const page = await context.newPage();
        await page.addInitScript(() => {
            Object.defineProperty(window.crypto, "subtle", { value: undefined });
        });
        await page.goto(fileUrl("self-check.html"));
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await setDraft(page, PHONE_DRAFT);
        const rec = await page.evaluate(() => window.wxChecker.record());
        assert.equal(rec.data.draftSha256, createHash("sha256").update(PHONE_DRAFT).digest("hex"));
        await page.close();
    });

    test("rule notes on clauses, 检查规则一览, and 在自检中试试 pre-fills an example", async () => {
        const page = await context.newPage();
        await page.goto(fileUrl("publishing.html"));
        const note = page.locator('#c-3-3-3 .clause-rules, [data-clause="3.3.3"] .clause-rules').first();
        assert.ok(await note.count(), "clause 3.3.3 has a rule note");
        const tryLink = note.locator('a.clause-rule-try').first();
        assert.match(await tryLink.getAttribute("href"), /^self-check\.html\?try=[a-z0-9-]+$/);
        const rule = (await tryLink.getAttribute("href")).split("=")[1];
        await tryLink.click();
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await settle(page);
        const hooks = await findingHooks(page);
        assert.ok(hooks.some((h) => h.rule === rule), `example of ${rule} flagged: ${JSON.stringify(hooks)}`);
        const ruleClause = hooks.find((h) => h.rule === rule).clause;
        assert.ok(!page.url().includes("try="), "the query is dropped once applied");
        assert.match(await page.textContent(".wx-try-notice"), new RegExp(rule));

        // A customer-only rule switches the context.
        await page.goto(fileUrl("self-check.html?try=rude-reply"));
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await settle(page);
        assert.equal(await page.isChecked("#wx-context-customer"), true);
        // The example may carry more than one hit of the rule (不归我管 … 你问别人去).
        assert.ok((await findingHooks(page)).some((h) => h.rule === "rude-reply"));
        // The earlier draft can be restored (now checked as a private chat,
        // where the same clause may be enforced by the rule's customer twin).
        await page.click("text=恢复我的草稿");
        await settle(page);
        assert.ok((await findingHooks(page)).some((h) => h.clause === ruleClause));

        await page.goto(fileUrl("rules.html"));
        const meta = await page.evaluate(() => document.querySelector(".rules-meta").textContent);
        const count = Number(meta.match(/共 (\d+) 条规则/)[1]);
        assert.equal(await page.locator("section.rule[data-rule]").count(), count);
        for (const id of ["personal-phone", "rude-reply", "major-business-info"]) {
            const section = page.locator(`#rule-${id}`);
            assert.ok(await section.locator("a.clause-rule-try").count());
            assert.match(await section.textContent(), /适用场景/);
            assert.match(await section.textContent(), /会被指出的例子/);
        }
        await page.close();
    });

    test("keyboard: `c` opens the checker from any page; everything reachable by keys", async () => {
        const page = await context.newPage();
        await page.goto(fileUrl("general.html"));
        await page.keyboard.press("c");
        await page.waitForURL(/self-check\.html/);
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await page.keyboard.press("c");
        assert.equal(await page.evaluate(() => document.activeElement.id), "wx-draft");
        await page.keyboard.type("家长电话13812345678");
        await settle(page);
        // Shift+Tab reaches the context radios; arrows switch context.
        await page.focus("#wx-context-public");
        await page.keyboard.press("ArrowRight");
        assert.equal(await page.isChecked("#wx-context-customer"), true);
        await settle(page);
        // Tab to the replace button and press Enter.
        await page.focus("#wx-draft");
        let reached = false;
        for (let i = 0; i < 12 && !reached; i++) {
            await page.keyboard.press("Tab");
            reached = await page.evaluate(() => document.activeElement.classList.contains("wx-replace"));
        }
        assert.ok(reached, "the replace button is reachable with Tab");
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => !document.querySelector('.wx-finding[data-rule^="personal-phone"]'));
        await settle(page);
        assert.ok(["pass", "advice"].includes(await page.getAttribute("#wx-verdict", "data-verdict")));
        assert.equal(await page.inputValue("#wx-draft"), "家长电话138****5678");
        // The live region announces the new result.
        // (pass or, with the learned model's advice, 可提交审核（有建议）).
        await page.waitForFunction(() => /可提交.*审核/.test(document.querySelector(".wx-checker [role=status][aria-live=polite]").textContent));
        await page.close();
    });

    test("a 5 MB paste: the longest main-thread task stays short, and the page says it is too long", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        await page.waitForFunction(() => window.wxChecker.worker === "worker");
        const pasted = await page.evaluate(async () => {
            const unit = "本周课程安排如下，请家长留意时间。保过班招生中。😀\n";
            const big = unit.repeat(Math.ceil(5 * 1024 * 1024 / unit.length));
            const ta = document.getElementById("wx-draft");
            const root = document.getElementById("wx-checker");
            const rendered = new Promise((r) => root.addEventListener("wx-checker:rendered", (e) => r(e.detail), { once: true }));
            // Long tasks (over 50 ms) as the browser itself reports them: no
            // timer of ours that a busy machine could delay.
            const tasks = [];
            const observer = new PerformanceObserver((list) => {
                for (const e of list.getEntries()) tasks.push(e.duration);
            });
            observer.observe({ type: "longtask" });
            ta.focus();
            const data = new DataTransfer();
            data.setData("text/plain", big);
            ta.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
            const detail = await rendered;
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
            for (const e of observer.takeRecords()) tasks.push(e.duration);
            observer.disconnect();
            return {
                pastedLength: big.length, keptLength: ta.value.length, detail,
                longTasks: tasks.length,
                longestTaskMs: tasks.length ? Math.max(...tasks) : 0,
                notice: document.querySelector(".wx-too-long").textContent,
                more: document.querySelector(".wx-more-findings").textContent,
                listed: document.querySelectorAll("#wx-findings .wx-finding").length,
            };
        });
        figures.hugePaste = pasted;
        assert.match(pasted.notice, /粘贴的内容有 5,24\d,\d{3} 字，草稿一次最多检查 20,000 字/);
        assert.equal(pasted.keptLength, 20000);
        assert.equal(pasted.detail.backend, "worker");
        assert.ok(pasted.listed <= 200 && /另有 \d+ 处问题没有列出/.test(pasted.more), pasted.more);
        // Only a clear regression fails: a main-thread task over 2 s (the
        // figure itself is reported; a loaded machine stretches it).
        assert.ok(pasted.longestTaskMs < 2000, `longest main-thread task ${pasted.longestTaskMs} ms`);

        // A long draft that got in another way is checked up to the limit, and says so.
        const typed = await page.evaluate(async () => {
            const ta = document.getElementById("wx-draft");
            const root = document.getElementById("wx-checker");
            const rendered = new Promise((r) => root.addEventListener("wx-checker:rendered", (e) => r(e.detail), { once: true }));
            ta.value = "保过".repeat(75000);
            ta.dispatchEvent(new Event("input", { bubbles: true }));
            const detail = await rendered;
            return { detail, notice: document.querySelector(".wx-too-long").textContent };
        });
        figures.longDraft = typed.detail;
        assert.match(typed.notice, /草稿共 150,000 字，超过一次可检查的 20,000 字/);
        assert.deepEqual(watch.errors, []);
        await page.close();
    });

    test("speed: check + re-render of a 5,000-character draft fits in a frame; ready time", async () => {
        const { page } = await openChecker(server.url("self-check.html"));
        const runs = await page.evaluate(async () => {
            const sentence = "本周六上午九点在城东校区上数学课，请家长准时送孩子到校，有问题请联系班主任。";
            let base = "";
            let i = 0;
            while (base.length < 5000) {
                base += i % 12 === 5 ? "暑期冲刺班保过，全网最低价！家长电话13812345678。\n" : sentence + (i % 3 === 0 ? "\n" : "");
                i++;
            }
            base = base.slice(0, 5000);
            const ta = document.getElementById("wx-draft");
            const root = document.getElementById("wx-checker");
            const out = [];
            for (let n = 0; n < 40; n++) {
                const done = new Promise((r) => root.addEventListener("wx-checker:rendered", (e) => r(e.detail), { once: true }));
                ta.value = base.slice(0, 4990) + String(n).padStart(10, "0");
                ta.offsetHeight; // the browser's own relayout of the textarea, paid on any keystroke
                const t0 = performance.now();
                ta.dispatchEvent(new Event("input", { bubbles: true }));
                const detail = await done;
                root.getBoundingClientRect();
                document.querySelector(".wx-highlights").offsetHeight; // force style + layout
                out.push({ ...detail, withLayoutMs: performance.now() - t0 });
            }
            // Worst case: a different 5,000-character draft pasted over the old one
            // (every paragraph and every finding rebuilt).
            const full = [];
            for (let n = 0; n < 10; n++) {
                const done = new Promise((r) => root.addEventListener("wx-checker:rendered", (e) => r(e.detail), { once: true }));
                ta.value = (n % 2 ? "【通知】" : "") + base.slice(0, n % 2 ? 4996 : 5000);
                ta.offsetHeight;
                const t0 = performance.now();
                ta.dispatchEvent(new Event("input", { bubbles: true }));
                await done;
                document.querySelector(".wx-highlights").offsetHeight;
                full.push(performance.now() - t0);
            }
            window.__fullReplace = full.slice(2);
            return out.slice(5); // warm-up dropped
        });
        const fullReplace = await page.evaluate(() => window.__fullReplace);
        const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const max = (xs) => Math.max(...xs);
        const pick = (k) => runs.map((r) => r[k]);
        figures.draft5000 = {
            length: runs[0].length,
            findings: runs[0].findings,
            medianCheckMs: median(pick("checkMs")),
            medianRoundTripMs: median(pick("roundTripMs")),
            medianRenderMs: median(pick("renderMs")),
            medianTotalMs: median(pick("totalMs")),
            medianWithLayoutMs: median(pick("withLayoutMs")),
            maxWithLayoutMs: max(pick("withLayoutMs")),
            fullReplaceMedianWithLayoutMs: median(fullReplace),
            fullReplaceMaxWithLayoutMs: max(fullReplace),
        };
        assert.ok(runs[0].findings >= 20, `findings: ${runs[0].findings}`);
        // Figures, reported (tests/output/checker-figures.json); the asserts only
        // catch a clear regression, never a slow minute on a shared machine
        // (typical: 2–5 ms per edit, ready 150–300 ms after DOMContentLoaded).
        assert.ok(figures.draft5000.medianWithLayoutMs < 200, JSON.stringify(figures.draft5000));
        await page.close();

        const ready = [];
        for (let n = 0; n < 7; n++) {
            const p = await context.newPage();
            await p.goto(server.url("self-check.html"));
            await p.waitForSelector("#wx-checker[data-state=ready]");
            ready.push(await p.evaluate(() => {
                const nav = performance.getEntriesByType("navigation")[0];
                const t = window.wxChecker.timing;
                return {
                    readyMs: t.ready,
                    afterDomContentLoadedMs: t.ready - nav.domContentLoadedEventEnd,
                    afterLoadEventMs: t.ready - nav.loadEventEnd,
                    scriptLoadedMs: t.script,
                    wasmInitMs: t.wasmInit,
                };
            }));
            await p.close();
        }
        const r = ready.slice(2);
        figures.ready = {
            medianReadyMsSinceNavigation: median(r.map((x) => x.readyMs)),
            medianReadyMsAfterDomContentLoaded: median(r.map((x) => x.afterDomContentLoadedMs)),
            medianReadyMsAfterLoadEvent: median(r.map((x) => x.afterLoadEventMs)),
            medianWasmInitMs: median(r.map((x) => x.wasmInitMs)),
            runs: r,
        };
        assert.ok(figures.ready.medianReadyMsAfterDomContentLoaded < 3000, JSON.stringify(figures.ready));
    });

    test("size: wasm + glue gzipped", () => {
        const script = readFileSync(join(siteDir, "checker-engine.js"), "utf8");
        const wasm = readFileSync(join(siteDir, "checker-engine.wasm"));
        const base64 = readFileSync(join(siteDir, "checker-engine-wasm.js"), "utf8");
        assert.ok(Buffer.from(base64.match(/WX_ENGINE_WASM = "([^"]*)"/)[1], "base64").equals(wasm), "both paths load the same wasm");
        const glue = script.slice(script.indexOf("glue: function"));
        const kb = (n) => Math.round(n / 102.4) / 10;
        figures.size = {
            wasmRawKB: kb(wasm.length),
            wasmGzipKB: kb(gzipSync(wasm, { level: 9 }).length),
            glueRawKB: kb(glue.length),
            glueGzipKB: kb(gzipSync(glue, { level: 9 }).length),
            engineScriptRawKB: kb(Buffer.byteLength(script)),
            engineScriptGzipKB: kb(gzipSync(script, { level: 9 }).length),
        };
        figures.size.wasmPlusGlueGzipKB = Math.round((figures.size.wasmGzipKB + figures.size.glueGzipKB) * 10) / 10;
        // The budget is 150 KB gzipped for wasm plus glue (issues 4 and 10).
        // The figure's history, change by change, is in
        // checker-wasm/engine/DESIGN.md, "The wasm's size, change by change";
        // this guards today's figure, so that growth is seen and recorded there.
        assert.ok(figures.size.wasmPlusGlueGzipKB <= 149.8, JSON.stringify(figures.size));
    });

    test("wasm unavailable: the page says so in words", async () => {
        const page = await context.newPage();
        await page.addInitScript(() => {
            delete window.WebAssembly;
        });
        await page.goto(fileUrl("self-check.html"));
        await page.waitForSelector("#wx-checker[data-state=error]");
        assert.match(await page.textContent("#wx-verdict"), /不支持 WebAssembly/);
        // The draft box still works as a box; nothing claims the draft passed.
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), null);
        await page.close();
    });

    test("phone 375×740: draft first, help folded, verdict bar in sight while typing; a tap shows the findings", async () => {
        const page = await context.newPage();
        await page.setViewportSize({ width: 375, height: 740 });
        await page.goto(fileUrl("self-check.html"));
        await page.waitForSelector("#wx-checker[data-state=ready]");
        assert.equal(await page.evaluate(() => document.getElementById("wx-help").open), false, "help folded on a phone");
        const draftTop = (await page.locator("#wx-draft").boundingBox()).y;
        const helpText = page.locator("#wx-help li").first();
        assert.ok(await page.locator("#wx-help li").count() >= 5, "the help is in the fold");
        assert.equal(await helpText.isVisible(), false);
        assert.ok(draftTop < 400, `the draft box starts at ${draftTop}px`);
        figures.phoneDraftTopPx = draftTop;

        // A long draft, the cursor in it, the page scrolled as the browser does
        // for the caret (the box's bottom at the screen's): the findings are far
        // below, and so is the bar's own place, yet the bar is on screen. Then
        // the same with the keyboard up (a viewport 320 px shorter).
        const draft = "本周六上午九点照常上课，请准时到校。\n".repeat(30) + "暑期冲刺班，保过！家长电话13812345678";
        await page.locator("#wx-draft").fill(draft);
        await settle(page);
        await page.focus("#wx-draft");
        for (const height of [740, 420]) {
            await page.setViewportSize({ width: 375, height });
            const view = await page.evaluate(async () => {
                document.getElementById("wx-draft").scrollIntoView({ block: "end" });
                await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                const bar = document.getElementById("wx-bar").getBoundingClientRect();
                const foot = document.querySelector(".wx-draft-foot").getBoundingClientRect();
                const findings = document.getElementById("wx-findings").getBoundingClientRect();
                return { barTop: bar.top, barBottom: bar.bottom, footBottom: foot.bottom, findingsTop: findings.top, focused: document.activeElement.id, height: innerHeight };
            });
            assert.equal(view.focused, "wx-draft");
            assert.ok(view.findingsTop > view.height, `findings already in view: ${JSON.stringify(view)}`);
            // With the keyboard up the bar's own place is off screen: it sticks.
            if (height < 740) assert.ok(view.footBottom > view.height - 50, `bar not needed to stick: ${JSON.stringify(view)}`);
            assert.ok(view.barTop >= 0 && view.barBottom <= view.height, `bar off screen at ${height}px: ${JSON.stringify(view)}`);
            figures[`phoneBar${height}`] = view;
        }
        await page.setViewportSize({ width: 375, height: 740 });
        // The keyboard as Chrome (since 108), WeChat's XWeb and Safari show it:
        // only the visual viewport shrinks; the layout viewport, and with it
        // `bottom: 0` of a fixed bar, stays under the keyboard. Headless
        // Chromium draws no keyboard, but pinch zoom (CDP page scale 2) shrinks
        // the visual viewport alone in the same way and fires the same events.
        const cdp = await page.context().newCDPSession(page);
        const barInView = () => page.evaluate(async () => {
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const bar = document.getElementById("wx-bar").getBoundingClientRect();
            const vv = window.visualViewport;
            return { barTop: bar.top, barBottom: bar.bottom, visibleTop: vv.offsetTop, visibleBottom: vv.offsetTop + vv.height, layoutBottom: document.documentElement.clientHeight };
        });
        await cdp.send("Emulation.setPageScaleFactor", { pageScaleFactor: 2 });
        await page.waitForFunction(() => window.visualViewport.scale === 2);
        const keyboard = await barInView();
        assert.ok(keyboard.visibleBottom < keyboard.layoutBottom - 300, `the visual viewport did not shrink: ${JSON.stringify(keyboard)}`);
        assert.ok(keyboard.barTop >= keyboard.visibleTop && keyboard.barBottom <= keyboard.visibleBottom + 0.5,
            `bar under the keyboard: ${JSON.stringify(keyboard)}`);
        figures.phoneBarVisualViewport = keyboard;
        await cdp.send("Emulation.setPageScaleFactor", { pageScaleFactor: 1 });
        await page.waitForFunction(() => window.visualViewport.scale === 1);
        const back = await barInView();
        assert.equal(await page.evaluate(() => document.getElementById("wx-bar").style.bottom), "", "the lift is undone when the keyboard goes");
        assert.ok(back.barTop >= 0 && back.barBottom <= back.layoutBottom, `bar off screen: ${JSON.stringify(back)}`);
        const barText = await page.textContent("#wx-bar");
        const words = await page.evaluate(() => window.WX_WORDS);
        const label = (list, id) => list.find((x) => x.id === id).label;
        assert.ok(barText.includes(label(words.verdicts, "block")), barText);
        assert.ok(barText.includes(`${label(words.severities, "block")} 1`) && barText.includes(`${label(words.severities, "revise")} 1`), barText);
        await page.screenshot({ path: outputPath("checker-375-typing.png") });

        await page.click("#wx-bar-button");
        await page.waitForFunction(() => {
            const r = document.getElementById("wx-findings").getBoundingClientRect();
            return r.top >= 0 && r.top < innerHeight;
        });
        assert.deepEqual(await axeViolations(page), []);
        await page.close();
    });

    test("findings: most severe first, then in text order", async () => {
        const { page } = await openChecker(fileUrl("self-check.html"));
        const words = await page.evaluate(() => window.WX_WORDS);
        const order = words.severities.map((s) => s.id);
        assert.deepEqual(order, ["block", "senior", "revise", "advice"]);
        await setDraft(page, "好滴，木有问题\n" + MIXED_DRAFT + "\n下月起全部课程涨价15%\n家长电话13912345678");
        const hooks = await findingHooks(page);
        const severities = new Set(hooks.map((h) => h.severity));
        assert.ok(severities.size >= 3, JSON.stringify(hooks));
        for (let i = 1; i < hooks.length; i++) {
            const [a, b] = [hooks[i - 1], hooks[i]];
            const rank = order.indexOf(a.severity) - order.indexOf(b.severity);
            assert.ok(rank < 0 || (rank === 0 && a.start <= b.start), `out of order at ${i}: ${JSON.stringify([a, b])}`);
        }
        // The locate buttons still select the right text after the reordering.
        const first = hooks[0];
        await page.click("#wx-findings .wx-finding:first-child .wx-locate");
        const selected = await page.evaluate(() => {
            const ta = document.getElementById("wx-draft");
            return [ta.selectionStart, ta.selectionEnd];
        });
        assert.deepEqual(selected, [first.start, first.end]);
        await page.close();
    });

    test("复制修改后的草稿 copies the draft with every replacement applied", async () => {
        await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
        const { page } = await openChecker(server.url("self-check.html"));
        const draft = "保过班！家长电话13812345678，备用13912345678。";
        await setDraft(page, draft);
        const report = await settle(page);
        const fixes = report.findings.filter((f) => f.replacement !== null);
        assert.ok(fixes.length >= 2, JSON.stringify(report.findings));
        let expected = draft;
        for (const f of fixes.slice().sort((a, b) => b.start - a.start)) expected = expected.slice(0, f.start) + f.replacement + expected.slice(f.end);
        assert.ok(!expected.includes("13812345678") && expected.startsWith("保过班"), expected);

        await page.click("button.wx-copy-fixed");
        await page.waitForSelector(".wx-fixed-status:has-text('已复制修改后的草稿')");
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
        assert.match(await page.textContent(".wx-fixed-status"), new RegExp(`替换了 ${fixes.length} 处`));
        assert.equal(await page.inputValue("#wx-draft"), draft, "the draft box itself is untouched");
        // No replacement to make: no button.
        await setDraft(page, "暑期冲刺班，保过！");
        assert.equal(await page.isVisible("button.wx-copy-fixed"), false);
        await page.close();
    });

    test("a clean result says what a pattern checker knows, and the review clause (from Rust)", async () => {
        const { page } = await openChecker(fileUrl("self-check.html"));
        await setDraft(page, "本周六上午九点照常上课，请准时到校。");
        const words = await page.evaluate(() => window.WX_WORDS);
        const verdict = await page.textContent("#wx-verdict");
        assert.equal(await page.getAttribute("#wx-verdict", "data-verdict"), "pass");
        assert.match(verdict, /未命中自检规则；自检只覆盖能自动识别的问题/);
        assert.ok(!verdict.includes("未发现违反本制度的内容"), verdict);
        assert.match(words.reviewClause.label, /^[一二三四五六七八九十]+（[一二三四五六七八九十]+）\d+$/);
        assert.ok(verdict.includes(words.reviewClause.label), verdict);
        // The record's note on why it exists cites the same clause.
        assert.ok((await page.textContent(".wx-record")).includes(words.reviewClause.label));
        await page.close();
    });

    test("?try= never overwrites the reader's own draft: it asks, and both stay reachable", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        const mine = "我自己写的通知：本周六照常上课。";
        await setDraft(page, mine);
        await page.evaluate(() => new Promise((r) => setTimeout(r, 400))); // the draft is saved
        await page.goto(fileUrl("self-check.html?try=personal-phone"));
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await page.waitForSelector(".wx-try-notice:not([hidden])");
        assert.equal(await page.inputValue("#wx-draft"), mine, "the draft was replaced without asking");
        assert.match(await page.textContent(".wx-try-notice"), /personal-phone.*没有替换/);
        await page.click("text=保留我的草稿");
        assert.equal(await page.isVisible(".wx-try-notice"), false);
        assert.equal(await page.inputValue("#wx-draft"), mine);

        await page.goto(fileUrl("self-check.html?try=personal-phone"));
        await page.waitForSelector("#wx-checker[data-state=ready]");
        await page.click("text=换成示例（我的草稿可恢复）");
        await settle(page);
        assert.notEqual(await page.inputValue("#wx-draft"), mine);
        assert.ok((await findingHooks(page)).some((h) => h.rule === "personal-phone"));
        await page.click("text=恢复我的草稿");
        await settle(page);
        assert.equal(await page.inputValue("#wx-draft"), mine);
        assert.deepEqual(watch.errors, []);
        // The question itself is accessible (axe, after the error check: axe's
        // own stylesheet reads are refused by the CSP and logged).
        await page.goto(fileUrl("self-check.html?try=personal-phone"));
        await page.waitForSelector(".wx-try-notice:not([hidden])");
        assert.deepEqual(await axeViolations(page, ".wx-try-notice"), []);
        await page.close();
    });

    test("a draft over the save limit is not saved, says so, and the last one that fitted is kept", async () => {
        const { page } = await openChecker(server.url("self-check.html"));
        const kept = "上一份草稿：本周六照常上课。";
        await setDraft(page, kept);
        await page.waitForFunction((t) => sessionStorage.getItem("wx-checker-draft") === t, kept);
        const status = await page.evaluate(async () => {
            const ta = document.getElementById("wx-draft");
            ta.value = "本周六上午九点照常上课。\n".repeat(Math.ceil(1000001 / 13));
            ta.dispatchEvent(new Event("input", { bubbles: true }));
            await new Promise((r) => setTimeout(r, 500));
            return { length: ta.value.length, status: document.getElementById("wx-draft-status").textContent };
        });
        assert.ok(status.length > 1000000, String(status.length));
        assert.match(status.status, /没有保存/);
        assert.match(status.status, /上一次保存的草稿/);
        assert.equal(await page.evaluate(() => sessionStorage.getItem("wx-checker-draft")), kept);
        await page.reload();
        await page.waitForSelector("#wx-checker[data-state=ready]");
        assert.equal(await page.inputValue("#wx-draft"), kept);
        await page.close();
    });

    test("a draft longer than the check limit is never shown as passing", async () => {
        const { page } = await openChecker(fileUrl("self-check.html"));
        const words = await page.evaluate(() => window.WX_WORDS);
        assert.equal(words.maxCheck, 20000);
        const passLabel = words.verdicts.find((v) => v.id === "pass").label;
        const result = await page.evaluate(async () => {
            const ta = document.getElementById("wx-draft");
            const root = document.getElementById("wx-checker");
            const rendered = new Promise((r) => root.addEventListener("wx-checker:rendered", r, { once: true }));
            // Clean for the first 20,000 characters; the forbidden words come after.
            ta.value = "本周六上午九点照常上课，请准时到校。\n".repeat(1200) + "暑期冲刺班，保过！家长电话13812345678";
            ta.dispatchEvent(new Event("input", { bubbles: true }));
            await rendered;
            const rec = await window.wxChecker.record();
            return {
                verdict: document.getElementById("wx-verdict").textContent,
                state: document.getElementById("wx-verdict").dataset.verdict,
                bar: document.getElementById("wx-bar").textContent,
                announced: document.querySelector(".wx-checker [aria-live=polite]").textContent,
                record: rec.data,
                recordText: rec.text,
            };
        });
        assert.equal(result.state, "partial");
        assert.match(result.verdict, /仅检查了前 20,000 字/);
        assert.match(result.bar, /仅检查了前 20,000 字/);
        for (const shown of [result.verdict, result.bar, result.recordText]) assert.ok(!shown.includes(passLabel), shown);
        assert.equal(result.record.verdict, "partial");
        assert.equal(result.record.checkedWhole, false);
        await page.close();
    });

    test("invisible and direction-changing characters are boxed in the draft and named", async () => {
        const { page, watch } = await openChecker(fileUrl("self-check.html"));
        const text = "本周\u00a0上课\u3164，\u2800空白\u202e倒过来\u202c和\u202d正过来\u202c保过";
        await setDraft(page, text);
        const seen = await page.evaluate(() => ({
            marks: [...document.querySelectorAll(".wx-highlights .wx-invisible")].map((m) => ({ char: m.dataset.char, title: m.title, w: m.getBoundingClientRect().width, h: m.getBoundingClientRect().height })),
            mirror: document.querySelector(".wx-highlights").textContent,
            value: document.getElementById("wx-draft").value,
            note: document.querySelector(".wx-invisible-note").textContent,
            noteHidden: document.querySelector(".wx-invisible-note").hidden,
            outline: getComputedStyle(document.querySelector(".wx-invisible")).outlineStyle,
        }));
        assert.deepEqual(seen.marks.map((m) => m.char), ["U+00A0", "U+3164", "U+2800", "U+202E", "U+202C", "U+202D", "U+202C"]);
        for (const m of seen.marks) assert.ok(m.title.length > 0 && m.h > 0, JSON.stringify(m));
        assert.equal(seen.outline, "dashed");
        assert.equal(seen.mirror, seen.value + " ", "the mirror still holds exactly the draft");
        assert.equal(seen.noteHidden, false);
        assert.match(seen.note, /RLO/);
        assert.match(seen.note, /U\+3164/);
        // The highlight of the hit after them is still exact.
        const mark = await page.evaluate(() => [...document.querySelectorAll(".wx-highlights .wx-mark")].map((m) => m.textContent));
        assert.deepEqual(mark, ["保过"]);
        await setDraft(page, "没有特殊字符");
        assert.equal(await page.isVisible(".wx-invisible-note"), false);
        assert.deepEqual(watch.errors, []);
        await page.close();
    });

    test("themes, 375 px, axe-core: no violations; screenshots", async () => {
        const { page } = await openChecker(fileUrl("self-check.html"));
        // Wide screens show the help open (it folds on phones only).
        assert.equal(await page.evaluate(() => document.getElementById("wx-help").open), true);
        await page.setViewportSize({ width: 1100, height: 1100 });
        await setDraft(page, MIXED_DRAFT + "\n这个家长的电话13912345678，下月起全部课程涨价15%\n好滴，木有问题");
        const all = {};
        for (const theme of ["light", "rust", "coal", "navy", "ayu"]) {
            await setTheme(page, theme);
            await page.evaluate(() => window.scrollTo(0, 0));
            await page.screenshot({ path: outputPath(`checker-${theme}.png`), fullPage: true });
            all[theme] = await axeViolations(page);
            // Highlights survive theme switching and other pages' key handlers (Esc).
            assert.equal(await page.locator(".wx-highlights .wx-mark").count(), 5, theme);
        }
        for (const [theme, v] of Object.entries(all)) assert.deepEqual(v, [], `axe in ${theme}: ${JSON.stringify(v, null, 1)}`);

        await setTheme(page, "light");
        await page.close();

        // A phone: a fresh page at 375 px (the sidebar starts hidden there).
        const phone = await context.newPage();
        await phone.setViewportSize({ width: 375, height: 812 });
        await phone.goto(fileUrl("self-check.html"));
        await phone.waitForSelector("#wx-checker[data-state=ready]");
        await setDraft(phone, MIXED_DRAFT + "\n好滴，木有问题");
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `horizontal overflow ${overflow}px at 375 px`);
        const box = await phone.locator("#wx-draft").boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 375, JSON.stringify(box));
        await phone.screenshot({ path: outputPath("checker-375.png"), fullPage: true });
        assert.deepEqual(await axeViolations(phone), []);
        await phone.close();

        // A handbook chapter, with its rule notes.
        const chapter = await context.newPage();
        await chapter.goto(fileUrl("publishing.html"));
        for (const theme of ["light", "navy"]) {
            await setTheme(chapter, theme);
            assert.deepEqual(await axeViolations(chapter), [], `chapter in ${theme}`);
        }
        await chapter.screenshot({ path: outputPath("chapter-rule-notes.png") });
        await chapter.goto(fileUrl("rules.html"));
        assert.deepEqual(await axeViolations(chapter), [], "rules page");
        await setTheme(chapter, "light");
        await chapter.close();
    });
});
