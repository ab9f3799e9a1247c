'use strict';

// The new hire's practice (practice.md): a round of drafts; the reader answers send / fix / stop for each,
// then sees the checker's verdict, its findings and the clauses they cite.
//
// The drafts and the checker's results are computed at build time
// (xtask/src/practice.rs) and shipped as `window.WX_PRACTICE` in
// practice-data.js, a classic script loaded only on the practice page: no
// wasm, no fetch, so it works from file:// and under the site's CSP. Every
// word the reader sees comes from that data (or from the page's Markdown);
// this file holds none.
//
// Shape, like search.js: logic that never touches the page (`makePractice`,
// `segments`, `receiptText`), then a thin layer over the DOM (`mount`).
// Nothing is stored: answers, score and name live in this page's memory only.

/* global path_to_root */

(function wxPractice() {
    const FORMAT_VERSION = 1;
    const NAME_LIMIT = 40;

    // ---- Logic ---------------------------------------------------------------

    /** `{key}` placeholders of `template` filled in from `values`. */
    function fill(template, values) {
        return String(template).replace(/\{(\w+)\}/g, (whole, key) =>
            Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole);
    }

    /** The practice over the generated data: rounds, items, grading. */
    function makePractice(data) {
        if (!data || data.v !== FORMAT_VERSION) {
            throw new Error('practice data missing or of an unknown version');
        }
        function item(index) {
            const [text, context, verdict, findings, source] = data.items[index];
            const v = data.verdicts[verdict];
            return {
                index,
                text,
                context,
                contextLabel: data.contexts[context],
                verdict,
                verdictLabel: v.label,
                answer: v.answer,
                why: v.why,
                source,
                findings: findings.map(([f, start, end]) => {
                    const [clause, severity, message, suggestion] = data.findings[f];
                    const [label, url] = data.clauses[clause];
                    return {
                        clause, label, url, severity,
                        severityLabel: data.severities[severity],
                        message, suggestion, start, end,
                        text: text.slice(start, end),
                    };
                }),
            };
        }
        const answerLabels = {};
        data.answers.forEach(a => { answerLabels[a.id] = a.label; });
        return {
            words: data.words,
            answers: data.answers,
            roundCount: data.rounds.length,
            /** The items of round `n` (any integer: rounds repeat). */
            round(n) {
                const count = data.rounds.length;
                return count ? data.rounds[((n % count) + count) % count].map(item) : [];
            },
            item,
            answerLabel: id => answerLabels[id],
            isRight: (it, answer) => it.answer === answer,
            edition: data.edition,
            rules: data.rules,
        };
    }

    /**
     * The draft cut into `[text, finding|null]` pieces, each finding's span
     * marked once; spans overlapping an earlier one are not marked again.
     */
    function segments(text, findings) {
        const spans = findings
            .filter(f => f.end > f.start)
            .slice()
            .sort((a, b) => a.start - b.start || b.end - a.end);
        const out = [];
        let at = 0;
        for (const f of spans) {
            if (f.start < at) continue;
            if (f.start > at) out.push([text.slice(at, f.start), null]);
            out.push([text.slice(f.start, f.end), f]);
            at = f.end;
        }
        if (at < text.length || out.length === 0) out.push([text.slice(at), null]);
        return out;
    }

    /** The name as typed, trimmed, without control characters, bounded. */
    function cleanName(name) {
        return Array.from(String(name).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim())
            .slice(0, NAME_LIMIT).join('');
    }

    function pad(n) {
        return String(n).padStart(2, '0');
    }

    /** Local time as the words' `time` template fills it, and as `20261129-1805`. */
    function localTime(words, date) {
        const offset = -date.getTimezoneOffset();
        const sign = offset >= 0 ? '+' : '-';
        const zone = 'UTC' + sign + pad(Math.floor(Math.abs(offset) / 60)) + ':' + pad(Math.abs(offset) % 60);
        const day = date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate());
        const time = pad(date.getHours()) + ':' + pad(date.getMinutes());
        return {
            text: fill(words.time, { date: day, time, zone }),
            stamp: day.replace(/-/g, '') + '-' + time.replace(':', ''),
        };
    }

    /** The reading receipt as plain text. */
    function receiptText(practice, { name, right, total, time }) {
        const w = practice.words;
        const edition = practice.edition;
        return [
            w.r_title,
            fill(w.r_name, { name: cleanName(name) }),
            fill(w.r_edition, { version: edition.version, draft: edition.released ? '' : w.r_unreleased }),
            fill(w.r_sha, { sha256: edition.sha256 }),
            fill(w.r_score, { right, total }),
            fill(w.r_time, { time: localTime(w, time).text }),
            fill(w.r_rules, { rules: practice.rules }),
            w.r_note,
        ].join('\n') + '\n';
    }

    // ---- Page ----------------------------------------------------------------

    function h(tag, props, children) {
        const el = document.createElement(tag);
        for (const [key, value] of Object.entries(props || {})) {
            if (key === 'text') el.textContent = value;
            else if (key === 'className') el.className = value;
            else if (value !== null && value !== undefined && value !== false) el.setAttribute(key, value === true ? '' : value);
        }
        for (const child of children || []) {
            if (child) el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
        }
        return el;
    }

    const copyText = window.WX_COPY.text;
    const download = (name, text) => window.WX_COPY.download(name, text, 'text/plain;charset=utf-8');

    function rootPath() {
        return typeof path_to_root === 'string' ? path_to_root
            : document.documentElement.getAttribute('data-path-to-root') || '';
    }

    /** Builds the practice UI inside `root`; returns its state for tests. */
    function mount(root, practice, startRound) {
        const w = practice.words;
        const state = { round: startRound, items: [], position: 0, given: [], finishedAt: null };
        const card = h('div', { className: 'wx-practice-card' });
        const newRound = h('button', { type: 'button', className: 'wx-practice-new', text: w.new_round });
        root.textContent = '';
        root.appendChild(card);
        root.appendChild(h('p', { className: 'wx-practice-tools' }, [newRound]));
        root.setAttribute('data-state', 'ready');

        function right() {
            return state.given.filter((a, i) => practice.isRight(state.items[i], a)).length;
        }

        function start(n) {
            state.round = n;
            state.items = practice.round(n);
            state.position = 0;
            state.given = [];
            state.finishedAt = null;
            root.setAttribute('data-round', String(n));
            showQuestion();
        }

        function draftView(it, marked) {
            const draft = h('p', { className: 'wx-practice-draft' });
            for (const [text, f] of segments(it.text, marked ? it.findings : [])) {
                draft.appendChild(f ? h('mark', { className: 'wx-practice-mark', 'data-severity': f.severity, text }) : document.createTextNode(text));
            }
            return draft;
        }

        function showQuestion() {
            const it = state.items[state.position];
            const total = state.items.length;
            card.textContent = '';
            root.setAttribute('data-position', String(state.position));
            const question = h('p', { className: 'wx-practice-question', id: 'wx-practice-question', text: w.question });
            const buttons = practice.answers.map(a => h('button', {
                type: 'button',
                className: 'wx-practice-answer',
                'data-answer': a.id,
                'aria-pressed': 'false',
                text: a.label,
            }));
            const group = h('div', { className: 'wx-practice-answers', role: 'group', 'aria-labelledby': 'wx-practice-question' }, buttons);
            const result = h('div', { className: 'wx-practice-result', tabindex: '-1', hidden: true });
            const draftBox = h('div', { className: 'wx-practice-draft-box' }, [draftView(it, false)]);
            card.appendChild(h('section', {
                className: 'wx-practice-item',
                'data-item': String(it.index),
                'aria-label': fill(w.progress, { n: state.position + 1, total }),
            }, [
                h('p', { className: 'wx-practice-progress' }, [
                    fill(w.progress, { n: state.position + 1, total }),
                    state.position > 0 ? ' · ' + fill(w.running_score, { right: right() }) : '',
                ]),
                h('p', { className: 'wx-practice-context', 'data-context': it.context, text: fill(w.context, { context: it.contextLabel }) }),
                draftBox,
                question,
                group,
                result,
            ]));
            for (const button of buttons) {
                button.addEventListener('click', () => {
                    if (state.given.length > state.position) return; // answered already
                    answer(it, button.getAttribute('data-answer'), buttons, result, draftBox);
                });
            }
        }

        function answer(it, given, buttons, result, draftBox) {
            state.given.push(given);
            const correct = practice.isRight(it, given);
            for (const b of buttons) {
                const id = b.getAttribute('data-answer');
                b.setAttribute('aria-pressed', String(id === given));
                b.setAttribute('aria-disabled', 'true');
                if (id === it.answer) b.classList.add('wx-practice-expected');
            }
            draftBox.textContent = '';
            draftBox.appendChild(draftView(it, true));
            const last = state.position + 1 >= state.items.length;
            const next = h('button', { type: 'button', className: 'wx-practice-next', text: last ? w.finish : w.next });
            next.addEventListener('click', () => {
                if (last) finish();
                else {
                    state.position += 1;
                    showQuestion();
                    card.querySelector('.wx-practice-answer').focus();
                }
            });
            result.textContent = '';
            result.setAttribute('data-correct', String(correct));
            result.appendChild(h('p', {
                className: 'wx-practice-outcome',
                text: correct ? w.right : fill(w.wrong, { answer: practice.answerLabel(it.answer) }),
            }));
            result.appendChild(h('p', { className: 'wx-practice-given', text: fill(w.you_said, { answer: practice.answerLabel(given) }) }));
            result.appendChild(h('p', { className: 'wx-practice-verdict', 'data-verdict': it.verdict, text: fill(w.verdict, { verdict: it.verdictLabel }) }));
            result.appendChild(h('p', { className: 'wx-practice-why', text: fill(w.why, { why: it.why }) }));
            if (it.findings.length) {
                result.appendChild(h('p', { className: 'wx-practice-findings-title', text: w.findings }));
                result.appendChild(h('ol', { className: 'wx-practice-findings' }, it.findings.map(f => h('li', {
                    className: 'wx-practice-finding',
                    'data-clause': f.clause,
                    'data-severity': f.severity,
                }, [
                    h('p', { className: 'wx-practice-severity', text: fill(w.severity, { severity: f.severityLabel }) + (f.text ? ' · ' + fill(w.matched, { text: f.text }) : '') }),
                    h('p', { className: 'wx-practice-message', text: f.message }),
                    h('p', { className: 'wx-practice-cites' }, [w.clause, h('a', { className: 'wx-practice-clause', href: rootPath() + f.url, text: f.label })]),
                    h('p', { className: 'wx-practice-suggestion', text: fill(w.suggestion, { suggestion: f.suggestion }) }),
                ]))));
            } else {
                result.appendChild(h('p', { className: 'wx-practice-none', text: w.no_findings }));
            }
            result.appendChild(h('p', {}, [next]));
            result.hidden = false;
            result.focus();
        }

        function finish() {
            state.finishedAt = new Date();
            const total = state.items.length;
            const score = right();
            card.textContent = '';
            root.setAttribute('data-position', 'done');
            const name = h('input', { type: 'text', id: 'wx-practice-name', className: 'wx-practice-name', maxlength: String(NAME_LIMIT), autocomplete: 'name' });
            const copy = h('button', { type: 'button', className: 'wx-practice-copy', text: w.copy });
            const save = h('button', { type: 'button', className: 'wx-practice-download', text: w.download });
            const status = h('p', { className: 'wx-practice-status', role: 'status' });
            const preview = h('pre', { className: 'wx-practice-receipt', hidden: true });
            const text = () => receiptText(practice, { name: name.value, right: score, total, time: state.finishedAt });
            const ready = () => {
                if (cleanName(name.value)) return true;
                status.textContent = w.need_name;
                name.focus();
                return false;
            };
            name.addEventListener('input', () => {
                preview.hidden = !cleanName(name.value);
                preview.textContent = text();
                status.textContent = '';
            });
            copy.addEventListener('click', () => {
                if (!ready()) return;
                copyText(text()).then(
                    () => { status.textContent = w.copied; },
                    () => {
                        status.textContent = w.copy_failed;
                        preview.hidden = false;
                    });
            });
            save.addEventListener('click', () => {
                if (!ready()) return;
                download(fill(w.file_name, { time: localTime(w, state.finishedAt).stamp }), text());
                status.textContent = w.downloaded;
            });
            const heading = h('p', { className: 'wx-practice-score', tabindex: '-1', 'data-right': String(score), 'data-total': String(total), text: fill(w.score, { right: score, total }) });
            card.appendChild(h('section', { className: 'wx-practice-done' }, [
                heading,
                h('ol', { className: 'wx-practice-summary' }, state.items.map((it, i) => h('li', {
                    'data-correct': String(practice.isRight(it, state.given[i])),
                }, [
                    (practice.isRight(it, state.given[i]) ? w.right : fill(w.wrong, { answer: practice.answerLabel(it.answer) })) + ' ',
                    h('span', { className: 'wx-practice-summary-text', text: it.text }),
                ]))),
                h('p', { className: 'wx-practice-receipt-title', text: w.receipt }),
                h('p', { className: 'wx-practice-help', text: w.receipt_help }),
                h('p', { className: 'wx-practice-name-row' }, [h('label', { for: 'wx-practice-name', text: w.name }), name]),
                h('p', { className: 'wx-practice-buttons' }, [copy, save]),
                status,
                preview,
            ]));
            heading.focus();
        }

        newRound.addEventListener('click', () => {
            start(state.round + 1);
            card.querySelector('.wx-practice-answer').focus();
        });
        start(startRound);
        return { state, start, receipt: () => state.finishedAt && receiptText(practice, { name: '', right: right(), total: state.items.length, time: state.finishedAt }) };
    }

    function randomRound(count) {
        if (!count) return 0;
        const buf = new Uint32Array(1);
        if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(buf);
        else buf[0] = Math.floor(Math.random() * 0xffffffff);
        return buf[0] % count;
    }

    function init() {
        const root = document.querySelector('[data-wx-practice]');
        if (!root) return;
        const failed = () => {
            root.setAttribute('data-state', 'error');
            root.textContent = '';
            root.appendChild(h('p', { className: 'wx-practice-loading', role: 'alert', text: root.getAttribute('data-failed') || '' }));
        };
        const run = () => {
            let practice;
            try {
                practice = makePractice(window.WX_PRACTICE);
            } catch (e) {
                failed();
                return;
            }
            const page = mount(root, practice, randomRound(practice.roundCount));
            window.wxPractice.page = page;
            // When the first question became usable (for the tests' figures).
            window.wxPractice.readyAt = performance.now();
        };
        if (window.WX_PRACTICE) {
            run();
            return;
        }
        const script = document.createElement('script');
        script.src = rootPath() + 'practice-data.js';
        script.onload = run;
        script.onerror = failed;
        document.head.appendChild(script);
    }

    window.wxPractice = { makePractice, segments, receiptText, cleanName, fill, page: null, readyAt: null };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
})();
