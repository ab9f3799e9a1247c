// Chinese search (book/assets/search.js over the generated search index), driven
// through the real search bar of the built site in headless Chromium, opened both
// from file:// and from a local server.
//
// CASES is the table of queries: what each must return (`exact`: exactly these
// clauses; `includes`: at least these; `first`: the results start with these, in
// this order, or as a set when `firstAnyOrder`), what it must not return, and
// which results are scattered-character matches (`scattered`: returned only
// when nothing matched as written). `rules` lists checker rules that must be
// among the results (`rulesFirst`: the first rule results, in order).
// Besides the table, every literal query must return every clause whose text
// contains it (checked against site/clauses.json).
//
// SYNONYMS is book/search/synonyms.toml itself: every entry must find the
// clause its `finds` names.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileUrl, launchBrowser, outputPath, repoRoot, siteDir, startServer, watchPage } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const ACCOUNT_IDS = ["2", "2.1", "2.1.1", "2.1.2", "2.1.3", "2.2", "2.2.1", "2.2.2", "2.2.3", "2.3", "2.3.1", "2.3.2", "2.3.3", "4.1.3", "6.1.2", "6.2.1"];
const LEAK_IDS = ["1.3.2", "3.3.2", "5.3.3", "6.2.3"];

const clauses = JSON.parse(readFileSync(join(siteDir, "clauses.json"), "utf8")).clauses;

// Numbers and dates in the text come from settings the admin changes
// (reply_hours, effective_date): those cases read the settings and expect the
// clauses that state them, so an ordinary edit never breaks the table.
const settings = readFileSync(join(repoRoot, "book", "settings.toml"), "utf8");
const setting = (name) => new RegExp(`^${name}\\s*=\\s*"?([^"\\n]*)`, "m").exec(settings)?.[1] ?? "";
const containing = (q) => clauses.filter((c) => c.text.includes(q)).map((c) => c.id);
/** A case expecting exactly the clauses whose text contains `q` (none if no clause does). */
function stated(name, q, query = q) {
    const ids = containing(q);
    return ids.length ? { name, q: query, exact: ids } : { name, q: query, none: true };
}
const hours = /\d+/.exec(setting("reply_hours"))?.[0] ?? "2";
const year = /\d{4}/.exec(setting("effective_date"))?.[0] ?? "2027";
const monthDay = /\d+月\d+日/.exec(setting("effective_date"))?.[0] ?? "1月1日";
const fullWidth = (s) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
const CASES = [
    // Chinese words
    { name: "word", q: "密码", exact: ["2.2.1"] },
    { name: "headings first", q: "账号", includes: ACCOUNT_IDS, first: ["2", "2.1", "2.2", "2.3"] },
    { name: "body only", q: "泄露", exact: LEAK_IDS },
    { name: "four hits", q: "回复", exact: ["3.2.3", "4.1.3", "4.2.2", "4.2.3"] },
    // A phrase found as written hides the clauses that only hold its characters apart.
    { name: "phrase hides scattered", q: "客户隐私", exact: ["3.1.3", "5.3.2"], not: ["3.3.3"] },
    { name: "section title; scattered hidden", q: "保密", exact: ["5.3", "5.3.2"], first: ["5.3"] },
    { name: "section title 2", q: "审核", exact: ["3.1", "3.1.2"], first: ["3.1"] },
    { name: "chapter then section", q: "考核", exact: ["6", "6.2", "6.2.1"], first: ["6", "6.2"] },
    { name: "chapter then section 2", q: "监督", first: ["6", "6.1"] },
    { name: "rare word", q: "赌博", exact: ["3.3.1"] },
    { name: "longer phrase", q: "个人微信", exact: ["2.2.1"] },
    { name: "common phrase", q: "本制度", includes: ["1.2", "6.2.3", "7.1.1", "7.1.2", "7.2.1", "7.2.2"], not: ["1.1"] },
    // Traditional
    { name: "traditional", q: "賬號", includes: ACCOUNT_IDS, first: ["2", "2.1", "2.2", "2.3"] },
    { name: "traditional word", q: "密碼", exact: ["2.2.1"] },
    { name: "traditional variant", q: "洩露", exact: LEAK_IDS },
    { name: "traditional rare", q: "賭博", exact: ["3.3.1"] },
    { name: "traditional heading", q: "審核", first: ["3.1"] },
    { name: "traditional phrase", q: "客戶隱私", exact: ["3.1.3", "5.3.2"] },
    { name: "mixed scripts", q: "賬號安全", first: ["2.3"], includes: ["2.3.1", "6.2.1"], not: ["2.3.3", "2.3.2"] },
    // OpenCC folds 帳 to 帐; the synonym table's variant pair 帐 → 账 finishes the job.
    { name: "variant pair 帳 → 账", q: "帳號", includes: ACCOUNT_IDS, first: ["2", "2.1", "2.2", "2.3"] },
    { name: "variant pair 帐 → 账", q: "帐号", includes: ACCOUNT_IDS },
    // Invisible characters in a query are not part of it.
    { name: "zero-width joiner", q: "密\u200D码", exact: ["2.2.1"] },
    { name: "zero-width space and BOM", q: "\u200B泄\uFEFF露", exact: LEAK_IDS },
    // One character
    { name: "one char", q: "密", exact: ["5.3", "1.3.2", "2.2.1", "2.3.2", "3.3.2", "5.3.2"], first: ["5.3"] },
    { name: "one char 2", q: "群", includes: ["5.1", "5.1.1", "5.1.2", "5.1.3", "5.3.1", "5.3.2", "5.3.3"], first: ["5.1"] },
    { name: "one char rare", q: "诈", exact: ["3.3.1"] },
    // Digits, width, mixed
    stated("year", year),
    stated("full-width digits", year, fullWidth(year)),
    { name: "digit is also a clause id", q: "2", first: ["2"], includes: containing("2"), not: ["2.2"] },
    stated("digit and Chinese", `${hours}小时`),
    stated("date", monthDay),
    { name: "label", q: "三（三）3", first: ["3.3.3"] },
    { name: "label, ASCII brackets", q: "三(三)", first: ["3.3"], includes: ["3.3.1", "3.3.2", "3.3.3"] },
    { name: "clause id", q: "3.3.3", first: ["3.3.3"] },
    { name: "two terms", q: "微信 账号", first: ["2"], includes: ["2.2.1", "4.1.3", "6.2.1"], not: ["1.1"] },
    // Latin: pinyin, English
    { name: "pinyin", q: "mima", exact: ["2.2.1"] },
    { name: "pinyin, case", q: "MiMa", exact: ["2.2.1"] },
    { name: "pinyin, full width", q: "ｍｉｍａ", exact: ["2.2.1"] },
    { name: "pinyin, separated", q: "zhang'hao", includes: ACCOUNT_IDS },
    { name: "pinyin, spaced", q: "xie lu", includes: LEAK_IDS },
    { name: "initials are not pinyin", q: "mm", none: true },
    { name: "English", q: "WeChat", none: true },
    { name: "English, full width", q: "ＷｅＣｈａｔ", none: true },
    // Rules: the catalogue is searched too, and a rule's own words beat
    // characters scattered through a clause (包括 + 通过 in 三（一）2).
    { name: "rule words, no scattered clause", q: "包过", noClauses: true, rulesFirst: ["ad-exam-promise"] },
    { name: "rule and clause", q: "密码", exact: ["2.2.1"], rules: ["credential-password"] },
    // Everyday words (the synonym table; each entry is also tested below)
    { name: "everyday word", q: "朋友圈", includes: ["3.1.2"], rules: ["rumor-hearsay"] },
    { name: "everyday Latin", q: "PYQ", includes: ["3.1.2"] },
    { name: "everyday word in a phrase", q: "我想辞职", includes: ["2.2.3"] },
    { name: "everyday word, Traditional", q: "開除", exact: ["6.2.3"] },
    // Nothing
    { name: "absent word", q: "二维码", none: true },
    { name: "absent Latin", q: "xyz", none: true },
    { name: "scattered only", q: "账号客户", includes: ["4.1.3", "6.2.1"], scattered: "all" },
];

/**
 * The entries of book/search/synonyms.toml's [synonyms] table: `"word" = { …, finds = "id" }`,
 * one a line (the file's documented form; the build rejects anything else).
 */
const SYNONYMS = (() => {
    const text = readFileSync(join(repoRoot, "book", "search", "synonyms.toml"), "utf8");
    const out = [];
    let table = "";
    for (const line of text.split("\n")) {
        const header = /^\[(\w+)\]/.exec(line);
        if (header) table = header[1];
        const entry = /^"([^"]+)"\s*=\s*\{.*\bfinds\s*=\s*"([^"]+)"/.exec(line);
        if (table === "synonyms" && entry) out.push({ word: entry[1], finds: entry[2] });
    }
    return out;
})();

const halfWidth = (s) => s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toLowerCase();

/** Opens the search bar with `/` and returns a function running one query through the UI. */
async function openSearch(page) {
    await page.keyboard.press("/");
    await page.locator("#mdbook-searchbar").waitFor({ state: "visible" });
    return async (q) => {
        await page.fill("#mdbook-searchbar", q);
        return page.evaluate(() => ({
            header: document.getElementById("mdbook-searchresults-header").textContent,
            visible: !document.getElementById("mdbook-searchresults-outer").classList.contains("hidden"),
            suggest: [...document.querySelectorAll("#wx-search-suggest button")].map((b) => b.textContent),
            rules: [...document.querySelectorAll("#mdbook-searchresults li[data-rule]")].map((li) => ({
                id: li.dataset.rule,
                clause: li.dataset.ruleClause,
                tag: li.querySelector(".wx-result-tag")?.textContent ?? "",
                href: li.querySelector("a").getAttribute("href"),
                clauseHref: li.querySelector("a.wx-result-clause")?.getAttribute("href") ?? "",
            })),
            results: [...document.querySelectorAll("#mdbook-searchresults li[data-clause]")].map((li) => ({
                id: li.dataset.clause,
                scattered: li.classList.contains("wx-tier-6"),
                href: li.querySelector("a").getAttribute("href"),
                teaser: li.querySelector(".teaser")?.textContent ?? "",
                em: [...li.querySelectorAll("em")].map((e) => e.textContent),
            })),
        }));
    };
}

function checkCase(c, { results, rules, header, visible, suggest }) {
    const ids = results.map((r) => r.id);
    const ruleIds = rules.map((r) => r.id);
    const where = `${c.name} (${JSON.stringify(c.q)}) → [${ids.join(" ")}] rules [${ruleIds.join(" ")}]`;
    assert.ok(visible, `${where}: results list shown`);
    if (c.none) {
        assert.deepEqual([...ids, ...ruleIds], [], where);
        assert.match(header, /没有找到/, where);
        assert.ok(suggest.length > 0, `${where}: suggests words`);
        return;
    }
    assert.doesNotMatch(header, /没有找到/, where);
    for (const id of c.rules ?? []) assert.ok(ruleIds.includes(id), `${where}: missing rule ${id}`);
    if (c.rulesFirst) assert.deepEqual(ruleIds.slice(0, c.rulesFirst.length), c.rulesFirst, `${where}: first rules`);
    for (const r of rules) {
        assert.equal(r.tag, "检查规则", `${where}: rule tagged`);
        assert.ok(r.href.startsWith("rules.html") && r.href.endsWith(`#rule-${r.id}`), `${where}: rule link ${r.href}`);
        const cl = clauses.find((x) => x.id === r.clause);
        assert.ok(cl && r.clauseHref === `${cl.page}#${cl.anchor}`, `${where}: rule ${r.id} links its clause: ${r.clauseHref}`);
    }
    if (c.noClauses) {
        assert.deepEqual(ids, [], `${where}: no clause results`);
        return;
    }
    assert.ok(ids.length > 0, `${where}: no results`);
    assert.equal(new Set(ids).size, ids.length, `${where}: duplicates`);
    if (c.exact) assert.deepEqual([...ids].sort(), [...c.exact].sort(), `${where}: exact set`);
    for (const id of c.includes ?? []) assert.ok(ids.includes(id), `${where}: missing ${id}`);
    for (const id of c.not ?? []) assert.ok(!ids.includes(id), `${where}: must not return ${id}`);
    if (c.first) {
        const head = ids.slice(0, c.first.length);
        if (c.firstAnyOrder) assert.deepEqual([...head].sort(), [...c.first].sort(), `${where}: first`);
        else assert.deepEqual(head, c.first, `${where}: first`);
    }
    const scattered = results.filter((r) => r.scattered).map((r) => r.id);
    if (c.scattered === "all") assert.deepEqual(scattered, ids, `${where}: all scattered`);
    else assert.deepEqual(scattered, c.scattered ?? [], `${where}: scattered`);
    // Whole-phrase matches come before scattered ones.
    const firstScattered = results.findIndex((r) => r.scattered);
    if (firstScattered >= 0) assert.ok(results.slice(firstScattered).every((r) => r.scattered), `${where}: order`);
    // Every literal query finds every clause whose text contains it.
    if (!/[a-z\u200B-\u200F\uFEFF]/i.test(c.q)) {
        const needle = halfWidth(c.q);
        if (!needle.includes(" ")) {
            for (const cl of clauses) {
                if (halfWidth(cl.text).includes(needle)) assert.ok(ids.includes(cl.id), `${where}: misses ${cl.id}, which contains it`);
            }
        }
    }
    for (const r of results) {
        const cl = clauses.find((x) => x.id === r.id);
        assert.ok(r.href.endsWith(`${cl.page.replace(/^.*\//, "")}${r.href.includes("?") ? r.href.slice(r.href.indexOf("?"), r.href.indexOf("#")) : ""}#${cl.anchor}`), `${where}: link ${r.href}`);
    }
}

for (const via of ["file", "http"]) {
    describe(`search via ${via}://`, () => {
        let context;
        let server;
        const url = (p) => (via === "file" ? fileUrl(p) : server.url(p));

        let setupError = null;
        before(async () => {
            // A missing browser or site fails every test below (not "cancelled").
            try {
                context = await launchBrowser();
                if (via === "http") server = await startServer();
            } catch (e) {
                setupError = e;
            }
        });
        const newPage = async () => {
            if (setupError) throw setupError;
            return context.newPage();
        };
        after(async () => {
            await context?.close();
            await server?.close();
        });

        test(`query table: ${CASES.length} queries`, async () => {
            assert.ok(CASES.length >= 30);
            const page = await newPage();
            const watch = watchPage(page);
            await page.goto(url("general.html"));
            const run = await openSearch(page);
            const failures = [];
            for (const c of CASES) {
                try {
                    checkCase(c, await run(c.q));
                } catch (e) {
                    failures.push(e.message);
                }
            }
            assert.deepEqual(failures, [], `${failures.length} of ${CASES.length} queries failed`);
            assert.deepEqual(watch.errors, []);
            assert.deepEqual(watch.external(server?.origin), []);
            await page.close();
        });

        // A property of the live book that holds after any edit: every clause
        // is found by words of its own (eight Han characters from the middle of
        // the longest run in its text, or in its title when it has no text).
        if (via === "file") {
            test("every clause is found by its own words", async () => {
                const page = await newPage();
                await page.goto(url("general.html"));
                const run = await openSearch(page);
                const missing = [];
                for (const c of clauses) {
                    // The longest run of Han characters, and up to eight from its middle.
                    const runs = (c.text || c.title).match(/\p{Script=Han}+/gu) ?? [];
                    const longest = [...runs.reduce((a, b) => (b.length > a.length ? b : a), "")];
                    assert.ok(longest.length >= 2, `${c.id} has words to search for`);
                    const mid = Math.max(0, Math.floor(longest.length / 2) - 4);
                    const q = longest.slice(mid, mid + 8).join("");
                    const { results } = await run(q);
                    if (!results.some((r) => r.id === c.id)) missing.push(`${c.id} (${q})`);
                }
                assert.deepEqual(missing, []);
                await page.close();
            });
        }


        if (via === "file") {
            test(`synonym table: each of ${SYNONYMS.length} everyday words finds its clause first`, async () => {
                assert.ok(SYNONYMS.length >= 25, `${SYNONYMS.length} entries`);
                const page = await newPage();
                await page.goto(url("general.html"));
                // Every entry of the file is shipped, with its clause by current
                // number (the build follows a renumbered `finds` and says so).
                const shipped = await page.evaluate(() => window.wxSearchIndex.syn.map(([word, , finds]) => ({ word, finds })));
                assert.equal(shipped.length, SYNONYMS.length);
                const run = await openSearch(page);
                const failures = [];
                for (const { word, finds } of shipped) {
                    const { results, header } = await run(word);
                    const ids = results.map((r) => r.id);
                    // It is the first clause, unless some clause uses the everyday word itself.
                    const literal = clauses.some((c) => halfWidth(c.title + c.text).includes(halfWidth(word)));
                    const ok = literal ? ids.includes(finds) : ids[0] === finds;
                    if (!ok) failures.push(`${word} → ${finds}${literal ? "" : " first"}: got [${ids.join(" ")}] (${header})`);
                }
                assert.deepEqual(failures, []);
                await page.close();
            });
        }

        test("nothing found: says so, suggests words and the rule catalogue", async () => {
            const page = await newPage();
            await page.goto(url("general.html"));
            const run = await openSearch(page);
            const near = await run("手机坏了");
            assert.match(near.header, /没有找到含“手机坏了”的条款或检查规则/);
            assert.ok(near.suggest.includes("手机丢了"), near.suggest.join(","));
            assert.ok(near.suggest.length <= 6, near.suggest.join(","));
            // Suggested words share at least two of the query's characters.
            for (const w of near.suggest) assert.ok([...new Set(w)].filter((ch) => "手机坏了".includes(ch)).length >= 2, w);
            const again = await run("离职证明");
            assert.ok(again.suggest.includes("离职"), again.suggest.join(","));
            // Nothing near: the synonym table's words, as examples.
            const far = await run("二维码");
            assert.ok(far.suggest.includes("朋友圈"), `examples from the synonym table: ${far.suggest}`);
            assert.equal(await page.locator('#wx-search-suggest a[href$="rules.html"]').count(), 1);
            // A suggestion runs its search.
            await page.click('#wx-search-suggest button:text-is("朋友圈")');
            assert.equal(await page.inputValue("#mdbook-searchbar"), "朋友圈");
            assert.ok((await page.locator("#mdbook-searchresults li").count()) > 0);
            assert.equal(await page.locator("#wx-search-suggest button").count(), 0, "suggestions go with a hit");
            await page.close();
        });

        test("URL caps: a 1.2 MB ?search= and 100,000 ?highlight= terms are cut, not searched", async () => {
            const page = await newPage();
            const watch = watchPage(page);
            // Loading a megabyte URL costs Chromium itself 10–17 s on this
            // machine whatever the parameter (measured: ?zzz= of the same size
            // is as slow), and node's server refuses it. So the page's own work
            // is measured where it starts: the URL is put in place with
            // replaceState and the page's popstate handler (the one that runs
            // on load) reads it synchronously.
            await page.goto(url("print.html"));
            const readUrl = (search) => page.evaluate((s) => {
                history.replaceState({}, "", location.pathname + s);
                const t = performance.now();
                window.dispatchEvent(new PopStateEvent("popstate"));
                return {
                    ms: performance.now() - t,
                    value: document.getElementById("mdbook-searchbar").value,
                    header: document.getElementById("mdbook-searchresults-header").textContent,
                    marks: [...document.querySelectorAll("mark.search-hit")].map((m) => m.textContent),
                };
            }, search);

            // 1.2 MB: the query keeps its first 64 characters and says so.
            const search = await readUrl("?search=" + encodeURIComponent("密码") + "a".repeat(1_200_000));
            assert.equal(search.value.length, 64);
            assert.ok(search.value.startsWith("密码"));
            assert.match(search.header, /只按前 64 个字搜索/);
            // The URL the page writes back holds the capped query, not the megabyte.
            await page.waitForFunction(() => location.href.length < 2000, null, { timeout: 5000 }).catch(async () => {
                assert.fail(`URL not rewritten: ${(await page.evaluate(() => location.href)).length} characters`);
            });

            // 100,000 terms: only the first few are marked; the last (泄露) never is.
            const terms = ["密码", ...Array.from({ length: 99_998 }, (_, i) => "词" + i), "泄露"];
            const mark = await readUrl("?highlight=" + encodeURIComponent(terms.join(" ")));
            assert.ok(mark.marks.includes("密码"), `marks: ${mark.marks.length}`);
            assert.ok(!mark.marks.includes("泄露"), "terms past the cap are not marked");
            console.log(`# ${via}: 1.2 MB ?search= read in ${search.ms.toFixed(1)} ms; 100,000-term ?highlight= on print.html read and marked in ${mark.ms.toFixed(1)} ms (${mark.marks.length} marks)`);

            // And through a real load, at a size servers accept.
            const few = ["密码", ...Array.from({ length: 398 }, (_, i) => "词" + i), "泄露"];
            await page.goto(url("print.html?highlight=" + encodeURIComponent(few.join(" "))));
            const loaded = await page.evaluate(() => [...document.querySelectorAll("mark.search-hit")].map((m) => m.textContent));
            assert.ok(loaded.includes("密码") && !loaded.includes("泄露"), `${loaded.length} marks`);
            assert.deepEqual(watch.errors, []);
            await page.close();
        });

        test("axe: the search box and its results (clauses, rules, suggestions) have no violations", async () => {
            const page = await newPage();
            await page.goto(url("general.html"));
            const run = await openSearch(page);
            const violations = async () => {
                if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
                return page.evaluate(async () => {
                    const r = await window.axe.run(document, { resultTypes: ["violations"] });
                    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
                });
            };
            await run("密码");
            assert.deepEqual(await violations(), [], "results with a rule");
            await run("二维码");
            assert.deepEqual(await violations(), [], "nothing found, suggestions");
            if (via === "file") await page.screenshot({ path: outputPath("search-suggestions.png") });
            assert.equal(await page.evaluate(() => document.getElementById("mdbook-searchbar").labels.length), 1, "a real <label>");
            await page.close();
        });

        test("teaser highlights the match, in display text; the fold is the xtask's", async () => {
            const page = await newPage();
            await page.goto(url("general.html"));
            // Same sample as search_index::tests::normalises_traditional_width_and_case.
            assert.equal(await page.evaluate(() => wxSearch.fold("賬號ＷｅＣｈａｔ　ＩＤ１２３")), "账号wechat id123");
            assert.equal(await page.evaluate(() => wxSearch.fold("三（三）3")), "三(三)3");
            const run = await openSearch(page);
            const { results } = await run("賬號");
            const r = results.find((x) => x.id === "2.2.1");
            assert.ok(r.em.includes("账号"), `em: ${r.em}`);
            assert.ok(r.teaser.includes("账号"));
            const pinyin = await run("mima");
            assert.deepEqual(pinyin.results[0].em.filter((e) => e === "密码").length > 0, true);
            await page.close();
        });

        test("keyboard: / and s open, arrows move, Enter follows and highlights, Esc closes", async () => {
            const page = await newPage();
            const watch = watchPage(page);
            await page.goto(url("general.html"));
            const wrapperHidden = () => page.evaluate(() => document.getElementById("mdbook-search-wrapper").classList.contains("hidden"));
            const focused = () => page.evaluate(() => [...document.querySelectorAll("#mdbook-searchresults li")].findIndex((li) => li.classList.contains("focus")));
            const barFocused = () => page.evaluate(() => document.activeElement?.id === "mdbook-searchbar");

            assert.equal(await wrapperHidden(), true);
            await page.keyboard.press("s");
            assert.equal(await wrapperHidden(), false);
            assert.equal(await barFocused(), true);
            await page.keyboard.press("Escape");
            assert.equal(await wrapperHidden(), true);
            assert.equal(await barFocused(), false);

            await page.click("#mdbook-search-toggle");
            assert.equal(await wrapperHidden(), false);
            assert.equal(await page.getAttribute("#mdbook-search-toggle", "aria-expanded"), "true");
            await page.click("#mdbook-search-toggle");
            assert.equal(await wrapperHidden(), true);

            await page.keyboard.press("/");
            assert.equal(await barFocused(), true);
            await page.keyboard.type("泄露");
            await page.waitForFunction(() => new URL(location.href).searchParams.get("search") === "泄露"); // ?search= follows the bar
            await page.keyboard.press("ArrowDown");
            assert.equal(await barFocused(), false);
            assert.equal(await focused(), 0);
            await page.keyboard.press("ArrowDown");
            await page.keyboard.press("ArrowDown");
            assert.equal(await focused(), 2);
            await page.keyboard.press("ArrowUp");
            assert.equal(await focused(), 1);
            await page.keyboard.press("ArrowUp");
            await page.keyboard.press("ArrowUp");
            assert.equal(await focused(), -1);
            assert.equal(await barFocused(), true);
            await page.keyboard.press("ArrowDown");
            await page.keyboard.press("ArrowDown");
            const target = await page.evaluate(() => document.querySelector("#mdbook-searchresults li.focus").dataset.clause);
            await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
            const clause = clauses.find((c) => c.id === target);
            const landed = new URL(page.url());
            assert.ok(landed.pathname.endsWith("/" + clause.page), landed.href);
            assert.equal(landed.hash, "#" + clause.anchor);
            assert.equal(landed.searchParams.get("highlight"), "泄露");
            const marks = await page.evaluate((anchor) => {
                const el = document.getElementById(anchor);
                const ms = [...el.querySelectorAll("mark")];
                const r = ms[0]?.getBoundingClientRect();
                return { texts: ms.map((m) => m.textContent), inView: !!r && r.top >= 0 && r.bottom <= window.innerHeight };
            }, clause.anchor);
            assert.ok(marks.texts.length >= 1 && marks.texts.every((t) => t === "泄露"), JSON.stringify(marks));
            assert.equal(marks.inView, true, "first mark scrolled into view");
            // Esc removes the marks.
            await page.keyboard.press("Escape");
            assert.equal(await page.locator("mark").count(), 0);

            // Enter straight from the bar follows the first result.
            await page.keyboard.press("/");
            await page.keyboard.type("密码");
            await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
            assert.equal(new URL(page.url()).hash, "#c-2-2-1");
            assert.deepEqual(watch.errors, []);
            await page.close();
        });

        test("?search= reopens a search; ?highlight= marks across inline markup, Traditional too", async () => {
            const page = await newPage();
            const watch = watchPage(page);
            await page.goto(url("accounts.html?search=" + encodeURIComponent("賬號")));
            assert.equal(await page.inputValue("#mdbook-searchbar"), "賬號");
            assert.equal(await page.locator("#mdbook-searchresults li[data-clause]").count(), ACCOUNT_IDS.length);

            await page.goto(url("accounts.html?highlight=" + encodeURIComponent("賬號 密碼") + "#c-2-2-1"));
            const texts = await page.evaluate(() => [...document.querySelectorAll("#c-2-2-1 mark")].map((m) => m.textContent));
            assert.ok(texts.includes("账号") && texts.includes("密码"), texts.join(","));
            assert.equal(await page.locator("#c-2-3-1 mark").count(), 0, "marks stay in the target clause");
            // Clicking a mark clears them and the parameter.
            await page.locator("#c-2-2-1 mark").first().click();
            await page.waitForFunction(() => document.querySelectorAll("mark").length === 0);
            assert.equal(new URL(page.url()).searchParams.get("highlight"), null);
            assert.deepEqual(watch.errors, []);
            await page.close();
        });

        // A figure, reported; the assert only catches a clear regression (these
        // machines are shared and swing 2x): a typical median is 0.1 ms.
        test("the engine answers the real handbook fast (figure reported)", async () => {
            const page = await newPage();
            await page.goto(url("general.html"));
            const times = await page.evaluate((qs) => {
                wxSearch.query("预热");
                const out = [];
                for (let round = 0; round < 5; round++) {
                    for (const q of qs) {
                        const t = performance.now();
                        wxSearch.query(q);
                        out.push(performance.now() - t);
                    }
                }
                return out.sort((a, b) => a - b);
            }, CASES.map((c) => c.q));
            const median = times[Math.floor(times.length / 2)];
            const p90 = times[Math.floor(times.length * 0.9)];
            console.log(`# search query: median ${median.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms over ${times.length} queries`);
            assert.ok(median < 50, `median ${median} ms: a clear regression (typical: 0.1 ms)`);
            await page.close();
        });
    });
}

test("mdBook's elasticlunr search is not shipped", () => {
    for (const f of ["searchindex.js", "searchindex.json", "elasticlunr.min.js", "searcher.js", "mark.min.js"]) {
        assert.equal(existsSync(join(siteDir, f)), false, f);
    }
    const html = readFileSync(join(siteDir, "general.html"), "utf8");
    assert.doesNotMatch(html, /elasticlunr|searchindex|searcher/);
    assert.match(html, /search-index[^"]*\.js/);
});
