//! An optional learned second opinion: per clause, a logistic model over the
//! character n-grams of the folded draft, trained by `cargo xtask train-model`
//! on the development corpus and shipped with the rules (`book/rules/learned.json`).
//!
//! Why: the rules catch what can be named (words, concepts, validators), and
//! blind drafts keep finding new wordings of the same ideas (考不上全额退费,
//! 上不了岸全退). A small linear model over n-grams generalises to some of them.
//! It never decides on its own: a clause it finds that the rules did not is
//! reported at `advice` ("可能涉及"), so it can never raise a verdict above
//! advice, and it stays silent on clauses the rules already found.
//!
//! Features: every n-gram (orders from the model, normally 1–3 characters) of
//! the folded text ([`crate::normalize`]), counted, divided by the square root
//! of the number of n-grams; plus a bias per clause and per context. Only the
//! n-grams with the largest weights are kept, so the model is small enough for
//! the page. Binary features (each distinct n-gram once) were tried first: as
//! accurate, but deduplicating cost more than the whole rule pass on long drafts.
//!
//! Training is full-batch gradient descent with AdaGrad on the L2-regularised,
//! class-balanced log loss: deterministic (a fixed order, no randomness), a few
//! seconds for the whole corpus, and 100 lines rather than a linear-algebra
//! dependency tree (`linfa` pulls `ndarray` and `argmin`) for one model shape.

use crate::Context;
use crate::stance::Ends;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `rule` of the findings the model adds; no rules file may use it.
pub const RULE_ID: &str = "learned";

/// The one lane of the model that is no clause: trained on the sentences
/// around the hits of `block` rules with their stances left out (see
/// `RuleSet::block_sentences`), 1 where the draft breaks the hit's clause
/// and 0 where the draft is clean (a warning, a refusal, a report, a
/// question that names the banned thing). The check reads it on the
/// sentences of a `block` finding the other doubts kept (`report::HIT_DOUBT`):
/// the clause lanes read the whole draft for a clause, this one reads one
/// sentence for "offer or mention", which is what the stance cues are for and
/// what they miss in words nobody listed. Never an opinion of its own.
pub const HIT_LANE: &str = "hit";

/// The lanes named with this prefix and a clause (`evasion:3.1.1`) are the
/// clause's lane trained on the development evasion batteries as well
/// (`cargo xtask train-model`): written to dodge a filter, a payload looks
/// unlike the corpus's drafts of its clause, and a clause lane trained on
/// both moved the clause lanes' reading of ordinary drafts (DESIGN.md, "The
/// learned model and the evasion batteries"). Kept apart, such a lane only
/// adds an opinion on its clause where the clause's own lane gave none; the
/// clause lanes, the doubts and the hit lane never read it.
pub const EVASION_PREFIX: &str = "evasion:";

/// The probability at or above which an [`EVASION_PREFIX`] lane gives an
/// opinion; above the model's own threshold (0.7, `cargo xtask
/// train-model`), since these lanes read ordinary drafts more loosely.
/// Chosen with the lanes trained on evasion batteries 1–5, over battery 6
/// and development (DESIGN.md, "The learned model and the evasion
/// batteries"): at 0.7, 25 of battery 6's 329 through as shipped and 134
/// more clean development drafts given advice; at 0.75, 30 and 67; at 0.8,
/// 32 and 21; at 0.9, 36 and 1 (no lanes: 36).
pub const EVASION_THRESHOLD: f32 = 0.8;

/// The clause a lane reports: its own name, or the clause of an
/// [`EVASION_PREFIX`] lane; `None` for the [`HIT_LANE`], which reports none.
pub fn reported_clause(lane: &str) -> Option<&str> {
    (lane != HIT_LANE).then(|| lane.strip_prefix(EVASION_PREFIX).unwrap_or(lane))
}

/// The model's file name, beside the rules files.
pub const FILE_NAME: &str = "learned.json";

/// The serialised model (`book/rules/learned.json`, and inside the rules JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedModel {
    /// How it was made (`cargo xtask train-model`, corpus size); shown to no one.
    pub note: String,
    /// n-gram orders, e.g. `[1, 2, 3]`.
    pub orders: Vec<usize>,
    /// Probability, in thousandths, at or above which a clause is reported.
    pub threshold: i32,
    pub clauses: Vec<LearnedClause>,
    /// n-gram → flat pairs `[clause index, weight, clause index, weight, …]`.
    pub grams: BTreeMap<String, Vec<i32>>,
}

/// Weights, biases and the threshold are stored in thousandths, as integers:
/// three decimals are plenty, and without a float in the JSON serde_json's
/// float parser stays out of the wasm (about 10 KB gzip).
const SCALE: f32 = 1000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedClause {
    /// The clause id, e.g. `3.1.1`.
    pub clause: String,
    /// In thousandths.
    pub bias: i32,
    /// Added to `bias` per context, in [`Context::ALL`] order; thousandths.
    pub context_bias: Vec<i32>,
}

/// Weight rows are padded to a multiple of this many clauses.
const LANES: usize = 8;

/// [`LANES`] weights of a row, aligned as a vector of them is: the native
/// row adds then read them with aligned loads the compiler folds into the
/// adds (`addps xmm, [mem]`), where the unaligned `f32` rows needed a
/// separate load, and a register copy, for each half vector.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
struct Lanes([f32; LANES]);

/// A packed n-gram: up to three characters of 21 bits each, and the order.
type GramKey = u64;

fn pack(chars: &[char]) -> GramKey {
    chars
        .iter()
        .fold(chars.len() as u64, |k, &c| (k << 21) | u64::from(c))
}

/// The model, ready to score: n-grams packed into integer keys.
#[derive(Clone, Debug)]
pub struct Learned {
    model: LearnedModel,
    /// Packed n-gram → its row of `rows` (0, the zero row, for none).
    index: GramIndex,
    /// One row of weights per n-gram, one weight per clause (zeros where the
    /// clause does not weigh it), padded with zeros to `stride`, a multiple
    /// of [`LANES`]: adding a dense row is a loop the compiler vectorises,
    /// where walking sparse pairs cost a branch per pair. Row 0 is all
    /// zeros and stands for "no weighted n-gram": adding it changes no sum
    /// (`x + 0.0 == x` to the bit for every `x` but -0.0, and a sum that
    /// starts at +0.0 never becomes -0.0 by adding weights that are not
    /// -0.0), so the loop for orders `[1, 2]` adds a row for every n-gram
    /// without a branch on whether it has one. Stored as [`Lanes`],
    /// `stride / LANES` to a row.
    rows: Vec<Lanes>,
    stride: usize,
    /// One bit per Basic Multilingual Plane character: does any weighted
    /// n-gram start with it? Most n-grams of a draft start with a character
    /// no weighted one does, and a bit test is far cheaper than hashing.
    starts: Vec<u64>,
    /// The same for the last character of the weighted n-grams of two or
    /// three characters. Both are tested by the general loop (the wasm's,
    /// and any orders but `[1, 2]`); the native `[1, 2]` loop looks every
    /// bigram up, since nine in ten of a real draft's passed both tests.
    ends: Vec<u64>,
    /// Single BMP characters' rows, indexed by the character (0, the zero
    /// row, for none): unigrams are half the lookups and most of the hits, and a
    /// direct table (128 KB) beats hashing them.
    unigrams: Vec<u16>,
    /// Log-odds below which a clause's probability is certainly under the
    /// threshold ([`below_threshold`]).
    below_threshold: f32,
    /// Per context, each clause's bias and context bias as the sigmoid's
    /// argument starts (`(bias + context_bias) as f32 / SCALE`, computed
    /// once rather than per check), `bias[context * clauses + k]`.
    bias: Vec<f32>,
    /// Each clause's [`clause_key`], in the model's clause order.
    #[cfg(not(target_arch = "wasm32"))]
    clause_keys: Vec<Option<u64>>,
    /// The index of the [`HIT_LANE`] among the model's clauses, if trained.
    hit: Option<usize>,
}

#[cfg(not(target_arch = "wasm32"))]
/// A clause id of at most 7 bytes as one integer: its length, then its
/// bytes (distinct ids, distinct keys: ids of each length fill a range of
/// their own); `None` for a longer id.
fn clause_key(clause: &str) -> Option<u64> {
    let b = clause.as_bytes();
    (b.len() < 8).then(|| {
        b.iter()
            .fold(b.len() as u64, |k, &x| (k << 8) | u64::from(x))
    })
}

/// One clause the model reports: which, how sure, and where it leans most.
#[derive(Clone, Debug, PartialEq)]
pub struct Opinion {
    pub clause: String,
    pub probability: f32,
    /// Byte range of the folded text: the sentence that weighs most.
    pub start: usize,
    pub end: usize,
}

impl Learned {
    /// Checks the model's shape and builds the lookup index. Errors are
    /// Chinese and name the part that is wrong.
    pub fn new(model: LearnedModel) -> Result<Learned, String> {
        if model.orders.is_empty() || model.orders.iter().any(|&n| !(1..=3).contains(&n)) {
            return Err(format!("n 元组长度 {:?} 无效：只能取 1 到 3", model.orders));
        }
        if !(500..1000).contains(&model.threshold) {
            return Err(format!(
                "阈值 {}‰ 无效：须在 500‰ 到 1000‰ 之间",
                model.threshold
            ));
        }
        for c in &model.clauses {
            if c.context_bias.len() != Context::ALL.len() {
                return Err(format!("条款 {} 的场景偏置个数不对", c.clause));
            }
        }
        let width = model.clauses.len();
        let mut keyed: Vec<(GramKey, u32)> = Vec::new();
        let stride = width.next_multiple_of(LANES);
        let mut rows = vec![Lanes::default(); (model.grams.len() + 1) * stride / LANES];
        let mut starts = vec![0u64; 0x10000 / 64];
        let mut ends = vec![0u64; 0x10000 / 64];
        let mut unigrams = vec![0u16; 0x10000];
        for (row, (gram, pairs)) in (1..).zip(&model.grams) {
            let chars: Vec<char> = gram.chars().collect();
            if !model.orders.contains(&chars.len()) || pairs.len() % 2 != 0 {
                return Err(format!("n 元组 `{gram}` 的长度或权重个数不对"));
            }
            for pair in pairs.chunks(2) {
                let k = usize::try_from(pair[0]).ok().filter(|&k| k < width);
                let Some(k) = k else {
                    return Err(format!("n 元组 `{gram}` 指向不存在的条款序号 {}", pair[0]));
                };
                rows[(row * stride + k) / LANES].0[k % LANES] = pair[1] as f32 / SCALE;
            }
            match (chars.as_slice(), u16::try_from(row)) {
                ([c], Ok(slot)) if (*c as usize) < unigrams.len() => unigrams[*c as usize] = slot,
                _ => {
                    keyed.push((pack(&chars), row as u32));
                    mark_start(&mut ends, chars[chars.len() - 1]);
                }
            }
            mark_start(&mut starts, chars[0]);
        }
        let bias = (0..Context::ALL.len())
            .flat_map(|ctx| {
                model
                    .clauses
                    .iter()
                    .map(move |c| (c.bias + c.context_bias[ctx]) as f32 / SCALE)
            })
            .collect();
        Ok(Learned {
            bias,
            #[cfg(not(target_arch = "wasm32"))]
            clause_keys: model
                .clauses
                .iter()
                .map(|c| clause_key(&c.clause))
                .collect(),
            below_threshold: below_threshold(model.threshold),
            hit: model.clauses.iter().position(|c| c.clause == HIT_LANE),
            model,
            index: GramIndex::new(&keyed),
            rows,
            stride,
            starts,
            ends,
            unigrams,
        })
    }

    pub fn model(&self) -> &LearnedModel {
        &self.model
    }

    /// The [`HIT_LANE`]'s index, if the model has one.
    pub(crate) fn hit_lane(&self) -> Option<usize> {
        self.hit
    }

    /// The rows of [`Learned::each_weight`] for orders `[1, 2]` (the
    /// shipped model), in the same order (per character its unigram, then
    /// the bigram it ends), plus the zero row (see `rows`) wherever an
    /// n-gram has none, which adds nothing; returns the number of n-grams.
    /// Hands out row numbers: the caller, which knows the row width as a
    /// constant, slices them.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn each_row_1_2(&self, text: &str, mut each: impl FnMut(usize)) -> usize {
        let mut chars = 0usize;
        let mut prev: Option<char> = None;
        for ch in text.chars() {
            chars += 1;
            let unigram = match self.unigrams.get(ch as usize) {
                Some(&slot) => usize::from(slot),
                // Beyond the BMP: no slot, look it up.
                None => self.index.get((1 << 21) | u64::from(ch)) as usize,
            };
            // No `starts`/`ends` test first: nine in ten bigrams pass both,
            // and a miss in the index costs about what the two tests do.
            let bigram = match prev {
                Some(p) => {
                    let key = (((2 << 21) | u64::from(p)) << 21) | u64::from(ch);
                    self.index.get(key) as usize
                }
                None => 0,
            };
            prev = Some(ch);
            for slot in [unigram, bigram] {
                each(slot);
            }
        }
        // A unigram per character, a bigram per character but the first.
        (2 * chars).saturating_sub(1)
    }

    /// Calls `each(row)` with the weight row (one weight per clause, in
    /// [`Lanes`]) of every weighted n-gram of `text`, and returns how many
    /// n-grams it has. One pass over the characters, keeping the last few
    /// packed keys (no `Vec<char>`).
    fn each_weight(&self, text: &str, mut each: impl FnMut(&[Lanes])) -> usize {
        let width = self.stride / LANES;
        let mut total = 0;
        // window[n - 1]: the key of the n-gram ending at the current character.
        let mut window = [0u64; 3];
        // last[i]: the character i places back (0: the current one).
        let mut last = ['\0'; 3];
        let mut seen = 0usize;
        for ch in text.chars() {
            seen += 1;
            last = [ch, last[0], last[1]];
            let c = u64::from(ch);
            window[2] = (window[1] << 21) | c;
            window[1] = (window[0] << 21) | c;
            window[0] = c;
            for &n in &self.model.orders {
                if seen < n {
                    continue;
                }
                total += 1;
                // A BMP character's own slot says all (no `starts` bit: no
                // slot either).
                if n == 1
                    && let Some(&slot) = self.unigrams.get(ch as usize)
                {
                    if slot != 0 {
                        let row = usize::from(slot) * width;
                        each(&self.rows[row..row + width]);
                    }
                    continue;
                }
                if !may_start(&self.starts, last[n - 1]) {
                    continue;
                }
                if !may_start(&self.ends, ch) {
                    continue;
                }
                // The order is in the top bits, as `pack` puts it.
                let key = window[n - 1] | ((n as u64) << (21 * n));
                let row = self.index.get(key);
                if row != 0 {
                    let row = row as usize * width;
                    each(&self.rows[row..row + width]);
                }
            }
        }
        total
    }

    /// The weights of a folded draft's n-grams, summed per sentence and
    /// clause (`sums[sentence * clauses + k]`), with the sentences and the
    /// number of n-grams. n-grams never cross a sentence end, in training
    /// as here, so one pass gives both the draft's score and where it leans.
    fn weigh(
        &self,
        folded: &str,
        sentences: Vec<(usize, usize)>,
    ) -> (Vec<(usize, usize)>, Vec<f32>, usize) {
        let width = self.model.clauses.len();
        let mut sums = crate::pool::take();
        sums.reserve(sentences.len() * width);
        let total = match self.stride / LANES {
            // Not in the wasm: four more copies of the loop were 1.7 KB
            // gzipped of a tight budget there.
            #[cfg(not(target_arch = "wasm32"))]
            1 => self.weigh_in_registers::<1>(folded, &sentences, &mut sums),
            #[cfg(not(target_arch = "wasm32"))]
            2 => self.weigh_in_registers::<2>(folded, &sentences, &mut sums),
            #[cfg(not(target_arch = "wasm32"))]
            3 => self.weigh_in_registers::<3>(folded, &sentences, &mut sums),
            #[cfg(not(target_arch = "wasm32"))]
            4 => self.weigh_in_registers::<4>(folded, &sentences, &mut sums),
            _ => self.weigh_in_memory(folded, &sentences, &mut sums),
        };
        (sentences, sums, total)
    }

    /// [`Learned::weigh`]'s sums for any number of clauses, added into
    /// `sums` (empty on entry) in memory.
    fn weigh_in_memory(
        &self,
        folded: &str,
        sentences: &[(usize, usize)],
        sums: &mut Vec<f32>,
    ) -> usize {
        let width = self.model.clauses.len();
        sums.resize(sentences.len() * width, 0f32);
        let mut total = 0;
        for (s, &(start, end)) in sentences.iter().enumerate() {
            let own = &mut sums[s * width..(s + 1) * width];
            total += self.each_weight(&folded[start..end], |row| {
                for (sum, w) in own.iter_mut().zip(row.iter().flat_map(|lanes| &lanes.0)) {
                    *sum += w;
                }
            });
        }
        total
    }

    /// [`Learned::weigh`]'s sums for up to `N` × [`LANES`] clauses, each
    /// sentence's kept in a local array the compiler holds in registers:
    /// summed into memory, every row waited for the store of the one before.
    /// The same additions in the same order, so the same bits. The sums are
    /// `wide::f32x8` vectors (lane-wise adds, as the scalar ones): with plain
    /// arrays the compiler kept them in registers but stored four of the six
    /// halves back to the stack after every row (fifth pass in DESIGN.md);
    /// SSE intrinsics would need `unsafe`, which the workspace forbids.
    #[cfg(not(target_arch = "wasm32"))]
    fn weigh_in_registers<const N: usize>(
        &self,
        folded: &str,
        sentences: &[(usize, usize)],
        sums: &mut Vec<f32>,
    ) -> usize {
        let width = self.model.clauses.len();
        let mut total = 0;
        let one_two = self.model.orders == [1, 2];
        // `N` vectors of `LANES` weights to a row (`stride` is `N ×
        // LANES`): a row is then one array of `N` vectors, found with one
        // bounds check (a slice `slot * N..(slot + 1) * N` took two, and
        // two multiplies) and no test of how many vectors it has.
        let (rows, _) = self.rows.as_chunks::<N>();
        for &(start, end) in sentences {
            let mut acc = [wide::f32x8::ZERO; N];
            let sentence = &folded[start..end];
            total += if one_two {
                self.each_row_1_2(sentence, |slot| {
                    for (lanes, w) in acc.iter_mut().zip(&rows[slot]) {
                        *lanes += wide::f32x8::from(w.0);
                    }
                })
            } else {
                self.each_weight(sentence, |row| {
                    for (lanes, w) in acc.iter_mut().zip(row) {
                        *lanes += wide::f32x8::from(w.0);
                    }
                })
            };
            let acc = acc.map(|lanes| lanes.to_array());
            // Appended, not written over zeros: `weigh` leaves `sums` empty.
            sums.extend_from_slice(&acc.as_flattened()[..width]);
        }
        total
    }

    /// Each clause's log-odds (the sigmoid's argument) from the
    /// per-sentence sums. The sentences' sums are added clause by clause in
    /// sentence order, as a strided `sum()` per clause did, starting from
    /// -0.0 (the neutral element of `f32` addition, as `sum()` starts): the
    /// same additions in the same order, so the same bits, in one pass over
    /// the sums instead of one per clause.
    fn logits_of(&self, sums: &[f32], total: usize, context: Context) -> Vec<f32> {
        let width = self.model.clauses.len();
        let scale = 1.0 / (total.max(1) as f32).sqrt();
        let ctx = context_index(context);
        let mut totals = crate::pool::take();
        totals.resize(width, -0.0f32);
        for row in sums.chunks_exact(width) {
            for (t, s) in totals.iter_mut().zip(row) {
                *t += s;
            }
        }
        let bias = &self.bias[ctx * width..(ctx + 1) * width];
        for (t, b) in totals.iter_mut().zip(bias) {
            *t = b + *t * scale;
        }
        totals
    }

    /// The probability of each clause for a folded draft.
    pub fn probabilities(&self, folded: &str, context: Context) -> Vec<f32> {
        let (_, sums, total) = self.weigh(folded, sentences_of(folded));
        self.logits_of(&sums, total, context)
            .into_iter()
            .map(sigmoid)
            .collect()
    }

    /// The clauses the model reports for a folded draft, skipping those
    /// `known` says the rules found already. Each points at the sentence
    /// whose n-grams weigh most for it (without end mark or spaces).
    pub fn opinions(
        &self,
        folded: &str,
        context: Context,
        known: impl Fn(&str) -> bool,
    ) -> Vec<Opinion> {
        self.read(folded, sentences_of(folded), context)
            .opinions(known)
    }

    /// Weighs a folded draft whose sentences are known ([`sentences`]).
    pub(crate) fn read(
        &self,
        folded: &str,
        sentences: Vec<(usize, usize)>,
        context: Context,
    ) -> Reading<'_> {
        let (sentences, sums, total) = self.weigh(folded, sentences);
        let logits = self.logits_of(&sums, total, context);
        Reading {
            learned: self,
            context,
            sentences,
            sums,
            logits,
        }
    }

    /// The position of `clause` in the model's clause order, if the model
    /// has learned it. Called for every finding a doubt may lower: clause
    /// ids (`3.1.1`) are compared as packed integers ([`clause_key`]), where
    /// comparing strings called `memcmp` for each of the 24 clauses.
    pub(crate) fn clause_index(&self, clause: &str) -> Option<usize> {
        // Not in the wasm, for its size.
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(key) = clause_key(clause) {
            return self.clause_keys.iter().position(|&k| k == Some(key));
        }
        self.model.clauses.iter().position(|c| c.clause == clause)
    }

    /// How many n-grams a sentence of `chars` characters has (as counted
    /// while weighing it: n-grams never cross a sentence end).
    fn grams_in(&self, chars: usize) -> usize {
        self.model
            .orders
            .iter()
            .map(|&n| (chars + 1).saturating_sub(n))
            .sum()
    }
}

/// One draft as the model read it: its sentences, their sums and every
/// clause's log-odds for the whole draft (in the model's clause order, see
/// [`Learned::clause_index`]).
pub(crate) struct Reading<'a> {
    learned: &'a Learned,
    context: Context,
    /// Byte ranges of the folded draft.
    pub sentences: Vec<(usize, usize)>,
    /// `sums[sentence * clauses + k]`.
    sums: Vec<f32>,
    logits: Vec<f32>,
}

/// Its vectors go back to the pool ([`crate::pool`]) for the next draft.
#[cfg(not(target_arch = "wasm32"))]
impl Drop for Reading<'_> {
    fn drop(&mut self) {
        crate::pool::give(std::mem::take(&mut self.sentences));
        crate::pool::give(std::mem::take(&mut self.sums));
        crate::pool::give(std::mem::take(&mut self.logits));
    }
}

impl Reading<'_> {
    /// Clause `k`'s probability for the whole draft.
    pub(crate) fn probability(&self, k: usize) -> f32 {
        sigmoid(self.logits[k])
    }

    /// The clauses to report, skipping those `known` says the rules found.
    pub(crate) fn opinions(&self, known: impl Fn(&str) -> bool) -> Vec<Opinion> {
        let model = &self.learned.model;
        let width = model.clauses.len();
        let mut out = Vec::new();
        for (k, &z) in self.logits.iter().enumerate() {
            // Far below the threshold the probability cannot reach it: most
            // clauses of most drafts, each an `exp` spared.
            if z < self.learned.below_threshold {
                continue;
            }
            let lane = &model.clauses[k].clause;
            let Some(clause) = reported_clause(lane) else {
                continue;
            };
            let p = sigmoid(z);
            let bar = if lane.starts_with(EVASION_PREFIX) {
                EVASION_THRESHOLD
            } else {
                model.threshold as f32 / SCALE
            };
            if p < bar || known(clause) || out.iter().any(|o: &Opinion| o.clause == clause) {
                continue;
            }
            let heaviest = (0..self.sentences.len()).max_by(|&a, &b| {
                self.sums[a * width + k]
                    .total_cmp(&self.sums[b * width + k])
                    .then(b.cmp(&a))
            });
            let Some(s) = heaviest else { continue };
            let (start, end) = self.sentences[s];
            out.push(Opinion {
                clause: clause.to_string(),
                probability: p,
                start,
                end,
            });
        }
        out
    }

    /// Clause `k`'s probability for the sentences `first..=last` alone, as
    /// if they were the whole draft: a long draft dilutes one sentence's
    /// weight in the draft's probability, so a doubt must look at both.
    /// `folded` is the text the sentences are ranges of.
    pub(crate) fn probability_of_sentences(
        &self,
        folded: &str,
        k: usize,
        first: usize,
        last: usize,
    ) -> f32 {
        let width = self.learned.model.clauses.len();
        let grams: usize = self.sentences[first..=last]
            .iter()
            .map(|&(start, end)| {
                let chars = crate::normalize::count_chars(&folded.as_bytes()[start..end]);
                self.learned.grams_in(chars)
            })
            .sum();
        let sum: f32 = (first..=last).map(|s| self.sums[s * width + k]).sum();
        let bias = self.learned.bias[context_index(self.context) * width + k];
        sigmoid(bias + sum / (grams.max(1) as f32).sqrt())
    }
}

/// Byte ranges of the sentences of a folded draft, split at `marks` (its
/// sentence ends, [`crate::stance::Ends`]), without the end mark and
/// surrounding whitespace; empty sentences are left out.
pub(crate) fn sentences(folded: &str, marks: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = crate::pool::take();
    out.reserve(marks.len() + 1);
    let mut push = |from: usize, to: usize| {
        let s = &folded[from..to];
        // Natively, most sentences are known untrimmed from two bytes.
        if cfg!(not(target_arch = "wasm32")) && untrimmed(s.as_bytes()) {
            out.push((from, to));
            return;
        }
        let trimmed = s.trim();
        if !trimmed.is_empty() {
            let lead = s.len() - s.trim_start().len();
            out.push((from + lead, from + lead + trimmed.len()));
        }
    };
    let mut start = 0;
    for &(i, len) in marks {
        push(start, i);
        start = i + len;
    }
    push(start, folded.len());
    out
}

/// Whether `s` (valid UTF-8) certainly neither starts nor ends with
/// whitespace (`char::is_whitespace`), so `trim` would leave it as it is
/// and is not needed: it starts with a byte no whitespace character starts
/// with (whitespace is ASCII 0x09–0x0D and 0x20, or starts with 0xC2, 0xE1,
/// 0xE2 or 0xE3) and ends with an ASCII byte that is no whitespace or with a
/// character whose lead byte is 0xE4–0xE9 (U+4000–U+9FFF, all Han). Most
/// sentences end with a Han character: `trim` and `trim_start`, which
/// decode from both ends, were a fifth of the sentence split.
fn untrimmed(s: &[u8]) -> bool {
    let ws_lead = |b: u8| matches!(b, 0x09..=0x0D | 0x20 | 0xC2 | 0xE1..=0xE3);
    match (s.first(), s.last()) {
        (Some(&a), Some(&z)) if !ws_lead(a) => match z {
            0..0x80 => !ws_lead(z),
            _ => s.len() >= 3 && (0xE4..=0xE9).contains(&s[s.len() - 3]),
        },
        _ => false,
    }
}

/// [`sentences`] of a text whose ends are not known yet.
fn sentences_of(folded: &str) -> Vec<(usize, usize)> {
    sentences(folded, &Ends::new(folded.as_bytes()).sentence)
}

/// Packed n-gram → row: open addressing with linear probing over a table at
/// most half full (the shipped model's 3,049 keys: 8,192 slots, 64 KB of
/// keys), keys and rows apart (the probes read only keys).
/// Written by hand because the key set is fixed at load and a miss is as
/// common as a hit: `FxHashMap`'s lookup (hashbrown's group probe) was
/// about 35 instructions for each of the ~1,600 bigrams a 2,000-character
/// draft looks up, this one is a multiply, a shift and a compare or two.
#[derive(Clone, Debug)]
struct GramIndex {
    /// 0 for an empty slot: a packed n-gram has its order in its top bits,
    /// so it is never 0.
    keys: Vec<GramKey>,
    rows: Vec<u32>,
    /// 64 less the table's bits: the hash is the product's top bits.
    shift: u32,
}

impl GramIndex {
    fn new(entries: &[(GramKey, u32)]) -> GramIndex {
        let size = (2 * entries.len()).next_power_of_two().max(16);
        let mut index = GramIndex {
            keys: vec![0; size],
            rows: vec![0; size],
            shift: 64 - size.trailing_zeros(),
        };
        for &(key, row) in entries {
            debug_assert!(key != 0);
            let mut i = index.slot(key);
            while index.keys[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            index.keys[i] = key;
            index.rows[i] = row;
        }
        index
    }

    #[inline(always)]
    fn slot(&self, key: GramKey) -> usize {
        // Fibonacci hashing: the top bits of the product mix every key bit.
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The row of `key`, 0 if it has none.
    #[inline(always)]
    fn get(&self, key: GramKey) -> u32 {
        let mask = self.keys.len() - 1;
        let mut i = self.slot(key);
        loop {
            match self.keys[i] {
                k if k == key => return self.rows[i],
                0 => return 0,
                _ => i = (i + 1) & mask,
            }
        }
    }
}

fn mark_start(starts: &mut [u64], c: char) {
    if let Some(slot) = starts.get_mut(c as usize / 64) {
        *slot |= 1 << (c as usize % 64);
    }
}

/// Characters beyond the BMP have no bit and are always looked up.
#[inline]
fn may_start(starts: &[u64], c: char) -> bool {
    starts
        .get(c as usize / 64)
        .is_none_or(|slot| slot & (1 << (c as usize % 64)) != 0)
}

fn context_index(context: Context) -> usize {
    Context::ALL
        .iter()
        .position(|&c| c == context)
        .expect("every context is in Context::ALL")
}

/// Log-odds below which the sigmoid stays under `threshold` (thousandths):
/// a point where [`sigmoid`] itself is under the threshold (bisection; no
/// logarithm, which would add its code to the wasm), less 0.01. Below that
/// the sigmoid's slope, t(1 − t), is at least 0.001 (t ≤ 0.999), so the
/// probability is at least 1e-5 under the threshold, hundreds of times what
/// `f32` rounding in [`sigmoid`] can move it: skipping the `exp` there
/// changes no comparison (a test tries every float near the bound).
fn below_threshold(threshold: i32) -> f32 {
    let t = threshold as f32 / SCALE;
    // sigmoid(lo) < t <= sigmoid(hi) for thresholds in 0.5..1.
    let (mut lo, mut hi) = (-1.0f32, 16.0f32);
    for _ in 0..64 {
        let mid = (lo + hi) / 2.0;
        if sigmoid(mid) < t {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo - 0.01
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// One labelled draft for training: its folded text, context and clauses.
pub struct Sample<'a> {
    pub folded: &'a str,
    pub context: Context,
    pub clauses: &'a [String],
}

/// What [`train`] is asked for.
pub struct TrainingParams {
    pub orders: Vec<usize>,
    /// Only clauses with at least this many positive drafts get a model.
    pub min_positives: usize,
    /// n-grams seen in fewer drafts are ignored.
    pub min_drafts: usize,
    /// L2 strength (λ of λ/2·|w|², per sample-weighted loss).
    pub l2: f64,
    pub epochs: usize,
    /// n-grams kept per clause, by absolute weight.
    pub keep: usize,
    pub threshold: f32,
}

/// Trains one logistic model per clause (see the module docs).
pub fn train(samples: &[Sample], params: &TrainingParams, note: String) -> LearnedModel {
    let mut clause_ids: Vec<&str> = samples
        .iter()
        .flat_map(|s| s.clauses.iter().map(String::as_str))
        .collect();
    clause_ids.sort_unstable();
    clause_ids.dedup();
    clause_ids.retain(|c| {
        samples
            .iter()
            .filter(|s| s.clauses.iter().any(|x| x == c))
            .count()
            >= params.min_positives
    });
    let (clauses, grams) = fit_lanes(samples, params, &clause_ids, 0);
    LearnedModel {
        note,
        orders: params.orders.clone(),
        threshold: (params.threshold * SCALE).round() as i32,
        clauses,
        grams,
    }
}

/// A lane fitted apart ([`HIT_LANE`], [`EVASION_PREFIX`]), to add to a
/// model ([`add_lane`]).
pub struct Lane {
    clause: LearnedClause,
    /// n-gram → weight (thousandths).
    grams: Vec<(String, i32)>,
}

/// Fits the [`HIT_LANE`] on `samples`: the sentences around block hits,
/// each a sample whose `clauses` is `[HIT_LANE]` where the draft breaks the
/// hit's clause and empty where the draft is clean. `None` without both
/// kinds (at least `min_positives` of each).
pub fn fit_hit_lane(samples: &[Sample], params: &TrainingParams) -> Option<Lane> {
    let positives = samples.iter().filter(|s| !s.clauses.is_empty()).count();
    if positives < params.min_positives || samples.len() - positives < params.min_positives {
        return None;
    }
    split_lanes(fit_lanes(samples, params, &[HIT_LANE], 0)).pop()
}

/// Fits one [`EVASION_PREFIX`] lane per clause of `clauses` on `samples`
/// (the corpus and the evasion batteries' cases and look-alikes, labelled
/// as for [`train`]), keeping `keep` n-grams each.
pub fn fit_evasion_lanes(
    samples: &[Sample],
    params: &TrainingParams,
    clauses: &[&str],
) -> Vec<Lane> {
    let mut lanes = split_lanes(fit_lanes(samples, params, clauses, 0));
    for lane in &mut lanes {
        lane.clause.clause = format!("{EVASION_PREFIX}{}", lane.clause.clause);
    }
    lanes
}

/// [`fit_lanes`]' clauses (numbered from 0) and n-grams as one [`Lane`]
/// each, with the n-grams that lane weighs.
fn split_lanes((clauses, grams): (Vec<LearnedClause>, BTreeMap<String, Vec<i32>>)) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = clauses
        .into_iter()
        .map(|clause| Lane {
            clause,
            grams: Vec::new(),
        })
        .collect();
    for (gram, pairs) in grams {
        for pair in pairs.chunks(2) {
            lanes[pair[0] as usize].grams.push((gram.clone(), pair[1]));
        }
    }
    lanes
}

/// Adds `lane` to `model` as its last clause (replacing a lane of the same
/// name, so that a model retrained with a lane can take another).
pub fn add_lane(model: &mut LearnedModel, lane: &Lane) {
    if let Some(k) = model
        .clauses
        .iter()
        .position(|c| c.clause == lane.clause.clause)
    {
        model.clauses.remove(k);
        let k = k as i32;
        for pairs in model.grams.values_mut() {
            let kept: Vec<i32> = pairs
                .chunks(2)
                .filter(|p| p[0] != k)
                .flat_map(|p| [if p[0] > k { p[0] - 1 } else { p[0] }, p[1]])
                .collect();
            *pairs = kept;
        }
        model.grams.retain(|_, pairs| !pairs.is_empty());
    }
    let k = model.clauses.len() as i32;
    model.clauses.push(lane.clause.clone());
    for (g, w) in &lane.grams {
        model.grams.entry(g.clone()).or_default().extend([k, *w]);
    }
}

/// One logistic model per id of `ids` over the n-grams of `samples` (a
/// sample is positive for an id its `clauses` holds), numbered from
/// `first`: the clauses and, per kept n-gram, its `[lane, weight, …]`.
fn fit_lanes(
    samples: &[Sample],
    params: &TrainingParams,
    ids: &[&str],
    first: usize,
) -> (Vec<LearnedClause>, BTreeMap<String, Vec<i32>>) {
    // Vocabulary: n-grams in at least `min_drafts` drafts, in a fixed order.
    let grams_of = |s: &Sample| -> HashMap<String, f64> {
        let mut counts: HashMap<String, f64> = HashMap::new();
        let mut total = 0usize;
        for (start, end) in sentences_of(s.folded) {
            let chars: Vec<char> = s.folded[start..end].chars().collect();
            for &n in &params.orders {
                for w in chars.windows(n) {
                    total += 1;
                    *counts.entry(w.iter().collect()).or_default() += 1.0;
                }
            }
        }
        let scale = 1.0 / (total.max(1) as f64).sqrt();
        counts.values_mut().for_each(|v| *v *= scale);
        counts
    };
    let rows: Vec<HashMap<String, f64>> = samples.iter().map(grams_of).collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        for g in row.keys() {
            *df.entry(g).or_default() += 1;
        }
    }
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|&(_, &n)| n >= params.min_drafts)
        .map(|(&g, _)| g)
        .collect();
    vocab.sort_unstable();
    let column: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    // Sparse rows: (column, value), plus one column per context.
    let n_ctx = Context::ALL.len();
    let sparse: Vec<Vec<(usize, f64)>> = rows
        .iter()
        .zip(samples)
        .map(|(row, s)| {
            let mut v: Vec<(usize, f64)> = row
                .iter()
                .filter_map(|(g, &x)| column.get(g.as_str()).map(|&c| (c, x)))
                .collect();
            v.sort_unstable_by_key(|p| p.0);
            v.push((vocab.len() + context_index(s.context), 1.0));
            v
        })
        .collect();
    let width = vocab.len() + n_ctx + 1; // + bias

    let mut clauses = Vec::new();
    let mut grams: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for (k, clause) in (first..).zip(ids) {
        let y: Vec<bool> = samples
            .iter()
            .map(|s| s.clauses.iter().any(|c| c == clause))
            .collect();
        let positives = y.iter().filter(|&&b| b).count() as f64;
        let n = y.len() as f64;
        // Class-balanced sample weights, as scikit-learn's "balanced".
        let weight = |pos: bool| {
            if pos {
                n / (2.0 * positives)
            } else {
                n / (2.0 * (n - positives))
            }
        };
        let w = fit(&sparse, &y, width, &weight, params);
        let mut kept: Vec<(usize, f64)> = w[..vocab.len()]
            .iter()
            .copied()
            .enumerate()
            .filter(|p| p.1 != 0.0)
            .collect();
        kept.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        kept.truncate(params.keep);
        for (c, weight) in kept {
            let entry = grams.entry(vocab[c].to_string()).or_default();
            entry.extend([k as i32, round(weight)]);
        }
        clauses.push(LearnedClause {
            clause: clause.to_string(),
            bias: round(w[width - 1]),
            context_bias: (0..n_ctx).map(|i| round(w[vocab.len() + i])).collect(),
        });
    }
    (clauses, grams)
}

/// In thousandths (see [`SCALE`]).
fn round(x: f64) -> i32 {
    (x * f64::from(SCALE)).round() as i32
}

/// Full-batch AdaGrad on the weighted, L2-regularised log loss. The last
/// column is the bias (never regularised).
fn fit(
    rows: &[Vec<(usize, f64)>],
    y: &[bool],
    width: usize,
    weight: &dyn Fn(bool) -> f64,
    params: &TrainingParams,
) -> Vec<f64> {
    let mut w = vec![0.0; width];
    let mut g2 = vec![1e-8; width];
    let n = rows.len() as f64;
    let rate = 0.5;
    for _ in 0..params.epochs {
        let mut grad = vec![0.0; width];
        for (row, &label) in rows.iter().zip(y) {
            let z = w[width - 1] + row.iter().map(|&(c, x)| w[c] * x).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let err = weight(label) * (p - f64::from(u8::from(label))) / n;
            for &(c, x) in row {
                grad[c] += err * x;
            }
            grad[width - 1] += err;
        }
        for c in 0..width {
            let g = grad[c] + if c + 1 < width { params.l2 * w[c] } else { 0.0 };
            g2[c] += g * g;
            w[c] -= rate * g / g2[c].sqrt();
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where [`untrimmed`] says so, `trim` leaves the text as it is; on
    /// random texts of Han, ASCII, every kind of whitespace and characters
    /// of two and four bytes (so the test can fail both ways, it must say
    /// so for many of them and not for all).
    #[test]
    fn untrimmed_means_trim_is_a_no_op() {
        let units = [
            "包", "过", "a", "1", "。", " ", "\t", "\n", "\u{85}", "\u{A0}", "é", "\u{1680}",
            "\u{2003}", "\u{2028}", "\u{205F}", "\u{3000}", "、", "😀", "\u{3400}",
        ];
        let mut random = crate::random_text::RandomText::new(23);
        let mut said = 0;
        for len in [0, 1, 2, 3, 6] {
            for _ in 0..2000 {
                let s = random.text(&units, len);
                if untrimmed(s.as_bytes()) {
                    assert_eq!(s.trim(), s, "{s:?}");
                    said += 1;
                }
            }
        }
        assert!((500..9000).contains(&said), "{said}");
    }

    /// A lane is added as the last clause, and a second lane of the same
    /// name replaces the first: its weights go, the other clauses' stay,
    /// renumbered where they came after it.
    #[test]
    fn a_lane_is_added_last_and_replaced() {
        let lane_of = |bias: i32, gram: &str| Lane {
            clause: LearnedClause {
                clause: HIT_LANE.into(),
                bias,
                context_bias: vec![0; Context::ALL.len()],
            },
            grams: vec![(gram.into(), 500)],
        };
        let clause = |c: &str| LearnedClause {
            clause: c.into(),
            bias: 0,
            context_bias: vec![0; Context::ALL.len()],
        };
        let mut model = LearnedModel {
            note: String::new(),
            orders: vec![1, 2],
            threshold: 700,
            clauses: vec![clause("3.1.1")],
            grams: BTreeMap::from([("包".to_string(), vec![0, 100])]),
        };
        add_lane(&mut model, &lane_of(1, "谨防"));
        assert_eq!(model.clauses.len(), 2);
        assert_eq!(model.grams["谨防"], vec![1, 500]);
        // Put the lane in the middle, then replace it.
        model.clauses.push(clause("3.3.1"));
        model.grams.get_mut("包").unwrap().extend([2, 300]);
        add_lane(&mut model, &lane_of(2, "举报"));
        let names: Vec<&str> = model.clauses.iter().map(|c| c.clause.as_str()).collect();
        assert_eq!(names, ["3.1.1", "3.3.1", HIT_LANE]);
        assert_eq!(model.clauses[2].bias, 2);
        assert!(!model.grams.contains_key("谨防"));
        assert_eq!(model.grams["包"], vec![0, 100, 1, 300]);
        assert_eq!(model.grams["举报"], vec![2, 500]);
        assert!(Learned::new(model).unwrap().hit_lane() == Some(2));
    }

    /// An evasion lane speaks for its clause, only where the clause's own
    /// lane and the rules did not, and only at [`EVASION_THRESHOLD`].
    #[test]
    fn an_evasion_lane_adds_an_opinion_the_clause_lane_did_not_give() {
        let clause = |c: &str, bias: i32| LearnedClause {
            clause: c.into(),
            bias,
            context_bias: vec![0; Context::ALL.len()],
        };
        // Biases in thousandths: 3.1.1 itself never reaches 0.7, its
        // evasion lane does wherever 饱 weighs in (or always, with `sure`).
        let model = |evasion_bias: i32| LearnedModel {
            note: String::new(),
            orders: vec![1],
            threshold: 700,
            clauses: vec![
                clause("3.1.1", -5000),
                clause(&format!("{EVASION_PREFIX}3.1.1"), evasion_bias),
            ],
            grams: BTreeMap::from([("饱".to_string(), vec![1, 20000])]),
        };
        let opinions = |learned: &Learned, text: &str, known: &str| {
            learned
                .opinions(text, Context::Public, |c| c == known)
                .into_iter()
                .map(|o| o.clause)
                .collect::<Vec<_>>()
        };
        let learned = Learned::new(model(-5000)).unwrap();
        assert_eq!(opinions(&learned, "饱过班", ""), ["3.1.1"]);
        assert!(opinions(&learned, "周末上课", "").is_empty());
        assert!(opinions(&learned, "饱过班", "3.1.1").is_empty());
        // 0.75: over the model's threshold, under the evasion lanes'.
        let sure = |p: f32| ((p / (1.0 - p)).ln() * SCALE).round() as i32;
        assert!(opinions(&Learned::new(model(sure(0.75))).unwrap(), "上课", "").is_empty());
        let both = LearnedModel {
            clauses: vec![
                clause("3.1.1", sure(0.9)),
                clause(&format!("{EVASION_PREFIX}3.1.1"), sure(0.9)),
            ],
            ..model(0)
        };
        assert_eq!(
            opinions(&Learned::new(both).unwrap(), "上课", ""),
            ["3.1.1"]
        );
    }

    /// The hit lane is fitted only with offers and mentions both: with
    /// one kind alone there is nothing to tell apart. With both, the
    /// mention's words weigh against an offer.
    #[test]
    fn the_hit_lane_needs_offers_and_mentions() {
        let params = TrainingParams {
            orders: vec![1, 2],
            min_positives: 2,
            min_drafts: 1,
            l2: 1e-4,
            epochs: 200,
            keep: 50,
            threshold: 0.7,
        };
        let offer = ["代考包过私聊", "代考价格私聊", "代考名额私聊"];
        let mention = ["谨防代考诈骗", "谨防代考骗局", "谨防代考广告"];
        let samples =
            |texts: &[&'static str], clauses: &'static [String]| -> Vec<Sample<'static>> {
                texts
                    .iter()
                    .map(|t| Sample {
                        folded: t,
                        context: Context::Public,
                        clauses,
                    })
                    .collect()
            };
        let hit: &'static [String] = Box::leak(Box::new([HIT_LANE.to_string()]));
        assert!(fit_hit_lane(&samples(&offer, hit), &params).is_none());
        assert!(fit_hit_lane(&samples(&mention, &[]), &params).is_none());
        let mut both = samples(&offer, hit);
        both.extend(samples(&mention, &[]));
        let lane = fit_hit_lane(&both, &params).unwrap();
        let weight = |g: &str| lane.grams.iter().find(|(x, _)| x == g).map_or(0, |p| p.1);
        assert!(weight("谨防") < 0 && weight("私聊") > 0, "{:?}", lane.grams);
    }

    /// Packed clause ids are distinct where the ids are: every id of up to
    /// three bytes from a small alphabet, and the model's real ones.
    #[test]
    fn clause_keys_are_distinct() {
        let alphabet = ["", "1", "3", ".", "a", "十"];
        let mut ids: Vec<String> = Vec::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    ids.push(format!("{a}{b}{c}"));
                }
            }
        }
        ids.extend(["3.1.1", "3.1.10", "3.11.1", "4.2.3"].map(String::from));
        ids.sort();
        ids.dedup();
        let mut keys: Vec<u64> = ids.iter().filter_map(|id| clause_key(id)).collect();
        let short = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), short);
        assert_eq!(clause_key("这是一个很长的条款"), None);
    }

    fn sample<'a>(text: &'a str, clauses: &'a [String]) -> Sample<'a> {
        Sample {
            folded: text,
            context: Context::Public,
            clauses,
        }
    }

    #[test]
    fn learns_a_separable_toy_corpus_and_round_trips_through_json() {
        let yes = vec!["3.1.1".to_string()];
        let no: Vec<String> = vec![];
        let texts_yes = ["保证上岸全退", "上岸全退款", "不上岸全退", "全退保证上岸"];
        let texts_no = [
            "周末上课通知",
            "课程表已发",
            "明天上课带笔",
            "通知：周末放假",
        ];
        let mut samples: Vec<Sample> = texts_yes.iter().map(|t| sample(t, &yes)).collect();
        samples.extend(texts_no.iter().map(|t| sample(t, &no)));
        let params = TrainingParams {
            orders: vec![1, 2],
            min_positives: 2,
            min_drafts: 2,
            l2: 0.01,
            epochs: 300,
            keep: 50,
            threshold: 0.6,
        };
        let model = train(&samples, &params, "toy".into());
        let json = serde_json::to_string(&model).unwrap();
        let back: LearnedModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
        let learned = Learned::new(back).unwrap();
        let p = |t: &str| learned.probabilities(t, Context::Public)[0];
        assert!(p("不上岸全退") > 0.7, "{}", p("不上岸全退"));
        assert!(
            p("考不上全退") > 0.5,
            "an unseen wording: {}",
            p("考不上全退")
        );
        assert!(p("周末上课") < 0.5, "{}", p("周末上课"));
        let draft = "周末上课!保证上岸全退。好"; // folded: ASCII `!`
        let op = learned.opinions(draft, Context::Public, |_| false);
        assert_eq!(op.len(), 1, "{}", p(draft));
        assert_eq!(&draft[op[0].start..op[0].end], "保证上岸全退");
        assert!(
            learned
                .opinions("上岸全退", Context::Public, |c| c == "3.1.1")
                .is_empty()
        );
    }

    /// A model of clause 3.1.1 trained on `yes` (breaking it) and `no`.
    fn toy(yes: &[&str], no: &[&str]) -> Learned {
        let clause = vec!["3.1.1".to_string()];
        let none: Vec<String> = vec![];
        let samples: Vec<Sample> = yes
            .iter()
            .map(|t| sample(t, &clause))
            .chain(no.iter().map(|t| sample(t, &none)))
            .collect();
        let params = TrainingParams {
            orders: vec![1, 2],
            min_positives: 1,
            min_drafts: 1,
            l2: 0.01,
            epochs: 50,
            keep: 50,
            threshold: 0.6,
        };
        Learned::new(train(&samples, &params, "toy".into())).unwrap()
    }

    /// The sums held in registers (native) are the bits of the sums added
    /// in memory (the wasm's way).
    #[test]
    fn sums_in_registers_and_in_memory_are_the_same_bits() {
        let learned = toy(
            &["保证上岸全退", "上岸全退款", "不上岸全退"],
            &["周末上课通知", "课程表已发"],
        );
        let text = "周末上课!保证上岸全退。好;上岸全退款，课程表已发。";
        let sentences = sentences_of(text);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let n = learned.weigh_in_memory(text, &sentences, &mut a);
        let m = learned.weigh_in_registers::<1>(text, &sentences, &mut b);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!((n, bits(&a)), (m, bits(&b)));
        assert!(a.iter().any(|&x| x != 0.0));
    }

    /// Skipping the sigmoid below [`below_threshold`] never skips a clause
    /// at or over the threshold: every `f32` from the bound down to 1 below
    /// it (the densest, nearest part), for thresholds across the allowed
    /// range, gives a probability under the threshold as `opinions_in`
    /// compares it; and the bound is near enough to spare the work.
    #[test]
    fn below_threshold_never_hides_a_clause_over_the_threshold() {
        for threshold in [500, 501, 600, 650, 700, 750, 800, 900, 950, 990, 998, 999] {
            let bound = below_threshold(threshold);
            let t = threshold as f32 / SCALE;
            let mut z = bound.next_down();
            let mut tried = 0;
            while z > bound - 1.0 {
                assert!(
                    sigmoid(z) < t,
                    "threshold {threshold}, z {z}: {}",
                    sigmoid(z)
                );
                // Every float for the first 10,000, then coarser steps.
                z = if tried < 10_000 {
                    z.next_down()
                } else {
                    z - 1e-5
                };
                tried += 1;
            }
            assert!(t - sigmoid(bound) < 0.01, "threshold {threshold}");
        }
    }

    /// The loop for orders `[1, 2]` (native, in registers, adding the zero
    /// row where an n-gram has none) gives the bits and the n-gram count of
    /// the general loop added in memory (the wasm's way): characters beyond
    /// the BMP, n-grams at the ends of sentences, unweighted neighbours.
    #[test]
    fn the_unigram_bigram_loop_is_the_general_one() {
        let learned = toy(
            &["保证上岸全退", "上岸全退款🐴", "不上岸全退𠀀𠀀", "🐴退"],
            &["周末上课通知", "课程表已发", "𠀀🐴上课"],
        );
        assert!(learned.model.grams.keys().any(|g| g.contains('🐴')));
        assert_eq!(learned.model.orders, [1, 2]);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut weighed = 0;
        for text in [
            "",
            "退",
            "🐴",
            "保证上岸全退🐴退",
            "𠀀🐴上课，不上岸全退𠀀𠀀款",
            "周末上课!保证上岸全退。好;上岸全退款，课程表已发。",
        ] {
            let sentences = sentences_of(text);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let n = learned.weigh_in_memory(text, &sentences, &mut a);
            let m = learned.weigh_in_registers::<1>(text, &sentences, &mut b);
            assert_eq!((n, bits(&a)), (m, bits(&b)), "{text}");
            weighed += a.iter().filter(|&&x| x != 0.0).count();
        }
        assert!(
            weighed > 5,
            "the texts must reach weighted n-grams: {weighed}"
        );
    }

    /// Every key is found with its row, whatever it collides with; keys
    /// not in the index (neighbours of present ones, other orders) give 0.
    #[test]
    fn gram_index_finds_every_key_and_no_other() {
        for n in [0usize, 1, 7, 8, 9, 1000, 3049] {
            let keys: Vec<GramKey> = (0..n as u64)
                .map(|i| {
                    pack(&[char::from_u32(0x4E00 + (i * 7919) as u32 % 0x5000).unwrap(); 2]) + i
                })
                .collect();
            let entries: Vec<(GramKey, u32)> = keys.iter().zip(1..).map(|(&k, r)| (k, r)).collect();
            let index = GramIndex::new(&entries);
            assert!(index.keys.len() >= 2 * n, "at most half full");
            for &(k, r) in &entries {
                assert_eq!(index.get(k), r);
            }
            for probe in keys
                .iter()
                .flat_map(|&k| [k ^ (1 << 63), k ^ (1 << 62), k + (1 << 40)])
            {
                if !keys.contains(&probe) {
                    assert_eq!(index.get(probe), 0, "{probe:x}");
                }
            }
            assert_eq!(index.get(pack(&['包'])), 0);
        }
    }

    #[test]
    fn rejects_malformed_models_in_chinese() {
        let base = LearnedModel {
            note: String::new(),
            orders: vec![1, 2],
            threshold: 700,
            clauses: vec![LearnedClause {
                clause: "3.1.1".into(),
                bias: 0,
                context_bias: vec![0; Context::ALL.len()],
            }],
            grams: BTreeMap::new(),
        };
        type Breakage = Box<dyn Fn(&mut LearnedModel)>;
        let cases: [(&str, Breakage); 4] = [
            ("长度", Box::new(|m| m.orders = vec![4])),
            ("阈值", Box::new(|m| m.threshold = 200)),
            (
                "条款序号",
                Box::new(|m| _ = m.grams.insert("包".into(), vec![3, 1000])),
            ),
            (
                "长度或权重",
                Box::new(|m| _ = m.grams.insert("包过了吧".into(), vec![0, 1000])),
            ),
        ];
        for (needle, break_it) in cases {
            let mut m = base.clone();
            break_it(&mut m);
            let err = Learned::new(m).unwrap_err();
            assert!(err.contains(needle), "{needle}: {err}");
        }
        assert!(Learned::new(base).is_ok());
    }
}
