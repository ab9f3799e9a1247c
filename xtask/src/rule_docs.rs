//! Rules shown in the handbook, generated from the rules files at build time so
//! they never drift: the 检查规则一览 catalogue, and the note beside every clause
//! that a rule enforces.

use std::fmt::Write as _;

use wxcheck::{Matcher, Rule, Severity};

use crate::handbook::Handbook;

/// The page of the rule catalogue; a rule's anchor there is `rule-{id}`.
pub const PAGE: &str = "rules.html";

/// HTML-escapes text for attribute values (double-quoted) and element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String");
    out
}

fn contexts_zh(contexts: &[wxcheck::Context]) -> String {
    contexts
        .iter()
        .map(|c| c.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// The note under a clause listing the rules that enforce it, each with a link
/// that opens the checker pre-filled with one of its examples.
pub fn clause_note(handbook: &Handbook, clause: &str) -> Option<String> {
    let rules: Vec<&Rule> = handbook
        .rules
        .rules()
        .iter()
        .filter(|r| &*r.clause == clause)
        .collect();
    if rules.is_empty() {
        return None;
    }
    // Each note is a landmark: its name says which clause, so they stay distinct.
    let label = handbook
        .clauses
        .get(clause)
        .map_or(clause, |c| c.label.as_str());
    let mut html = format!(
        "<aside class=\"clause-rules\" aria-label=\"{}的自检规则\"><span class=\"clause-rules-title\">自检规则：</span>",
        escape(label)
    );
    for (i, rule) in rules.iter().enumerate() {
        if i > 0 {
            html.push('；');
        }
        let _ = write!(
            html,
            "<a class=\"clause-rule\" href=\"{PAGE}#rule-{id}\" data-rule=\"{id}\" data-severity=\"{sev}\">{msg}</a>（{label}）",
            id = escape(&rule.id),
            sev = rule.severity.as_str(),
            msg = escape(&short(&rule.message)),
            label = rule.severity.label_zh(),
        );
        if !rule.examples_flag.is_empty() {
            let _ = write!(
                html,
                " <a class=\"clause-rule-try\" href=\"self-check.html?try={id}\" title=\"在自检中填入例子：{example}\">在自检中试试</a>",
                id = escape(&rule.id),
                example = escape(&rule.examples_flag[0]),
            );
        }
    }
    html.push_str("</aside>");
    Some(html)
}

/// A rule's heading for readers: the first sentence of its message (rules
/// have no title of their own, and their ids are for admins).
pub fn rule_title(message: &str) -> String {
    short(message)
}

/// First sentence of a message, for the compact note.
fn short(message: &str) -> String {
    message
        .split_inclusive(['。', '；'])
        .next()
        .unwrap_or(message)
        .trim_end_matches(['。', '；'])
        .to_string()
}

/// The full 检查规则一览 catalogue, grouped by clause in handbook order: per
/// rule its clause, severity, contexts, what it matches, message, suggestion,
/// replacement and examples, and a link that tries it in the checker.
pub fn catalogue(handbook: &Handbook) -> String {
    let all = handbook.rules.rules();
    let mut html = String::new();
    let per_severity: Vec<String> = [
        Severity::Block,
        Severity::Senior,
        Severity::Revise,
        Severity::Advice,
    ]
    .iter()
    .map(|s| {
        format!(
            "{} {} 条",
            s.label_zh(),
            all.iter().filter(|r| r.severity == *s).count()
        )
    })
    .collect();
    let _ = writeln!(
        html,
        "<p class=\"rules-meta\">共 {} 条规则（{}）· 规则版本 <code>{}</code></p>\n",
        all.len(),
        per_severity.join("，"),
        escape(&handbook.rules.version())
    );
    for clause in &handbook.clauses.clauses {
        let rules: Vec<&Rule> = all.iter().filter(|r| *r.clause == *clause.id).collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(
            html,
            "<h2 class=\"rules-clause\" id=\"rules-{anchor}\"><a href=\"{url}\">{label} {title}</a></h2>\n",
            anchor = escape(&clause.anchor),
            url = escape(&clause.url()),
            label = escape(&clause.label),
            title = escape(&clause.title)
        );
        for rule in rules {
            let _ = writeln!(
                html,
                "<section class=\"rule\" id=\"rule-{id}\" data-rule=\"{id}\" data-clause=\"{clause}\" data-severity=\"{sev}\">",
                id = escape(&rule.id),
                clause = escape(&rule.clause),
                sev = rule.severity.as_str(),
            );
            // Readers see the rule's first sentence and severity; its id (which
            // other pages link to, as `#rule-{id}`) and any regex are in the
            // admin's 技术细节 fold below.
            let _ = writeln!(
                html,
                "<h3>{title} <span class=\"severity severity-{sev}\">{sev_zh}</span></h3>",
                title = escape(&rule_title(&rule.message)),
                sev = rule.severity.as_str(),
                sev_zh = rule.severity.label_zh()
            );
            let _ = writeln!(html, "<dl class=\"rule-fields\">");
            let _ = writeln!(
                html,
                "<dt>条款</dt><dd><a href=\"{}\">{}</a></dd>",
                escape(&clause.url()),
                escape(&clause.label)
            );
            let _ = writeln!(
                html,
                "<dt>适用场景</dt><dd>{}</dd>",
                escape(&contexts_zh(&rule.contexts))
            );
            if !matches!(rule.matcher, Matcher::Pattern { .. }) {
                let _ = writeln!(html, "<dt>查找</dt><dd>{}</dd>", matcher_zh(&rule.matcher));
            }
            let _ = writeln!(html, "<dt>提示</dt><dd>{}</dd>", escape(&rule.message));
            let _ = writeln!(
                html,
                "<dt>修改建议</dt><dd>{}</dd>",
                escape(&rule.suggestion)
            );
            if let Some(replacement) = &rule.replacement {
                let _ = writeln!(
                    html,
                    "<dt>替换为</dt><dd>{}</dd>",
                    escape(&replacement_zh(replacement))
                );
            }
            if let Some(stances) = stances_zh(rule) {
                let _ = writeln!(html, "<dt>语气</dt><dd>{stances}</dd>");
            }
            if !rule.allow.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>不算违规的说法</dt><dd>{}</dd>",
                    escape(&rule.allow.join("、"))
                );
            }
            if !rule.examples_flag.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>会被指出的例子</dt><dd><ul>{}</ul></dd>",
                    list(&rule.examples_flag)
                );
            }
            if !rule.examples_pass.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>不会被误报的例子</dt><dd><ul>{}</ul></dd>",
                    list(&rule.examples_pass)
                );
            }
            let _ = writeln!(html, "</dl>");
            if let Some(example) = rule.examples_flag.first() {
                let _ = writeln!(
                    html,
                    "<p><a class=\"clause-rule-try\" href=\"self-check.html?try={id}\" title=\"在自检中填入例子：{example}\">在自检中试试</a></p>",
                    id = escape(&rule.id),
                    example = escape(example),
                );
            }
            let _ = writeln!(
                html,
                "<details class=\"rule-tech\"><summary>技术细节</summary><dl class=\"rule-fields\"><dt>规则编号</dt><dd><code>{id}</code></dd>",
                id = escape(&rule.id)
            );
            if matches!(rule.matcher, Matcher::Pattern { .. }) {
                let _ = writeln!(html, "<dt>查找</dt><dd>{}</dd>", matcher_zh(&rule.matcher));
            }
            let _ = writeln!(
                html,
                "<dt>定义位置</dt><dd><code>{}:{}</code></dd></dl></details>",
                escape(&rule.file),
                rule.line
            );
            let _ = writeln!(html, "</section>\n");
        }
    }
    if let Some(model) = handbook.rules.learned() {
        html.push_str(&learned_section(handbook, model));
    }
    html
}

/// The worked example of the learned second opinion: a refund promise in
/// words no rule lists (checked at build with the shipped model).
const LEARNED_EXAMPLE: &str = "放心报，这次要是没上岸，学费我们一分不少还给您";

/// The worked example of the model's hit lane (`learned::HIT_LANE`): a
/// work-group message that lists the shortcuts staff are asked about, with
/// no warning cue a stance lists (checked at build with the shipped model).
const HIT_EXAMPLE: &str =
    "整理了一份捷径问题的回复，挂证、买证、代考、考前拿题都在里面，大家看看还有啥要补充的。";

/// The learned second opinion's entry (`#rule-learned`, where the checker
/// page links its findings): what it is, what it may do, a worked example.
fn learned_section(handbook: &Handbook, model: &wxcheck::learned::LearnedModel) -> String {
    let mut html = String::new();
    let clauses: Vec<&wxcheck::learned::LearnedClause> = model
        .clauses
        .iter()
        .filter(|c| {
            c.clause != wxcheck::learned::HIT_LANE
                && !c.clause.starts_with(wxcheck::learned::EVASION_PREFIX)
        })
        .collect();
    let labels: Vec<String> = clauses
        .iter()
        .map(|c| escape(&wxcheck::clause_label(&c.clause).unwrap_or_else(|| c.clause.clone())))
        .collect();
    let hit = if model
        .clauses
        .iter()
        .any(|c| c.clause == wxcheck::learned::HIT_LANE)
    {
        let report = handbook.rules.check(HIT_EXAMPLE, wxcheck::Context::Group);
        let verdict = report.verdict.label_zh();
        format!(
            "<li>它还读“禁止发布”的句子本身：规则写明“带有否定、警示、报道或提问语气时不算”的词（如“代考”“挂证”），\
                 句子里却没有规则收录的那些语气词时，它判断这句话更像是在宣传、提供，还是在提醒、拒绝、转述；\
                 更像后者的，只按“需修改”提示并说明原因（手机号、身份证号这类规则不受影响）。\
                 例子：工作群里写“{}”——自检的结论是“{}”。</li>\n",
            escape(HIT_EXAMPLE),
            escape(verdict)
        )
    } else {
        String::new()
    };
    let evasion = evasion_item(handbook, model);
    let outcome = opinion_on(handbook, LEARNED_EXAMPLE, |f| {
        format!("提示“{}”", escape(&f.message))
    });
    let _ = writeln!(
        html,
        "<h2 class=\"rules-clause\" id=\"rules-learned\">统计模型提示</h2>\n\
         <section class=\"rule-learned\" id=\"rule-{id}\" data-rule=\"{id}\" data-severity=\"advice\">\n\
         <p>规则只能认出写进规则文件的说法。为了提醒规则还没收录的新说法，自检另带一个统计模型：它从开发语料（<code>tests/corpus/*.toml</code>，{n} 个条款）学到各条款常见的字和词，\
         对规则<strong>没有</strong>指出的条款，如果把握达到 {p:.0}%，就以“建议”级别提示“可能涉及某条款”，并标出最相关的一句。</p>\n\
         <ul><li>它只提示，不下结论：结论最多是“建议”，不会因为它变成“需修改”或“禁止发布”；规则已经指出的句子，它不再提示。</li>\n\
         <li>它会出错：请对照条款原文判断，确无问题可以忽略。</li>\n\
         <li>例子：客户私聊里写“{example}”——没有“包过”“退费”这些规则词，自检{outcome}。</li>\n\
         {hit}\
         {evasion}\
         <li>覆盖的条款：{clauses}。</li>\n\
         <li>管理员不需要编辑它：语料更新后运行 <code>cargo xtask train-model</code> 重新训练，生成 <code>book/rules/learned.json</code>。</li></ul>\n</section>",
        id = wxcheck::learned::RULE_ID,
        n = clauses.len(),
        p = f64::from(model.threshold) / 10.0,
        example = escape(LEARNED_EXAMPLE),
        clauses = labels.join("、"),
    );
    html
}

/// The worked example of the evasion lanes: gambling in pinyin, asked as a
/// question (which clears the rules' gambling words), that only an evasion
/// lane reads (checked at build with the shipped model).
const EVASION_EXAMPLE: &str = "晚上要不要 du bo 两把？老地方";

/// The item on the evasion lanes (`learned::EVASION_PREFIX`), when the
/// model has any: what they learnt from, their bar, a worked example.
fn evasion_item(handbook: &Handbook, model: &wxcheck::learned::LearnedModel) -> String {
    let labels: Vec<String> = model
        .clauses
        .iter()
        .filter_map(|c| c.clause.strip_prefix(wxcheck::learned::EVASION_PREFIX))
        .map(|c| escape(&wxcheck::clause_label(c).unwrap_or_else(|| c.to_string())))
        .collect();
    if labels.is_empty() {
        return String::new();
    }
    let outcome = opinion_on(handbook, EVASION_EXAMPLE, |f| {
        format!(
            "按{}提示“可能涉及”",
            escape(&wxcheck::clause_label(&f.clause).unwrap_or_else(|| f.clause.to_string()))
        )
    });
    format!(
        "<li>它另有专门读规避写法的部分（{}）：除了开发语料，还从开发用的规避测试集（<code>checker-wasm/engine/tests/data/evasion-blind-*.toml</code>，\
         拼音、谐音、拆字、符号夹在字中间等写法）学过；规则和上面的模型都没有提示时，把握达到 {:.0}% 才提示“可能涉及”，同样只到“建议”。\
         例子：私聊里写“{}”——自检{}。</li>\n",
        labels.join("、"),
        f64::from(wxcheck::learned::EVASION_THRESHOLD) * 100.0,
        escape(EVASION_EXAMPLE),
        outcome
    )
}

/// What the checker says of a private-chat `example` through the model:
/// its opinion as `shown` words it, or why there is none.
fn opinion_on(
    handbook: &Handbook,
    example: &str,
    shown: impl Fn(&wxcheck::Finding) -> String,
) -> String {
    let report = handbook.rules.check(example, wxcheck::Context::Customer);
    match report
        .findings
        .iter()
        .find(|f| &*f.rule == wxcheck::learned::RULE_ID)
    {
        Some(f) => shown(f),
        None if report.findings.is_empty() => "没有提示（模型把握不足）".to_string(),
        None => "规则已经指出，模型不再重复提示".to_string(),
    }
}

/// A replacement as staff read it: `{masked}` is the matched value masked.
fn replacement_zh(replacement: &str) -> String {
    replacement.replace(
        "{masked}",
        "打码后的原文（保留首尾几位，中间用 * 遮挡，如 138****5678）",
    )
}

/// What a rule looks for, in words an admin reads.
fn matcher_zh(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Words { words } => format!("词语：{}", escape(&words.join("、"))),
        Matcher::Pattern { pattern, .. } => {
            format!("模式（正则表达式）：<code>{}</code>", escape(pattern))
        }
        Matcher::Validator { validator } => format!(
            "{}（按校验规则识别，不是简单的数字串）",
            validator.label_zh()
        ),
        Matcher::Near {
            parts,
            names,
            within,
        } => {
            let part = |(i, words): (usize, &Vec<String>)| match names.get(i) {
                Some(name) if name.starts_with('@') => format!(
                    "「{}」类的词（{}）",
                    escape(&name[1..]),
                    escape(&words.join("、"))
                ),
                _ => format!("“{}”", escape(&words.join("、"))),
            };
            let parts: Vec<String> = parts.iter().enumerate().map(part).collect();
            let reach = match within {
                Some(n) => format!("同一句内、相距不超过 {n} 个字"),
                None => "同一句内".to_string(),
            };
            format!("同时出现（{reach}，先后不限）：{}", parts.join(" 与 "))
        }
    }
}

/// What sentence stances do to a rule's hits, in words an admin reads.
fn stances_zh(rule: &wxcheck::Rule) -> Option<String> {
    let names = |list: &[wxcheck::Stance]| {
        list.iter()
            .map(|s| s.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut out = Vec::new();
    if !rule.unless.is_empty() {
        out.push(format!(
            "句子带有{}语气时不算（例如“我们不承诺……”“谨防……”）",
            names(&rule.unless)
        ));
    }
    if !rule.question_not_in.is_empty() {
        out.push(format!(
            "但在{}里，问句不按{}语气算，照常指出",
            contexts_zh(&rule.question_not_in),
            wxcheck::Stance::Question.label_zh()
        ));
    }
    if !rule.soften.is_empty() {
        out.push(format!("是{}号码或信息时只作提醒", names(&rule.soften)));
        if rule.soften.iter().any(|s| s.is_owner()) {
            out.push(format!(
                "但句中写明是{}信息（例如“她电话”“另一位家长”）时照常指出",
                wxcheck::Stance::Others.label_zh()
            ));
        }
    }
    (!out.is_empty()).then(|| escape(&out.join("；")))
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|e| format!("<li>{}</li>", escape(e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue's example of the hit lane shows what it says: with the
    /// shipped rules and model, the message's block is lowered to revise by
    /// the hit lane (not by a stance cue, which would clear it).
    #[test]
    fn the_hit_lane_example_is_lowered_by_the_lane() {
        let root = crate::repo_root();
        let Ok(json) = std::fs::read_to_string(root.join(crate::train_model::MODEL_PATH)) else {
            return; // no model shipped: no hit lane to show
        };
        let rules = crate::train_model::book_rules(&root)
            .unwrap()
            .with_learned_json("learned.json", &json, &|_| true)
            .unwrap();
        let report = rules.check(HIT_EXAMPLE, wxcheck::Context::Group);
        assert_eq!(report.verdict, wxcheck::Verdict::Revise, "{report:?}");
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.message.contains("这句话更像是在提醒、拒绝或转述")),
            "{report:?}"
        );
    }

    /// The catalogue's example of the evasion lanes shows what it says: the
    /// shipped model gives it an opinion on 3.3.1 that the model without
    /// its evasion lanes does not, and the rules find nothing.
    #[test]
    fn the_evasion_example_is_read_by_an_evasion_lane() {
        let root = crate::repo_root();
        let Ok(json) = std::fs::read_to_string(root.join(crate::train_model::MODEL_PATH)) else {
            return; // no model shipped: no lanes to show
        };
        let mut model: wxcheck::learned::LearnedModel = serde_json::from_str(&json).unwrap();
        let opinions = |model: &wxcheck::learned::LearnedModel| {
            let rules = crate::train_model::book_rules(&root)
                .unwrap()
                .with_learned(model.clone(), &|_| true)
                .unwrap();
            let report = rules.check(EVASION_EXAMPLE, wxcheck::Context::Customer);
            assert!(
                report
                    .findings
                    .iter()
                    .all(|f| &*f.rule == wxcheck::learned::RULE_ID),
                "{report:?}"
            );
            report
                .findings
                .iter()
                .map(|f| f.clause.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(opinions(&model), ["3.3.1"]);
        model
            .clauses
            .iter_mut()
            .filter(|c| c.clause.starts_with(wxcheck::learned::EVASION_PREFIX))
            .for_each(|c| c.bias = -100_000);
        assert!(opinions(&model).is_empty());
    }
}
