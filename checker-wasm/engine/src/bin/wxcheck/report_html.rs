//! The audit's HTML report: one self-contained file (inline CSS and SVG, no
//! script, no external asset) that works offline from disk and reads on a
//! phone. Every value from the input is escaped.

use crate::audit::AuditArgs;
use crate::audit::totals::{Count, HELD_PER_SEVERITY, LISTED_BAD, Shown, Totals};
use crate::links::ClauseLinks;
use pulldown_cmark_escape::{escape_href, escape_html};
use std::fmt::Write;
use wxcheck::{RuleSet, Severity, Verdict, clause_label};

/// Senders listed in the per-sender table (the most findings first).
const SENDER_ROWS: usize = 200;
/// Days drawn in the timeline (the latest ones).
const TIMELINE_DAYS: usize = 366;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html(&mut out, s).expect("string");
    out
}

fn href(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_href(&mut out, s).expect("string");
    // escape_href leaves quotes and `&` alone (they are valid URL bytes);
    // the attribute still needs them escaped.
    esc(&out)
}

fn label(clause: &str) -> String {
    clause_label(clause).unwrap_or_else(|| clause.to_string())
}

fn sev_class(s: Severity) -> &'static str {
    s.as_str()
}

const CSS: &str = r#"
:root{--fg:#1d1d1f;--muted:#4a4a4f;--bg:#fff;--line:#d0d0d6;--block:#a1121a;--senior:#7a3e00;--revise:#6b5200;--advice:#1d4f91;--mark:#ffe58a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--line);padding-bottom:.25rem}
.meta{color:var(--muted);font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem}
.card strong{display:block;font-size:1.4rem}
.card span{color:var(--muted);font-size:.85rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;color:#fff;font-size:.85rem;white-space:nowrap}
.badge.block{background:var(--block)}.badge.senior{background:var(--senior)}.badge.revise{background:var(--revise)}.badge.advice{background:var(--advice)}
.badge.recalled{background:#fff;color:var(--fg);border:1px solid var(--fg)}
.finding{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.75rem 0}
.finding.block{border-left-color:var(--block)}.finding.senior{border-left-color:var(--senior)}.finding.revise{border-left-color:var(--revise)}.finding.advice{border-left-color:var(--advice)}
.finding h3{font-size:1rem;margin:0 0 .3rem;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.finding dl{display:grid;grid-template-columns:auto 1fr;gap:0 .75rem;margin:.3rem 0;font-size:.9rem}
.finding dt{color:var(--muted)}.finding dd{margin:0;overflow-wrap:anywhere}
blockquote{margin:.4rem 0;padding:.4rem .6rem;background:#f4f4f6;border-radius:4px;overflow-wrap:anywhere;white-space:pre-wrap}
mark{background:var(--mark);color:#000;outline:1px solid #8a6d00}
a{color:#0b57a3}
.ok{color:#1b5e20}
svg{max-width:100%;height:auto}
@media (max-width:600px){main{padding:.6rem}.finding{padding:.5rem .6rem}}
"#;

pub fn render(t: &Totals, args: &AuditArgs, links: &ClauseLinks, rules: &RuleSet) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let inputs: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<title>微信使用审计报告</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n\
<h1>微信使用审计报告</h1>\n<p class=\"meta\">制度六（一）监督小组 · 输入：{} · 规则版本 {} · {}</p>\n",
        esc(&inputs.join("、")),
        esc(&rules.version()),
        if args.all {
            "审计全部消息（含客户）"
        } else {
            "只审计员工发出的消息"
        },
    );
    totals_section(&mut h, t);
    verdict_section(&mut h, t);
    timeline_section(&mut h, t);
    clause_section(&mut h, t, links);
    sender_section(&mut h, t);
    findings_section(&mut h, t, links);
    bad_section(&mut h, t);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn card(h: &mut String, n: u64, what: &str) {
    let _ = write!(
        h,
        "<div class=\"card\"><strong>{n}</strong><span>{}</span></div>",
        esc(what)
    );
}

fn totals_section(h: &mut String, t: &Totals) {
    h.push_str(
        "<section aria-labelledby=\"totals\">\n<h2 id=\"totals\">总数</h2>\n<div class=\"cards\">",
    );
    card(h, t.read, "读取的记录");
    card(h, t.audited, "已审计");
    card(h, t.skipped_types(), "按类型跳过（无文字）");
    card(h, t.skipped_sender, "按发送人跳过（非员工）");
    card(h, t.recalled, "撤回记录");
    card(h, t.duplicates, "重复（重复拉取的 msgid）");
    card(h, t.unreadable, "无法读取");
    card(h, t.findings(), "发现的问题");
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<p>{} = 已审计 {} + 按类型跳过 {} + 按发送人跳过 {} + 撤回 {} + 重复 {} + 无法读取 {}{}</p>",
        format_args!("读取 {}", t.read),
        t.audited,
        t.skipped_types(),
        t.skipped_sender,
        t.recalled,
        t.duplicates,
        t.unreadable,
        if t.reconciles() {
            "（核对无误）"
        } else {
            "（核对不符，请报告此问题）"
        }
    );
    if !t.skipped_type.is_empty() {
        h.push_str("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"按类型跳过的表格\"><table><caption>按类型跳过的消息</caption><thead><tr><th scope=\"col\">类型</th><th scope=\"col\" class=\"n\">条数</th></tr></thead><tbody>");
        for (ty, n) in &t.skipped_type {
            let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(ty));
        }
        h.push_str("</tbody></table></div>\n");
    }
    if !t.failed_files.is_empty() {
        h.push_str("<p><strong>无法读取的文件：</strong></p><ul>");
        for (f, e) in &t.failed_files {
            let _ = write!(h, "<li>{}：{}</li>", esc(f), esc(e));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

fn verdict_section(h: &mut String, t: &Totals) {
    h.push_str("<section aria-labelledby=\"verdicts\">\n<h2 id=\"verdicts\">结论分布</h2>\n<div class=\"cards\">");
    for v in [
        Verdict::Block,
        Verdict::Senior,
        Verdict::Revise,
        Verdict::Advice,
        Verdict::Pass,
    ] {
        card(h, t.verdicts.get(&v).copied().unwrap_or(0), v.label_zh());
    }
    h.push_str("</div>\n");
    if !t.contexts.is_empty() {
        h.push_str("<p>按场景：");
        let parts: Vec<String> = t
            .contexts
            .iter()
            .map(|(c, n)| format!("{} {n} 条", esc(c)))
            .collect();
        h.push_str(&parts.join("；"));
        h.push_str("</p>\n");
    }
    h.push_str("</section>\n");
}

fn timeline_section(h: &mut String, t: &Totals) {
    h.push_str("<section aria-labelledby=\"timeline\">\n<h2 id=\"timeline\">每日时间线</h2>\n");
    let days: Vec<(&String, &Count)> = t.days.iter().collect();
    let days = &days[days.len().saturating_sub(TIMELINE_DAYS)..];
    if days.is_empty() {
        h.push_str("<p>没有已审计的消息。</p></section>\n");
        return;
    }
    let max = days
        .iter()
        .map(|(_, c)| c.messages)
        .max()
        .unwrap_or(1)
        .max(1);
    // Wide bars for a few days, thin ones for a year; never narrower than
    // the two end labels need.
    let n = days.len();
    let bar = (640 / n).clamp(3, 48);
    let gap = (bar / 4).max(1);
    let height = 120usize;
    let width = (n * (bar + gap) + 40).max(360);
    let day_labels = n <= 14 && bar >= 36;
    let flagged: u64 = days.iter().map(|(_, c)| c.flagged).sum();
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {width} {}\" width=\"{width}\" role=\"img\" aria-labelledby=\"tl-title\">\
<title id=\"tl-title\">{n} 天内每日审计的消息（灰）与有问题的消息（红），共 {flagged} 条有问题</title>",
        height + 40,
    );
    for (i, (day, c)) in days.iter().enumerate() {
        let x = 30 + i * (bar + gap);
        let hm = (c.messages as f64 / max as f64 * height as f64).round() as usize;
        let hf = (c.flagged as f64 / max as f64 * height as f64).round() as usize;
        let _ = write!(
            h,
            "<g><title>{}：审计 {} 条，有问题 {} 条，禁止发布 {} 条</title>\
<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{hm}\" fill=\"#9a9aa3\"/>\
<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{hf}\" fill=\"#a1121a\"/></g>",
            esc(day),
            c.messages,
            c.flagged,
            c.blocked,
            10 + height - hm,
            10 + height - hf
        );
        // A week or two: every day gets its `MM-DD` under its bar.
        if day_labels {
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d1d1f\">{}</text>",
                x + bar / 2,
                height + 26,
                esc(day.get(5..).unwrap_or(day))
            );
        }
    }
    if !day_labels {
        let first = days.first().map(|d| d.0.as_str()).unwrap_or("");
        let last = days.last().map(|d| d.0.as_str()).unwrap_or("");
        let _ = write!(
            h,
            "<text x=\"30\" y=\"{y}\" font-size=\"12\" fill=\"#1d1d1f\">{}</text>\
<text x=\"{}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d1d1f\">{}</text>",
            esc(first),
            width - 4,
            esc(last),
            y = height + 30,
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"0\" y=\"20\" font-size=\"12\" fill=\"#1d1d1f\">{max}</text></svg>"
    );
    h.push_str(
        "<p class=\"meta\">灰色：当天审计的消息；红色：其中有问题的消息。</p>\n</section>\n",
    );
}

fn clause_section(h: &mut String, t: &Totals, links: &ClauseLinks) {
    h.push_str("<section aria-labelledby=\"clauses\">\n<h2 id=\"clauses\">按条款</h2>\n");
    if t.clauses.is_empty() {
        h.push_str("<p class=\"ok\">没有违反条款的消息。</p></section>\n");
        return;
    }
    let mut rows: Vec<_> = t.clauses.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse((r.1.1, r.1.0.findings)));
    h.push_str("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"按条款的表格\"><table><thead><tr><th scope=\"col\">条款</th><th scope=\"col\">最高严重程度</th><th scope=\"col\" class=\"n\">问题数</th><th scope=\"col\" class=\"n\">涉及消息</th></tr></thead><tbody>");
    for (clause, (c, sev)) in rows {
        let _ = write!(
            h,
            "<tr><td><a href=\"{}\">{}</a></td><td><span class=\"badge {}\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            href(&links.url(clause, "")),
            esc(&label(clause)),
            sev_class(*sev),
            sev.label_zh(),
            c.findings,
            c.messages
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn sender_section(h: &mut String, t: &Totals) {
    h.push_str("<section aria-labelledby=\"senders\">\n<h2 id=\"senders\">按发送人</h2>\n");
    let mut rows: Vec<_> = t.senders.iter().collect();
    rows.sort_by(|a, b| (b.1.blocked, b.1.findings, a.0).cmp(&(a.1.blocked, a.1.findings, b.0)));
    h.push_str("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"按发送人的表格\"><table><thead><tr><th scope=\"col\">发送人</th><th scope=\"col\" class=\"n\">审计消息</th><th scope=\"col\" class=\"n\">有问题</th><th scope=\"col\" class=\"n\">问题数</th><th scope=\"col\" class=\"n\">禁止发布</th></tr></thead><tbody>");
    for (sender, c) in rows.iter().take(SENDER_ROWS) {
        let name = if sender.is_empty() {
            "（未知）"
        } else {
            sender.as_str()
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            c.messages,
            c.flagged,
            c.findings,
            c.blocked
        );
    }
    h.push_str("</tbody></table></div>\n");
    if rows.len() > SENDER_ROWS {
        let _ = write!(
            h,
            "<p class=\"meta\">只列出问题最多的 {SENDER_ROWS} 位（共 {} 位）。</p>",
            rows.len()
        );
    }
    h.push_str("</section>\n");
}

fn finding(h: &mut String, s: &Shown, links: &ClauseLinks) {
    let _ = write!(
        h,
        "<article class=\"finding {cls}\">\n<h3><span class=\"badge {cls}\">{sev}</span>\
<a href=\"{url}\">条款 {label}</a> <code>{rule}</code>{recalled}</h3>\n<dl>\
<dt>时间</dt><dd>{time}</dd><dt>发送人</dt><dd>{sender}</dd><dt>会话</dt><dd>{conv}</dd>\
<dt>场景</dt><dd>{ctx}</dd><dt>位置</dt><dd>{place}{msgid}</dd></dl>\n\
<blockquote>{before}<mark>{hit}</mark>{after}</blockquote>\n\
<p>{message}</p>\n<p><strong>修改建议：</strong>{suggestion}</p>\n</article>\n",
        cls = sev_class(s.severity),
        sev = s.severity.label_zh(),
        url = href(&links.url(&s.clause, &s.rule)),
        label = esc(&label(&s.clause)),
        rule = esc(&s.rule),
        recalled = if s.recalled {
            " <span class=\"badge recalled\">已撤回</span>"
        } else {
            ""
        },
        time = esc(if s.time.is_empty() {
            "（无）"
        } else {
            &s.time
        }),
        sender = esc(if s.sender.is_empty() {
            "（未知）"
        } else {
            &s.sender
        }),
        conv = esc(if s.conversation.is_empty() {
            "（未知）"
        } else {
            &s.conversation
        }),
        ctx = esc(s.context),
        place = esc(&s.place),
        msgid = s
            .msgid
            .as_deref()
            .map(|id| format!(" · 消息 ID {}", esc(id)))
            .unwrap_or_default(),
        before = esc(&s.before),
        hit = esc(&s.hit),
        after = esc(&s.after),
        message = esc(&s.message),
        suggestion = esc(&s.suggestion),
    );
}

fn findings_section(h: &mut String, t: &Totals, links: &ClauseLinks) {
    h.push_str(
        "<section aria-labelledby=\"findings\">\n<h2 id=\"findings\">问题清单（按严重程度）</h2>\n",
    );
    if t.held.is_empty() {
        h.push_str("<p class=\"ok\">没有发现问题。</p></section>\n");
        return;
    }
    for (sev, held) in t.held.iter().rev() {
        let total = t.severities.get(sev).copied().unwrap_or(0);
        if total as usize > HELD_PER_SEVERITY {
            let _ = write!(
                h,
                "<p class=\"meta\">“{}”共 {total} 处，这里列出前 {HELD_PER_SEVERITY} 处；全部见 CSV 或 JSONL 输出。</p>",
                sev.label_zh()
            );
        }
        for s in held {
            finding(h, s, links);
        }
    }
    h.push_str("</section>\n");
}

fn bad_section(h: &mut String, t: &Totals) {
    if t.unreadable == 0 {
        return;
    }
    h.push_str("<section aria-labelledby=\"bad\">\n<h2 id=\"bad\">无法读取的记录</h2>\n");
    let _ = write!(
        h,
        "<p>共 {} 条，未计入审计。请检查导出文件的这些位置。</p>",
        t.unreadable
    );
    h.push_str("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"无法读取的记录表格\"><table><thead><tr><th scope=\"col\">位置</th><th scope=\"col\">消息 ID</th><th scope=\"col\">原因</th></tr></thead><tbody>");
    for (place, id, e) in &t.bad {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(place),
            esc(id.as_deref().unwrap_or("（无）")),
            esc(e)
        );
    }
    h.push_str("</tbody></table></div>\n");
    if t.unreadable as usize > LISTED_BAD {
        let _ = write!(
            h,
            "<p class=\"meta\">只列出前 {LISTED_BAD} 条，全部见 JSONL 输出。</p>"
        );
    }
    h.push_str("</section>\n");
}
