// Shared fixtures for the browser tests: a real headless Chromium (Debian's
// /usr/bin/chromium, never a downloaded build) and the built site, reachable both
// from file:// and from a local static server.
//
// The site must already be built (`cargo xtask test` builds it first). A missing
// browser or site is a hard failure, never a skip: a green run has to mean the
// pages were really exercised.
import { chromium } from "playwright-core";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
export const siteDir = resolve(process.env.HANDBOOK_SITE || join(repoRoot, "site"));
export const outputDir = join(repoRoot, "tests", "output");
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

/**
 * Launches headless Chromium with a fresh profile; throws a clear error if it is missing.
 * `requireSite: false` is for pages that are not part of the site (the audit report).
 */
export async function launchBrowser({ requireSite = true } = {}) {
    if (!existsSync(chromiumPath)) {
        throw new Error(`Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) — browser tests never skip.`);
    }
    if (requireSite && !existsSync(join(siteDir, "index.html"))) {
        throw new Error(`No built site at ${siteDir}: run \`cargo xtask build\` first.`);
    }
    const userDataDir = mkdtempSync(join(tmpdir(), "handbook-chromium-"));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: chromiumPath,
        headless: true,
        args: CHROMIUM_ARGS,
    });
    return context;
}

/** Directory for screenshots and measurements that a person looks at after a run. */
export function outputPath(name) {
    mkdirSync(outputDir, { recursive: true });
    return join(outputDir, name);
}

// Deliberately generic types: the site must work on servers that don't know
// `.wasm` or other unusual extensions, so nothing here maps them specially.
const TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
};

/**
 * Serves `root` on 127.0.0.1 with an ephemeral port. `strictTypes` answers 404 for
 * every extension outside a short list, like locked-down intranet servers do;
 * `wasmType` sends `.wasm` as `application/wasm`, like a well-configured one
 * (and `cargo xtask serve`), so the page can compile it while it streams.
 */
export async function startServer({ root = siteDir, strictTypes = false, wasmType = false } = {}) {
    const requests = [];
    const server = createServer((req, res) => {
        requests.push(req.url);
        const url = new URL(req.url, "http://localhost");
        let path = normalize(join(root, decodeURIComponent(url.pathname)));
        if (!path.startsWith(root + sep) && path !== root) {
            res.writeHead(403).end();
            return;
        }
        if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
        const type = wasmType && extname(path) === ".wasm" ? "application/wasm" : TYPES[extname(path)];
        if (!existsSync(path) || (strictTypes && !type)) {
            res.writeHead(404).end("not found");
            return;
        }
        res.writeHead(200, { "content-type": type || "application/octet-stream" });
        res.end(readFileSync(path));
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    const { port } = server.address();
    return {
        origin: `http://127.0.0.1:${port}`,
        url: (p = "") => `http://127.0.0.1:${port}/${p.replace(/^\//, "")}`,
        requests,
        close: () => new Promise((ok) => server.close(ok)),
    };
}

/** file:// URL of a page of the built site. */
export function fileUrl(p = "index.html") {
    const [path, rest] = splitSuffix(p);
    return pathToFileURL(join(siteDir, path)).href + rest;
}

function splitSuffix(p) {
    const i = p.search(/[?#]/);
    return i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i)];
}

/**
 * Records every request a page makes and every console error, page error and
 * dialog (dismissed), so a test can prove nothing left the machine and
 * nothing failed silently.
 */
export function watchPage(page) {
    const requests = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    // The pages never open alert/confirm/prompt: one that does is an error.
    page.on("dialog", (d) => {
        errors.push(`dialog: ${d.message()}`);
        d.dismiss();
    });
    return {
        requests,
        errors,
        /** Requests that left the site (anything but file:, data:, blob: or the given local origin). */
        external(localOrigin) {
            return requests.filter((u) => !(u.startsWith("file:") || u.startsWith("data:") || u.startsWith("blob:")
                || (localOrigin && u.startsWith(localOrigin + "/"))));
        },
    };
}
