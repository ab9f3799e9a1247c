// Editions in the browser: an admin inserts a clause mid-section in a copy of
// the book (re-pointing the rules with `cargo xtask fix-rules`, as the build's
// message says) and bumps the version. Then, from file://:
// - an old deep link to the moved clause still lands on it, with a note;
// - a reader who last opened the published edition sees how many clauses changed;
// - the 修订记录 page lists the change with an inline diff, and the changed
//   clause carries its badge; both pass axe-core; screenshots for a person.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fileUrl, launchBrowser, outputPath, repoRoot, siteDir, watchPage } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const INSERTED = "员工不得转发未经公司核实的考试政策变动消息，确需转发的应注明信息来源。";

const published = JSON.parse(readFileSync(join(siteDir, "clauses.json"), "utf8")).clauses;
const publishedEdition = JSON.parse(readFileSync(join(siteDir, "edition.json"), "utf8"));
/** The newest released edition (the live text may have moved on from it). */
const lastReleased = readdirSync(join(repoRoot, "book", "editions"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .pop();

/** The first section with at least two items: where the clause goes in. */
function pickSection() {
    const items = (s) => published.filter((c) => c.kind === "item" && c.id.startsWith(s.id + "."));
    const section = published.find((c) => c.kind === "section" && items(c).length >= 2);
    assert.ok(section, "the book has a section with two items");
    return { section, items: items(section) };
}

/** Inserts INSERTED as item 2 of `section` in the chapter's Markdown, renumbering the rest. */
function insertClause(book, section) {
    const file = join(book, "src", section.page.replace(/\.html$/, ".md"));
    const text = readFileSync(file, "utf8");
    const number = NUMERALS[Number(section.id.split(".")[1]) - 1];
    const heading = new RegExp(`^## [（(]${number}[）)].*$`, "m").exec(text);
    assert.ok(heading, `section heading of ${section.id} in ${file}`);
    const start = heading.index + heading[0].length;
    const next = text.slice(start).search(/\n#/);
    const end = next < 0 ? text.length : start + next;
    let inserted = false;
    const body = text.slice(start, end).replace(/^(\d+)\. /gm, (all, n) => {
        n = Number(n);
        if (n < 2) return all;
        const prefix = n === 2 && !inserted ? `2. ${INSERTED}\n` : "";
        inserted = true;
        return `${prefix}${n + 1}. `;
    });
    assert.ok(inserted, `item 2 of ${section.id}`);
    writeFileSync(file, text.slice(0, start) + body + text.slice(end));
}

function xtask(...args) {
    return execFileSync(process.env.CARGO || "cargo", ["run", "--quiet", "--package", "xtask", "--", ...args], {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

async function axeViolations(page) {
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    });
}

describe("修订与旧链接", () => {
    let work, edited, context, section, items, newVersion;
    const editedUrl = (p) => {
        const [path, hash = ""] = p.split("#");
        return pathToFileURL(join(edited, path)).href + (hash ? "#" + hash : "");
    };

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "handbook-editions-"));
        const book = join(work, "book");
        cpSync(join(repoRoot, "book"), book, { recursive: true, filter: (src) => !src.endsWith("generated") });
        ({ section, items } = pickSection());
        insertClause(book, section);
        newVersion = `${publishedEdition.version}.1`;
        const settings = join(book, "settings.toml");
        writeFileSync(settings, readFileSync(settings, "utf8").replace(/^policy_version\s*=.*$/m, `policy_version = "${newVersion}"`));
        xtask("fix-rules", "--book", book);
        edited = join(work, "site");
        xtask("build", "--book", book, "--out", edited);
        context = await launchBrowser();
    });

    after(async () => {
        await context?.close();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test("an old link lands on the renumbered clause, with a note", async () => {
        const moved = items[1];
        const movedTo = `${section.id}.3`;
        const page = await context.newPage();
        const watch = watchPage(page);
        await page.setViewportSize({ width: 375, height: 740 });
        await page.goto(editedUrl(`${moved.page}#${moved.anchor}`));
        const note = page.locator(".edition-note-banner.edition-moved");
        await note.waitFor();
        const text = await note.textContent();
        assert.ok(text.includes(`第 ${lastReleased} 版`), text);
        const clause = page.locator(`[data-clause="${movedTo}"]`);
        const label = await clause.getAttribute("data-label");
        assert.ok(text.includes(label), `${text} names ${label}`);
        // The note sits in the clause the link means, and that clause is on screen.
        assert.equal(await note.evaluate((n) => n.closest("[data-clause]").dataset.clause), movedTo);
        const box = await clause.boundingBox();
        assert.ok(box && box.y >= 0 && box.y < 740, `clause ${movedTo} in view (${JSON.stringify(box)})`);
        // Its text is the old clause's text: the link kept its meaning.
        assert.ok((await clause.textContent()).includes(moved.text.slice(0, 12)));
        // The inserted clause took the number, under a fresh anchor.
        const fresh = await page.locator(`[data-clause="${section.id}.2"]`).getAttribute("id");
        assert.notEqual(fresh, moved.anchor);
        assert.ok((await page.locator(`[data-clause="${section.id}.2"]`).textContent()).includes(INSERTED));
        await page.screenshot({ path: outputPath("editions-old-link-375.png") });
        assert.deepEqual(watch.errors, []);
        await page.close();
    });

    test("a returning reader is told how many clauses changed", async () => {
        const page = await context.newPage();
        // A first visit stores the edition seen; no notice then.
        await page.goto(editedUrl("index.html"));
        assert.equal(await page.locator(".edition-notice").isHidden(), true, "no notice on a first visit");
        // A reader who last saw the newest released edition (file:// pages share one storage).
        await page.evaluate((v) => window.localStorage.setItem("wx-edition-seen", v), lastReleased);
        await page.reload();
        const notice = page.locator(".edition-notice");
        await notice.waitFor();
        const text = await notice.textContent();
        const since = await page.evaluate((v) => window.WX_EDITIONS.since[v], lastReleased);
        // As many as 修订记录 lists since that edition: the insertion, every
        // item after it, and whatever the live text changed already.
        const changelog = await context.newPage();
        await changelog.goto(editedUrl("changelog.html"));
        const listed = await changelog
            .locator(`section#rev-${newVersion.replace(/\./g, "-")}-pending li.change`)
            .count();
        await changelog.close();
        assert.equal(since, listed);
        assert.ok(since >= items.length, `${since} includes the ${items.length} the insertion made`);
        assert.ok(text.includes(`第 ${lastReleased} 版`) && text.includes(`${since} 条修订`), text);
        assert.deepEqual(
            await page.evaluate(() => Object.keys(window.localStorage)),
            ["wx-edition-seen"],
            "only the edition seen is stored",
        );
        // Seen now: no notice on the next visit.
        await page.reload();
        assert.equal(await page.locator(".edition-notice").isHidden(), true);
        await page.close();
    });

    test("修订记录 shows the change, the clause its badge; axe clean; screenshots", async () => {
        const page = await context.newPage();
        await page.goto(editedUrl("changelog.html"));
        const row = page.locator(`section.edition#rev-${newVersion.replace(/\./g, "-")}-pending`);
        await row.waitFor();
        assert.equal(await row.locator("li.change-added").count(), 1);
        assert.ok((await row.locator("li.change-added ins").textContent()).includes(INSERTED));
        // Every item after the insertion moved (a moved item the live text had
        // already reworded is listed as changed and renumbered).
        assert.equal(
            await row.locator("li.change-renumbered, li.change-changed-renumbered").count(),
            items.length - 1,
        );
        assert.deepEqual(await axeViolations(page), []);
        await page.setViewportSize({ width: 1000, height: 900 });
        await page.screenshot({ path: outputPath("editions-changelog.png"), fullPage: true });

        // The badge beside the inserted clause links to its entry.
        await page.goto(editedUrl(section.page));
        const badge = page.locator(`[data-clause="${section.id}.2"] .revision-badge`);
        const href = await badge.getAttribute("href");
        assert.match(href, /^changelog\.html#rev-/);
        assert.deepEqual(await axeViolations(page), []);
        await page.setViewportSize({ width: 375, height: 740 });
        await badge.scrollIntoViewIfNeeded();
        await page.screenshot({ path: outputPath("editions-badge-375.png") });
        await badge.click();
        await page.waitForURL(/changelog\.html#rev-/);
        const target = decodeURIComponent(new URL(page.url()).hash.slice(1));
        assert.equal(await page.locator(`[id="${target}"]`).count(), 1, `${target} exists`);
        await page.close();
    });
});
