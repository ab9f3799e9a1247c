//! The compiler-style report of the default mode: for each finding the line,
//! a window of the line around the span, carets under it, the message and the
//! suggestion.
//!
//! The window is bounded ([`WINDOW`] characters each side, the span itself cut
//! at [`MAX_SPAN`]), so output and memory grow linearly with the input: a long
//! line with many findings used to be printed whole under each one.

use wxcheck::{Finding, Report, Severity, Verdict, clause_label};

/// Characters of context shown before and after a span.
pub const WINDOW: usize = 40;
/// The most characters of one span shown (a merged span can be long).
pub const MAX_SPAN: usize = 80;

/// Display width: East Asian wide and full-width characters take two columns.
fn width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0xFE00..=0xFE0F => 0,
        _ => 1,
    }
}

fn shown(c: char) -> char {
    if c == '\t' || c == '\r' { ' ' } else { c }
}

/// Renders one finding like a compiler diagnostic.
fn render(out: &mut String, name: &str, line_starts: &[usize], chars: &[char], f: &Finding) {
    let line_idx = line_starts.partition_point(|&s| s <= f.start) - 1;
    let line_start = line_starts[line_idx];
    let line_end = line_starts
        .get(line_idx + 1)
        .map_or(chars.len(), |&s| s - 1)
        .max(line_start);
    let col = f.start - line_start + 1;
    let label = clause_label(&f.clause).unwrap_or_else(|| f.clause.to_string());
    let lineno = (line_idx + 1).to_string();
    let pad = " ".repeat(lineno.len());
    let span_end = f.end.min(line_end).max(f.start);
    let cut_end = span_end.min(f.start + MAX_SPAN);
    let from = f.start.saturating_sub(WINDOW).max(line_start);
    let to = (cut_end + WINDOW).min(line_end);
    let mut text = String::new();
    if from > line_start {
        text.push('…');
    }
    let lead: usize = usize::from(from > line_start)
        + chars[from..f.start]
            .iter()
            .map(|&c| width(c))
            .sum::<usize>();
    text.extend(chars[from..cut_end].iter().map(|&c| shown(c)));
    if cut_end < span_end {
        text.push('…');
    }
    text.extend(chars[cut_end..to].iter().map(|&c| shown(c)));
    if to < line_end {
        text.push('…');
    }
    let carets = (chars[f.start..cut_end]
        .iter()
        .map(|&c| width(c))
        .sum::<usize>()
        + usize::from(cut_end < span_end))
    .max(1);
    out.push_str(&format!(
        "{name}:{}:{col}: {} {label} [{}]\n",
        line_idx + 1,
        f.severity.label_zh(),
        f.rule
    ));
    out.push_str(&format!(
        "{pad} |\n{lineno} | {text}\n{pad} | {}{}\n",
        " ".repeat(lead),
        "^".repeat(carets)
    ));
    out.push_str(&format!("{pad} = {}\n", f.message));
    out.push_str(&format!("{pad} = 修改建议：{}\n", f.suggestion));
    if let Some(r) = &f.replacement {
        out.push_str(&format!("{pad} = 可替换为：{r}\n"));
    }
    out.push('\n');
}

fn summary(name: &str, report: &Report) -> String {
    if report.findings.is_empty() {
        return format!("{name}: 结论：{}（未发现问题）\n", Verdict::Pass.label_zh());
    }
    let mut counts = Vec::new();
    for s in [
        Severity::Block,
        Severity::Senior,
        Severity::Revise,
        Severity::Advice,
    ] {
        let n = report.findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            counts.push(format!("{} {n}", s.label_zh()));
        }
    }
    format!(
        "{name}: 结论：{}（共 {} 处：{}）\n",
        report.verdict.label_zh(),
        report.findings.len(),
        counts.join("，")
    )
}

/// The whole report of one draft.
pub fn report_text(name: &str, text: &str, report: &Report) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut line_starts = vec![0];
    line_starts.extend(
        chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '\n')
            .map(|(i, _)| i + 1),
    );
    let mut out = String::new();
    for f in &report.findings {
        render(&mut out, name, &line_starts, &chars, f);
    }
    out.push_str(&summary(name, report));
    out
}
