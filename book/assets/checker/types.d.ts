// Types shared by the 发布前自检 scripts (JSDoc in the .js files refers to
// them). Checked by `tsc --noEmit -p tests/tsconfig.json`; never shipped (the
// build copies only the .js files).

/** One finding of the engine's report (checker-wasm `report_json`), offsets in UTF-16 units. */
interface Finding {
    rule: string;
    clause: string;
    /** The clause's label, e.g. the one of clause 3.3.3. */
    label: string;
    severity: string;
    message: string;
    suggestion: string;
    replacement: string | null;
    start: number;
    end: number;
    text: string;
    /** Its place in the report (set by WX_LOGIC.orderFindings). */
    index?: number;
}

interface Report {
    verdict: string;
    findings: Finding[];
}

/** What was checked and what came back. */
interface CheckState {
    text: string;
    context: string;
    report: Report;
    /** Longer than the check limit: only the first `checkedLength` units were checked. */
    truncated: boolean;
    checkedLength: number;
}

interface CheckInput {
    text: string;
    context: string;
}

interface Paragraph {
    start: number;
    end: number;
    pieces: Array<[number, number, string]>;
    last: boolean;
    key: string;
}

interface WxLabel {
    id: string;
    label: string;
}

interface WxVerdictWords extends WxLabel {
    next: string;
}

/** `WX_WORDS` of checker-words.js (xtask/src/wasm.rs `Words`). */
interface WxWords {
    version: number;
    maxCheck: number;
    severities: WxLabel[];
    verdicts: WxVerdictWords[];
    contexts: WxLabel[];
    reviewClause: { id: string; label: string; url: string };
    recordIntro: string;
}

/** `WX_ENGINE` of checker-engine.js (xtask/src/wasm.rs); the wasm itself is
 *  checker-engine.wasm, or `WX_ENGINE_WASM` (base64) of checker-engine-wasm.js. */
interface WxEngine {
    meta: any;
    rules: string;
    glue: () => any;
}

interface CheckResult {
    json: string;
    ms: number;
}

interface Backend {
    kind: "inline" | "worker";
    check(text: string, context: string): Promise<CheckResult>;
    sha256?: (text: string) => string;
}

interface LoaderTiming {
    script?: number;
    compiled?: number;
    ready?: number;
    /** Worker: instantiate + new Checker (ms). */
    wasmInit?: number;
    /** Main thread's new Checker, built when idle after ready (ms). */
    inlineInit?: number;
    /** How the wasm came: "stream" | "bytes" | "base64". */
    wasmPath?: string;
    [key: string]: number | string | undefined;
}

interface Loader {
    ready: Promise<Backend>;
    forLength(n: number): Promise<Backend>;
    worker: Promise<Backend> | null;
}

/** `WX_COPY` of assets/copy.js. */
interface WxCopy {
    text(text: string): Promise<void>;
    download(name: string, content: string, type: string): void;
}

/** The globals the page scripts define or read (each script defines one). */
interface Window {
    WX_COPY?: WxCopy;
    WX_ENGINE?: WxEngine;
    WX_ENGINE_WASM?: string;
    WX_WORDS?: WxWords;
}
