// The page scripts' JSDoc types, checked by TypeScript (`tsc --noEmit`, the
// version pinned in package.json): the scripts stay plain classic <script>
// files, and a wrong field name or a possibly-null element fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const testsDir = join(dirname(fileURLToPath(import.meta.url)), "..");

test("tsc --noEmit: the checker page scripts type-check", () => {
    const tsc = require.resolve("typescript/bin/tsc");
    let output = "";
    try {
        output = execFileSync(process.execPath, [tsc, "-p", join(testsDir, "tsconfig.json")], { encoding: "utf8", cwd: testsDir });
    } catch (e) {
        output = String(e.stdout || "") + String(e.stderr || "");
        assert.fail(`tsc found errors:\n${output}`);
    }
    assert.equal(output.trim(), "");
});
