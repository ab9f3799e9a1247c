//! Deterministic random texts for the tests that compare a fast scan with a
//! plain one (`quotes`, `variants`, `matcher`, `normalize`, the digit runs of
//! `validators`): pieces drawn
//! from a table by a linear congruential generator (Knuth's MMIX
//! constants), so every run checks the same texts and no dependency is
//! needed for it.

/// The generator's state; one per test, seeded by the test.
pub(crate) struct RandomText(u64);

impl RandomText {
    pub(crate) fn new(seed: u64) -> Self {
        RandomText(seed)
    }

    /// A number below `n`, from the state's high bits (the low bits of an
    /// LCG cycle quickly).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n
    }

    /// `len` pieces, each drawn from `units`.
    pub(crate) fn text(&mut self, units: &[&str], len: usize) -> String {
        (0..len).map(|_| units[self.below(units.len())]).collect()
    }
}
