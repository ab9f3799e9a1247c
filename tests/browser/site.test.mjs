// The handbook as a reader meets it: opened from disk and from a plain static
// server, navigated, deep-linked to a clause — with every request recorded to
// prove nothing leaves the folder, and every console error (CSP violations
// included) treated as a failure.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileUrl, launchBrowser, outputPath, repoRoot, siteDir, startServer, watchPage } from "./harness.mjs";

const clauses = JSON.parse(readFileSync(join(siteDir, "clauses.json"), "utf8")).clauses;
const settings = readFileSync(join(repoRoot, "book", "settings.toml"), "utf8");

let browser;
let server;

before(async () => {
    browser = await launchBrowser();
    server = await startServer({ strictTypes: true });
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const ORIGINS = {
    file: (p) => fileUrl(p),
    http: (p) => server.url(p),
};

for (const [via, url] of Object.entries(ORIGINS)) {
    describe(`site via ${via}`, () => {
        test("front page renders with the table of contents and no errors", async () => {
            const page = await browser.newPage();
            const watch = watchPage(page);
            await page.goto(url("index.html"));
            await page.waitForSelector("#mdbook-sidebar a[href*='publishing.html']");
            assert.match(await page.title(), /微信管理制度/);
            const toc = await page.locator("#mdbook-sidebar").innerText();
            for (const chapter of ["一、总则", "三、信息发布管理", "六、监督与考核", "七、附则", "发布前自检", "修订记录"]) {
                assert.ok(toc.includes(chapter), `sidebar lacks ${chapter}`);
            }
            assert.deepEqual(watch.errors, []);
            assert.deepEqual(watch.external(via === "http" ? server.origin : null), []);
            await page.close();
        });

        test("a clause link lands on the clause", async () => {
            const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
            const watch = watchPage(page);
            await page.goto(url("publishing.html#c-3-3-3"));
            const clause = page.locator('[data-clause="3.3.3"]');
            await clause.waitFor();
            assert.equal(await clause.getAttribute("id"), "c-3-3-3");
            assert.match(await clause.innerText(), /禁止发布涉及个人隐私/);
            const box = await clause.boundingBox();
            assert.ok(box && box.y >= 0 && box.y < 800, `clause not in view: ${JSON.stringify(box)}`);
            const anchor = clause.locator("a.clause-anchor").first();
            assert.equal(await anchor.innerText(), "三（三）3");
            assert.equal(await anchor.getAttribute("href"), "#c-3-3-3");
            assert.deepEqual(watch.errors, []);
            await page.close();
        });

        test("next-chapter navigation and the keyboard", async () => {
            const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
            const watch = watchPage(page);
            await page.goto(url("general.html"));
            await page.locator('a[rel~="next"]:visible').first().click();
            await page.waitForURL(/accounts\.html/);
            assert.match(await page.locator("main h1").innerText(), /二、微信账号管理/);
            await page.keyboard.press("ArrowRight");
            await page.waitForURL(/publishing\.html/);
            await page.keyboard.press("ArrowLeft");
            await page.waitForURL(/accounts\.html/);
            assert.deepEqual(watch.errors, []);
            await page.close();
        });

        test("theme switch works under the strict CSP", async () => {
            const page = await browser.newPage();
            const watch = watchPage(page);
            await page.goto(url("customers.html"));
            await page.click("#mdbook-theme-toggle");
            await page.click("#mdbook-theme-navy");
            assert.ok(await page.evaluate(() => document.documentElement.classList.contains("navy")));
            // The reply deadline is a setting, filled in.
            assert.match(await page.locator('[data-clause="4.2.3"]').innerText(), /应在\d+小时内回复/);
            assert.deepEqual(watch.errors, []);
            await page.close();
        });
    });
}

test("clicking a clause label copies a link to it", async () => {
    const page = await browser.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await page.goto(server.url("accounts.html"));
    await page.click('[data-clause="2.2.1"] a.clause-anchor');
    await page.waitForSelector('[data-clause="2.2.1"] a.clause-anchor-copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, server.url("accounts.html#c-2-2-1"));
    await page.close();
});

test("clicking a clause label on a file:// copy copies its label and position, and says why", async () => {
    const page = await browser.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto(fileUrl("accounts.html"));
    await page.click('[data-clause="2.2.1"] a.clause-anchor');
    await page.waitForSelector('[data-clause="2.2.1"] a.clause-anchor-copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const c = clauses.find((x) => x.id === "2.2.1");
    assert.doesNotMatch(copied, /file:/);
    assert.equal(copied, `${c.label} ${c.title}（手册 ${c.page}#${c.anchor}）`);
    const status = await page.textContent("#clause-copy-status");
    assert.match(status, /从文件打开/);
    await page.close();
});

// While show_completion_marks is on, the front page lists the completed
// clauses once; no clause carries a mark of its own.
test("completed clauses: one note on the front page, no mark on each clause", async () => {
    const page = await browser.newPage();
    const marksOn = !/^show_completion_marks\s*=\s*false/m.test(settings);
    const completed = clauses.filter((c) => c.completed);
    await page.goto(fileUrl("index.html"));
    const links = await page.locator(".draft-note li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.deepEqual(links, marksOn ? completed.map((c) => `${c.page}#${c.anchor}`) : []);
    if (marksOn && completed.length) await page.screenshot({ path: outputPath("front-page-draft-note.png") });
    await page.goto(fileUrl("supervision.html"));
    assert.doesNotMatch(await page.locator("main").innerText(), /补全/);
    await page.screenshot({ path: outputPath("chapter-supervision.png"), fullPage: false });
    await page.close();
});

test("rules page: no rule ids or regexes outside the 技术细节 fold; rule anchors still land", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(fileUrl("rules.html#rule-ad-exam-promise"));
    const section = page.locator("#rule-ad-exam-promise");
    const box = await section.boundingBox();
    assert.ok(box && box.y >= -5 && box.y < 800, `rule not in view: ${JSON.stringify(box)}`);
    const visible = await page.evaluate(() => {
        const main = document.querySelector("main").cloneNode(true);
        for (const d of main.querySelectorAll("details.rule-tech")) d.remove();
        return { text: main.innerText || main.textContent, rules: document.querySelectorAll("section.rule").length,
            folds: document.querySelectorAll("section.rule > details.rule-tech").length };
    });
    assert.ok(visible.rules > 0);
    assert.equal(visible.folds, visible.rules, "every rule has its fold");
    assert.doesNotMatch(visible.text, /正则表达式|ad-exam-promise|\[\^|\{0,\d+\}/);
    // The learned second opinion's findings link to its own entry.
    assert.equal(await page.locator("section#rule-learned").count(), 1);
    // The fold holds the id, for admins.
    await section.locator("details.rule-tech summary").click();
    assert.match(await section.locator("details.rule-tech").innerText(), /ad-exam-promise/);
    await page.close();
});

test("print page and 404 page load without CSP violations", async () => {
    for (const path of ["print.html", "404.html"]) {
        const page = await browser.newPage();
        const watch = watchPage(page);
        await page.goto(server.url(path));
        await page.waitForLoadState("load");
        assert.deepEqual(watch.errors, [], path);
        if (path === "print.html") {
            // No checker runs here: it says so, instead of an endless loading note.
            assert.equal(await page.locator(".wx-checker-print").isVisible(), true);
            assert.equal(await page.locator(".wx-checker-loading").first().isVisible(), false);
        }
        await page.close();
    }
});

test("the sidebar toggle is a button that opens and closes the table of contents", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
    await page.goto(fileUrl("general.html"));
    const toggle = page.locator("#mdbook-sidebar-toggle");
    const visible = () => page.evaluate(() => document.documentElement.classList.contains("sidebar-visible"));
    const before = await visible();
    assert.equal(await toggle.getAttribute("aria-expanded"), String(before));
    await toggle.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((b) => document.documentElement.classList.contains("sidebar-visible") !== b, before);
    assert.equal(await toggle.getAttribute("aria-expanded"), String(!before));
    await toggle.click();
    await page.waitForFunction((b) => document.documentElement.classList.contains("sidebar-visible") === b, before);
    assert.equal(await toggle.getAttribute("aria-expanded"), String(before));
    await page.close();
});
