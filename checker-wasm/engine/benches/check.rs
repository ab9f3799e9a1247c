//! Speed goals from issue 3: under 100 µs for a 2,000-character draft with the
//! full rule set in every context, and at least 100 MB/s on one core over a
//! large mixed corpus.
//!
//! Three corpora: `mixed` is deliberately harsh (a finding every ~140 bytes),
//! `clean` is the common case, and `labelled` is the accuracy corpus of
//! `tests/corpus/` (350 drafts written like real posts, each in its own
//! context, a third of them clean) repeated to the same size.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{corpus, shipped_rules};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wxcheck::Context;

/// Sentences of a typical draft: mostly clean, some with hits and traps.
const SENTENCES: &[&str] = &[
    "最近天气转凉，请家长们给孩子多带一件外套。",
    "第一节课安排在周六上午9点，地点在总部301教室。",
    "暑期班报名需缴纳保证金200元，结课后全额退还。",
    "咨询热线：400-820-6688，工作时间9:00-21:00。",
    "孩子这周的作业完成得很好，继续加油！",
    "本课程系统梳理考点，讲透解题思路，每节课后都有反馈。",
    "谨防诈骗：本校不会通过个人账户收取学费。",
    "签约保过，不过退费，名额有限。",
    "全市第一的英语培训，顶级师资。",
    "家长电话13812345678，请尽快联系。",
    "Our summer camp starts on July 1st, welcome!",
    "課程價格：3980元/期，共24課時。",
    "网传今年中考取消听力，大家注意。",
    "好滴，木有问题，明天搞定。",
];

/// A deterministic draft of about `chars` characters, from the first `pool`
/// sentences (the first seven are clean).
fn draft(seed: usize, chars: usize, pool: usize) -> String {
    let mut s = String::new();
    let mut i = seed;
    while s.chars().count() < chars {
        s.push_str(SENTENCES[i % pool]);
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    s.chars().take(chars).collect()
}

fn bench(c: &mut Criterion) {
    // What ships: the rules and the learned second opinion (the group below
    // compares it with the rules alone).
    let rules = shipped_rules();
    let alone = common::rules();
    let one = draft(1, 2000, SENTENCES.len());
    let mut g = c.benchmark_group("draft-2000-chars");
    for ctx in Context::ALL {
        g.bench_function(ctx.as_str(), |b| {
            b.iter(|| rules.check(black_box(&one), ctx))
        });
    }
    g.finish();

    // What the learned second opinion adds, measured side by side in one run.
    let mut g = c.benchmark_group("learned-second-opinion-2000-chars");
    g.bench_function("rules-alone", |b| {
        b.iter(|| alone.check(black_box(&one), Context::Public))
    });
    g.bench_function("with-model", |b| {
        b.iter(|| rules.check(black_box(&one), Context::Public))
    });
    g.finish();

    // Mixed: half the sentences break a rule (a harsh mix: a finding every
    // ~150 bytes). Clean: only the clean sentences, the common case.
    for (name, pool) in [("mixed", SENTENCES.len()), ("clean", 7)] {
        let corpus: Vec<String> = (0..2000)
            .map(|i| draft(i, 200 + (i * 37) % 1800, pool))
            .collect();
        let bytes: usize = corpus.iter().map(String::len).sum();
        let mut g = c.benchmark_group("throughput");
        g.throughput(Throughput::Bytes(bytes as u64));
        g.sample_size(10);
        g.bench_function(format!("{name}-corpus-{:.1}MB", bytes as f64 / 1e6), |b| {
            b.iter(|| {
                for (i, d) in corpus.iter().enumerate() {
                    black_box(rules.check(d, Context::ALL[i % Context::ALL.len()]));
                }
            })
        });
        g.finish();
    }
}

fn bench_labelled(c: &mut Criterion) {
    let rules = shipped_rules();
    let drafts: Vec<(String, Context)> = corpus()
        .into_iter()
        .map(|(_, d)| (d.text, d.context))
        .collect();
    let one_pass: usize = drafts.iter().map(|(t, _)| t.len()).sum();
    let repeat = 5_000_000usize.div_ceil(one_pass);
    let bytes = one_pass * repeat;
    let mut g = c.benchmark_group("throughput");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function(
        format!("labelled-corpus-{:.1}MB", bytes as f64 / 1e6),
        |b| {
            b.iter(|| {
                for _ in 0..repeat {
                    for (text, context) in &drafts {
                        black_box(rules.check(text, *context));
                    }
                }
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench, bench_labelled);
criterion_main!(benches);
