//! The progress line of long audits: records read and records per second, on
//! stderr, only when stderr is a terminal (indicatif draws nothing otherwise).

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::time::Duration;

pub struct Progress(ProgressBar);

impl Progress {
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} 已读 {human_pos} 条消息 · 每秒 {rate} 条 · 用时 {elapsed}",
            )
            .expect("template")
            // indicatif's own `{per_sec}` prints fractions and an English unit.
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", HumanCount(state.per_sec() as u64));
                },
            ),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress(bar)
    }

    pub fn tick(&self) {
        self.0.inc(1);
    }

    /// Prints a line above the bar (or plainly when there is none).
    pub fn println(&self, line: &str) {
        if self.0.is_hidden() {
            eprintln!("{line}");
        } else {
            self.0.println(line);
        }
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
