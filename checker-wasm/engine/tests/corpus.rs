//! Accuracy over the labelled corpus (repository root `tests/corpus/`), the
//! development part and the blind test part scored separately, every time:
//! a score on drafts the rules were tuned on says little on its own.
//!
//! For each part: drafts right (a clean draft gets no finding at `revise` or
//! worse; a violating one gets a finding of at least one of its clauses),
//! verdicts by expected outcome, precision and recall per clause, rates per
//! kind of draft, and clean drafts blocked or at `revise` or worse.
//!
//! The asserts are floors just under what the rules reach today (recorded in
//! `tests/corpus/README.md`), so that a change that loses accuracy fails; the
//! goals of issue 10 are printed beside them. `WXCHECK_CORPUS_SHOW=dev` lists
//! the development part's misses and false alarms; the test part's are never
//! listed, so no one tunes against it by accident.

mod common;

use common::Draft;
use std::collections::{BTreeMap, BTreeSet};
use wxcheck::{RuleSet, Verdict};

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

#[derive(Default)]
struct Scorecard {
    drafts: usize,
    right: usize,
    clean: usize,
    clean_blocked: usize,
    clean_revise_or_worse: usize,
    /// Clean drafts with any finding at all (advice included): what a
    /// reader is bothered with, even where the verdict is right.
    clean_any_finding: usize,
    violations_missed_entirely: usize,
    per_clause: BTreeMap<String, Counts>,
    /// kind → (drafts, right)
    per_kind: BTreeMap<String, (usize, usize)>,
    /// (expected "clean"/"violation", verdict) → drafts
    confusion: BTreeMap<(&'static str, Verdict), usize>,
}

impl Scorecard {
    fn rate(&self) -> f64 {
        self.right as f64 / self.drafts.max(1) as f64
    }

    fn clean_alarm_rate(&self) -> f64 {
        self.clean_revise_or_worse as f64 / self.clean.max(1) as f64
    }

    fn recall(&self, clause: &str) -> Option<f64> {
        let k = self.per_clause.get(clause)?;
        (k.tp + k.fn_ > 0).then(|| k.tp as f64 / (k.tp + k.fn_) as f64)
    }
}

fn score(rules: &RuleSet, drafts: &[(String, Draft)], show: bool) -> Scorecard {
    let mut card = Scorecard::default();
    for (file, d) in drafts {
        let report = rules.check(&d.text, d.context);
        let found: BTreeSet<&str> = report.findings.iter().map(|f| &*f.clause).collect();
        let want: BTreeSet<&str> = d.clauses.iter().map(String::as_str).collect();
        card.drafts += 1;
        let right = report.is_right(&d.clauses);
        if want.is_empty() {
            card.clean += 1;
            card.clean_blocked += usize::from(report.verdict == Verdict::Block);
            card.clean_revise_or_worse += usize::from(report.verdict >= Verdict::Revise);
            card.clean_any_finding += usize::from(!report.findings.is_empty());
        } else {
            card.violations_missed_entirely += usize::from(report.findings.is_empty());
        }
        card.right += usize::from(right);
        let expected = if want.is_empty() {
            "clean"
        } else {
            "violation"
        };
        *card
            .confusion
            .entry((expected, report.verdict))
            .or_default() += 1;
        let kind = d.kind.clone().unwrap_or_else(|| "(untagged)".into());
        let k = card.per_kind.entry(kind).or_default();
        k.0 += 1;
        k.1 += usize::from(right);
        for c in want.union(&found) {
            let e = card.per_clause.entry(c.to_string()).or_default();
            match (want.contains(c), found.contains(c)) {
                (true, true) => e.tp += 1,
                (true, false) => {
                    e.fn_ += 1;
                    if show {
                        eprintln!("MISSED {c} in {file} [{}]: {}", d.context, d.text);
                    }
                }
                (false, true) => {
                    e.fp += 1;
                    if show {
                        let f = report.findings.iter().find(|f| &*f.clause == *c).unwrap();
                        eprintln!(
                            "EXTRA {c} ({}: {}) in {file} [{}]: {}",
                            f.rule, f.text, d.context, d.text
                        );
                    }
                }
                _ => {}
            }
        }
    }
    card
}

fn print(name: &str, card: &Scorecard) {
    println!(
        "\n== {name}: {} drafts, {} clean ==",
        card.drafts, card.clean
    );
    println!(
        "right {}/{} ({:.1}%); violations with no finding at all {}; clean blocked {}, clean at revise or worse {} ({:.1}%)",
        card.right,
        card.drafts,
        card.rate() * 100.0,
        card.violations_missed_entirely,
        card.clean_blocked,
        card.clean_revise_or_worse,
        card.clean_alarm_rate() * 100.0
    );
    println!(
        "clean drafts with any finding (advice included) {} ({:.1}%)",
        card.clean_any_finding,
        card.clean_any_finding as f64 / card.clean.max(1) as f64 * 100.0
    );
    println!("verdicts by expected outcome:");
    for ((expected, verdict), n) in &card.confusion {
        println!("  {expected:<9} → {verdict:<7} {n}");
    }
    println!(
        "{:<8} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "clause", "tp", "fp", "fn", "precision", "recall"
    );
    for (c, k) in &card.per_clause {
        let p = k.tp as f64 / (k.tp + k.fp).max(1) as f64;
        let r = k.tp as f64 / (k.tp + k.fn_).max(1) as f64;
        println!(
            "{c:<8} {:>4} {:>4} {:>4} {p:>9.2} {r:>7.2}",
            k.tp, k.fp, k.fn_
        );
    }
    println!("right per kind:");
    for (kind, (n, right)) in &card.per_kind {
        println!("  {kind:<24} {right:>3}/{n:<3}");
    }
}

/// Floors under today's figures: (share right, clean at revise or worse, clean blocked).
struct Floor {
    right: f64,
    clean_alarm_rate: f64,
    clean_blocked: usize,
}

const DEV_FLOOR: Floor = Floor {
    right: 0.96,
    // 0.5 % until aimed batches 108 and 110 joined (each 240 drafts written
    // along the line between a leak and a refusal of it); 1.1 % since round
    // sixty-eight added aimed batches 127 and 128 and the sixteen test files
    // that held the test part's blocked clean drafts.
    clean_alarm_rate: 0.011,
    // dev-6's English vocabulary list with 赌博 in it is doubted by the
    // learned model (revise, see `report::DOUBT`); dev-9h's and dev-10m's
    // denials after the word (内部价这个我们真的没有) are cleared by the
    // negation stance's `after` cues. The one block left is a disagreement,
    // kept on purpose: dev-46m's writer labels a customer's full ID number
    // posted to a work group "for checking" clean; group-personal-resident-id
    // blocks it by design (IDs are checked in the enrolment system, 5.3.2).
    // The second is a limit of sentence stance: dev-59n's 有人拉老人打麻将赌钱，
    // 听说一晚上输了好几千。我劝大家别掺和 warns in the sentence after the one
    // that names the gambling, with words no warning cue holds, and a stance
    // reads one sentence. The third, dev-96i's story of a named student's
    // scores whose （已获本人授权） stands two sentences later: the consent
    // elsewhere in the draft counts (`report::DOUBT_BESIDE`), but the model is
    // sure. dev-91y's 您刚才说有人找您买我们的家长名单？这个我们绝对不会做，已经
    // 报给公司法务了 was blocked too until that bar: its warnings stand after
    // the question's end, and the model is not sure.
    // dev-103x's enrolment details sent back to the mother for checking
    // (跟您核对一下报名信息：…家长手机138…) were blocked after round fifty-seven
    // too, the listener's cue out of reach; `stance::OWNER_REACH` 120 → 180
    // clears it. The fourth since round fifty-eight, dev-105b's 关于老师课酬和公司
    // 成本，我们不在群里讨论: a refusal in the clause after the one that names
    // the pay, where a negation's `after` words do not reach. The fifth
    // since round sixty, dev-108g's 外面那种……的广告，说白了就是替考。我们不做。: the
    // denial a sentence after the hit, which the model overrules. Since round
    // sixty-one, dev-110l's two: a consent in a parenthesis after the
    // sentence's end (……托业拿到885分！（已获本人授权分享……）), and a refusal in a
    // sentence of its own (……能不能买我们的学员名单做推广。不能。). Since round
    // sixty-three, dev-115u's 有学员私信问我考前能不能拿到原题。在这里统一回复：不能。:
    // a refusal in a sentence of its own again (see DESIGN.md, "a sentence
    // that is nothing but a refusal"). Since round sixty-four, dev-117y's
    // 喜报 whose 王同学、李同学物理都进步了20分以上 names pupils by surname only:
    // its writer labels that clean, and name-with-score keeps flagging a
    // surname with a score (王同学考了59分，全班倒数 is a leak in a parents' group).
    // Round sixty-five's retrained model doubts dev-108g's. A consent in a
    // closing note in parentheses now counts for the whole draft
    // (`stance::Cues::consent_in_closing_note`): dev-96i's story and
    // dev-110l's 托业 score are no longer blocked. Round sixty-seven added
    // dev-124m's two: 替考实操=违法。抓到了，替考的和找人替考的一起处理。 (the
    // warning is the sentence before; 抓到了 as a cue broke a leak of a
    // family's affairs) and 李经理，替考实操真不行。…… (a noun between the hit
    // and the refusal, which must follow at once without a topic marker).
    // The model's hit lane (`learned::HIT_LANE`, `report::HIT_DOUBT`) reads
    // seven of the eight as mentions and reports them at revise; it reads
    // only rules whose hits a sentence's tone clears, so dev-46m's ID number,
    // the disagreement kept on purpose, stays blocked. The lane is trained on
    // these very drafts, so this 1 says little; its figure on drafts it never
    // saw is `cargo xtask first-openings --hit-lane`'s, and the test part's
    // below. Round sixty-eight added four left after its tuning: dev-120f's
    // refusal of a parent list in the sentence after the request (抱歉名单不能
    // 提供), dev-124n's 墙上挂证书 (挂证 cut across 证书: 挂证书 also means
    // renting a certificate out), dev-127s's own number read back whose
    // sentence also names a spouse (紧急联系人是您爱人……联系她: the `others`
    // cue), and dev-128u's job ad 底薪3500-5000，提成阶梯制 (pay in a job ad
    // is public; a commission rate or earnings named in one, which the same
    // writers label leaks, share its words); round sixty-nine's retraining
    // doubts the job ad. The eleventh session's evasion pass moved
    // dev-126r in from the test part, and the model retrained with it
    // doubts its 课酬 sentence (我们老师的课酬由公司按职级统一核定) but no
    // longer dev-128u's 直播间底价怎么定？记住这个公式：底价 = 成本 ×
    // （1 + 最低毛利率）…: a price taught as course content, whose words a
    // leak of the company's floor price shares. The thirteenth session moved
    // dev-7j, dev-131a and dev-70i in from the test part (their blocked
    // clean drafts: 帮您做一份考前冲刺计划 read as forging a document,
    // 家里小店…进货成本 as a leak of our cost, and 宝宝们…说出答案 as exam
    // answers, all three now passed) and a question cue was narrowed (咨询
    // alone no question), which no longer hides pre-existing words: 4. The
    // fourteenth session moved dev-136l in (its refund account read back,
    // now a listener's own: 您给的…，麻烦您再核对一遍) and allowed 墙上挂证书
    // (dev-124n's certificates hung on a wall, read as 挂证): 3.
    clean_blocked: 3,
};

const TEST_FLOOR: Floor = Floor {
    right: 0.93,
    clean_alarm_rate: 0.025,
    // As shipped since the eleventh session's evasion pass, which
    // moved blind-126r to development (its quote change was chosen
    // having seen a draft of it), added batch 135 (two files, first
    // opened at 654ab90: none of 223 clean drafts blocked) and
    // retrained the model: blind-7j 1, blind-131a 1 (2; blind-70i 1
    // and blind-7j 1 before the retraining).
    // Since round sixty-nine: blind-7j 1, blind-70i 1, blind-126r 1 (3).
    // Since batches 129–132: blind-7j 1, blind-70i 1, blind-129w 2,
    // blind-130z 1, blind-131a 1 (6; the eight files, decided test before
    // writing on ordinary themes to replace the sixteen round sixty-eight
    // moved, block 3 with c3f2c1f's rules and model). After round
    // sixty-eight, before them: blind-7j 1, blind-70i 1 (2). Before it, since
    // the hit lane: blind-17f 1, blind-60o 2, blind-78y 1, blind-80c 1,
    // blind-86p 1, blind-88t 1, blind-92a 1, blind-97l 1, blind-104y 1,
    // blind-111m 1, blind-116w 1, blind-118a 1, blind-118b 1, blind-120f 1,
    // blind-124n 1, blind-125p 1 (17). Before the lane: blind-7j 1, blind-17f
    // 1, blind-51x 2, blind-60o 2, blind-70i 1, blind-74r 1, blind-78y 1,
    // blind-80c 1, blind-82h 1, blind-86p 1, blind-88t 1, blind-90x 1,
    // blind-92a 1, blind-97l 1, blind-100r 1, blind-104y 6, blind-104z 1,
    // blind-111m 1, blind-114s 1, blind-116w 1, blind-118a 4, blind-118b 1,
    // blind-120f 1, blind-122i 1, blind-122j 1, blind-123l 2, blind-124n 1
    // (38) (unchanged by `report::DOUBT_BESIDE`; batches 51, 60, 66, 70, 74,
    // 78, 80, 82, 86, 88, 90, 92, 94, 95, 97, 100, 102, 104, 107, 109, 111,
    // 113, 114, 116, 118, 120, 122, 123, 124, 125 and 126 were opened after
    // the round that moved the files below; batches 52, 54, 56, 58, 62, 64,
    // 68, 72, 76, 81, 84, 95, 102, 109, 113 and 126 have none as shipped).
    // The rules alone block 102 (17 before batch 60, 21 before batch 66, 24
    // before batch 70, 30 before batch 74, 33 before round forty-four, whose
    // `question-not-in` blocks a work-group draft of blind-51w: a question no
    // longer clears exam fraud in the work group, decided on development,
    // where it found 28 violations and flagged no clean draft; 34 before
    // batch 78, 36 before batch 80, 37 before round forty-six, whose cues
    // from development's batch 79 cleared one of blind-8k's, 36 before
    // batches 81 and 82: 81f's two are doubted by the model; 40 before batch
    // 86, whose 86o's two are doubted; 44 before batch 88, whose 88s's is
    // doubted; 46 before batch 90, 47 before batch 92, 48 before round
    // fifty-two, whose report cue 一般怎么回 cleared one of blind-51w's (47), and
    // 48 with batch 94, 51 with batch 95, whose 95g's two are doubted, 52
    // with batch 97, 54 with batch 100, whose 100q's is doubted, 56 with
    // batch 102, whose 102v's two are doubted, 55 after round fifty-seven, 65
    // with batch 104, 63 with `stance::OWNER_REACH` at 180, 68 with batch
    // 107, 67 after round fifty-nine, 65 with negation's topic markers, 72
    // with batch 109 and after round sixty, 71 with negation's `after` words
    // in the hit's sentence, 73 with batch 111 and after round sixty-one and
    // with batch 113, 71 after round sixty-two, 67 after round sixty-three,
    // which moved 107f and 109j to development and added batch 114, 71 with
    // batch 116 and after round sixty-four, 78 with batch 118 and after round
    // sixty-five, 81 with batch 120 and after round sixty-six, 83 with batch
    // 122, 88 with batch 123, 87 after round sixty-seven, whose words from
    // development's batch 124m cleared one of blind-51w's, 89 with batch
    // 124n, 98 with batch 125, 102 with batch 126); the learned model doubts
    // some (revise, see `report::DOUBT`), and which ones moves by one or two
    // with each retraining: rounds thirty-four to forty-three and forty-five
    // changed no clean draft's verdict by rules, and the count went 8 → 9 →
    // 10 → 11 → 9 (+2 of batch 60) → 9 (+2) → 9 (+2) → 10 (+2) → 9 (+2) → 9
    // (+2) → 9 (+2) → 9 (+2, +1 of batch 74) by retraining alone; round
    // forty-two's model (800 n-grams kept per clause instead of 400) doubts
    // blind-8k's block and not blind-2's, round forty-three's blind-2's and
    // not blind-49t's, round forty-four's neither, round forty-five's
    // blind-49t's again. Round forty-eight raised `DOUBT` from 0.2 to 0.35
    // (chosen on development's first-opened batches): with round
    // forty-seven's model that took 19 to 13, and its own retraining (batches
    // 83 and 85 joined development; the rules changed no test draft's block)
    // brought three back, 16, plus 86p's one; round forty-nine changed none,
    // plus 88t's one; round fifty changed none, plus 90x's one; round
    // fifty-one none, plus 92a's one; round fifty-two's cue cleared one of
    // blind-51w's and its retraining doubts blind-88t's, plus 94e's one;
    // round fifty-three none, plus 95h's one; round fifty-four none, plus
    // 97l's one; `DOUBT_BESIDE` and round fifty-five none, plus 100r's one;
    // round fifty-six's retraining doubts blind-43g's, and batch 102 adds
    // none; round fifty-seven none, and batch 104, aimed at the line between
    // an offer or a leak and a warning about it, adds 8;
    // `stance::OWNER_REACH` 120 → 180 (chosen on development) spares three,
    // blind-70i's, blind-74r's and blind-94e's; round fifty-eight's
    // retraining (aimed batch 105 joined development) no longer doubts
    // blind-74r's and blind-88t's; batch 107 adds 3 (107f's, aimed like 104);
    // round fifty-nine's cues clear blind-66b's and its retraining (aimed
    // batch 106 joined development) doubts blind-74r's and one more of
    // blind-104y's, and no longer one of blind-107f's; negation's topic
    // markers (代考这个肯定不行, chosen on development's first openings) clear one
    // each of blind-104z's and blind-107f's; batch 109 adds 2 (109j's,
    // aimed); round sixty's retraining (aimed batch 108 joined development)
    // no longer doubts one of blind-104y's; batch 111 adds 1 (111m's); round
    // sixty-one's retraining (aimed batch 110 joined development) doubts
    // blind-95h's and one more of blind-104y's; batch 113 adds none; round
    // sixty-two's allow words clear two of blind-70j's blocks by rules (the
    // model had doubted them), and its retraining no longer doubts one more
    // of blind-104y's and one of blind-109i's; round sixty-three reads ASCII
    // ' as a quotation mark (a block inside one is reported at revise),
    // noticed on a draft each of blind-107f and blind-109j, so both files
    // moved to development (their blocks: 3 and 2), and batch 114, written to
    // replace them, adds 1 (114s's); its retraining doubts blind-109i's and
    // blind-88t's; batch 116 adds 2 (116w's and 116x's); round sixty-four's
    // rules change no test draft, and its retraining (batch 117 joined
    // development) no longer doubts blind-74r's and blind-88t's; batch 118
    // adds 5 (118a's 4, aimed, and 118b's 1), and round sixty-five changes
    // none; batch 120 adds 1 (120f's), and round sixty-six's retraining no
    // longer doubts blind-95h's; a consent in a closing note changes none,
    // batch 122 adds 2 (122i's and 122j's), and batch 123, scored after a
    // change that leaves every report as it was (`cargo xtask
    // report-digest`), adds 2 (123l's, aimed); round sixty-seven's words
    // clear blind-51w's by the rules, and its retraining (aimed batch 124m
    // joined development) doubts blind-95h's and blind-116x's, and batch
    // 124n, aimed at the same line as 124m and scored once after the round,
    // adds 1; the model's hit lane (`learned::HIT_LANE`, read on the hits of
    // rules whose tone stances clear them, its bar `report::HIT_DOUBT` chosen
    // on development's first openings, where a lane trained without them
    // spared 19 of their 38 blocked clean drafts for 43 of 2,693 blocked
    // violations) reads 22 of the 38 as mentions and reports them at revise,
    // and 88 of the test part's 4,299 blocked violations with them, which
    // stay right (a first version that read every block rule's hits, phone
    // numbers too, was measured on the test part once before it: 13 and 198);
    // batch 125, written after the lane and aimed in its half 125p at offers
    // against mentions, adds 1 (125p's; 3 without the lane, 9 by the rules
    // alone), and batch 126, written after it too, none (3 without the lane,
    // 4 by the rules alone); round sixty-eight tuned on development batches
    // 127 and 128, whose themes quoted the test part's 17, so the sixteen
    // files that held them moved to development (17 → 0), and its retraining
    // no longer doubts blind-7j's and blind-70i's (both sentences sit at the
    // hit lane's bar: the same two came back when the lane kept 2,000
    // n-grams, DESIGN.md); batches 129–132 add 4 (13 by the rules alone);
    // round sixty-nine tuned on three drafts of 129w and 130z read after
    // their scoring (提成绩, 菠菜 in a list of vegetables, a tutor's 答案…发你), so
    // both files moved to development (their 3), and its retraining doubts
    // blind-131a's and no longer blind-126r's (three sentences, 7j's, 70i's
    // and 126r's, sit at the hit lane's bar and move with each retraining);
    // batches 133 and 134, written to replace 129w and 130z, add none (4 by
    // the rules alone) (see "Clean drafts blocked, round by round" in
    // tests/corpus/README.md). Batches 3, 4, 6, 9, 10, 13, 14, 16, 18, 19,
    // 21–29, 31, 33, 35, 37, 39, 44, 46, 48, 50, 53, 55, 57, 59, 61, 63, 65,
    // 67, 69, 71, 73, 75, 77, 79, 83, 85, 87, 89, 91, 93, 96, 98, 99, 101,
    // 103, 105, 106, 108, 110, 112, 115, 117, 119 and 121, the half 124m, and
    // batches 127 and 128 (decided development before writing), were scored
    // once and moved to development; batch 1 and the files 11r, 11s, 12u,
    // 15b, 20k, 30g, 32k, 32l, 38w, 38x and 47p moved there on Nov 30, after
    // rules were tuned on drafts in them, 107f and 109j in round sixty-three,
    // 17f, 60o, 78y, 80c, 86p, 88t, 92a, 97l, 104y, 111m, 116w, 118a, 118b,
    // 120f, 124n and 125p in round sixty-eight, 129w and 130z in round
    // sixty-nine, and 126r with the eleventh session's evasion pass (the
    // README says which). The thirteenth session moved blind-7j, blind-131a
    // and blind-70i (the last one blocked after that session's retraining)
    // to development and tuned on their three blocked clean drafts: 0 of
    // 24,903. Its fresh batches 136 and 137 (three files, decided test
    // before writing on ordinary themes, first opened after the session's
    // tuning) add 1: blind-136l's refund account read back to the customer
    // to check (您给的退费账户是 6222…，麻烦您再核对一遍), whose 您给的 no
    // listener cue holds (1 with the rules alone in 136l, 1 in 137m). The
    // fourteenth session tuned on it (您给的 a listener's cue, 核对一遍 after
    // the number) and moved blind-136l to development: 0 of 25,383; its fresh
    // batches 138n, 138o and 139p (decided test before writing, first opened
    // after the session's tuning) add none: 0 of 26,103. `:` as a digit
    // separator, tried on evasion battery 8, blocked one of blind-5e's;
    // dropped, and blind-5e moved to development for it (unread), replaced
    // by batch 140 (none blocked): 0 of 26,093.
    clean_blocked: 0,
};

fn check_floor(name: &str, card: &Scorecard, floor: &Floor) -> Vec<String> {
    let mut failures = Vec::new();
    if card.rate() < floor.right {
        failures.push(format!(
            "{name}: {:.1}% right, below the floor {:.1}%",
            card.rate() * 100.0,
            floor.right * 100.0
        ));
    }
    if card.clean_alarm_rate() > floor.clean_alarm_rate {
        failures.push(format!(
            "{name}: {:.1}% of clean drafts at revise or worse, above {:.1}%",
            card.clean_alarm_rate() * 100.0,
            floor.clean_alarm_rate * 100.0
        ));
    }
    if card.clean_blocked > floor.clean_blocked {
        failures.push(format!(
            "{name}: {} clean drafts blocked, above {}",
            card.clean_blocked, floor.clean_blocked
        ));
    }
    failures
}

#[test]
fn corpus_accuracy() {
    let rules = common::shipped_rules();
    let show_dev = std::env::var("WXCHECK_CORPUS_SHOW").is_ok_and(|v| v == "dev");
    let dev = common::corpus();
    let test = common::test_corpus();
    assert!(
        dev.len() >= 1_000,
        "development part has only {}",
        dev.len()
    );
    assert!(test.len() >= 300, "test part has only {}", test.len());
    let dev_card = score(&rules, &dev, show_dev);
    let test_card = score(&rules, &test, false);
    print("development part (tuned against)", &dev_card);
    print("test part (blind, frozen)", &test_card);
    // Each blind batch on its own: a later batch was written after the rules
    // of the earlier ones were tuned, so it is the most honest figure.
    let files: BTreeSet<&str> = test.iter().map(|(f, _)| f.as_str()).collect();
    let alone = common::rules();
    for file in files {
        let batch: Vec<(String, Draft)> = test.iter().filter(|(f, _)| f == file).cloned().collect();
        for (name, set) in [("rules alone", &alone), ("as shipped", &rules)] {
            let card = score(set, &batch, false);
            println!(
                "test batch {file} ({} drafts, {} clean), {name}: {:.1}% right; clean blocked {}, at revise or worse {} ({:.1}%), with any finding {}",
                card.drafts,
                card.clean,
                card.rate() * 100.0,
                card.clean_blocked,
                card.clean_revise_or_worse,
                card.clean_alarm_rate() * 100.0,
                card.clean_any_finding
            );
        }
    }
    if rules.learned().is_some() {
        // The learned second opinion is kept only if it earns its place:
        // the same parts scored by the rules alone, side by side.
        for (name, part, with) in [
            ("development", &dev, &dev_card),
            ("test", &test, &test_card),
        ] {
            let card = score(&alone, part, false);
            println!(
                "{name}: rules alone {:.1}% right, clean with any finding {}; with the learned model {:.1}% right, clean with any finding {}",
                card.rate() * 100.0,
                card.clean_any_finding,
                with.rate() * 100.0,
                with.clean_any_finding
            );
        }
    }
    println!(
        "\ngoals (issue 10, test part): ≥ 90% right, recall ≥ 0.85 per clause with ≥ 10 drafts, 0 clean blocked, ≤ 3% clean at revise or worse"
    );

    for (name, part) in [("development", &dev), ("test", &test)] {
        let contexts: BTreeSet<_> = part.iter().map(|(_, d)| d.context).collect();
        assert_eq!(
            contexts.len(),
            wxcheck::Context::ALL.len(),
            "{name}: every context must be in the corpus"
        );
    }
    let mut failures = check_floor("development", &dev_card, &DEV_FLOOR);
    failures.extend(check_floor("test", &test_card, &TEST_FLOOR));
    // The clauses the rules covered before this corpus grew keep their recall.
    for c in ["2.2.1", "3.1.1", "3.3.1", "3.3.3"] {
        if dev_card.recall(c).is_some_and(|r| r < 0.6) {
            failures.push(format!("development: recall of {c} below 0.6"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
