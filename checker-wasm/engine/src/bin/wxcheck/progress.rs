//! The progress line of long audits: records read and records per second, on
//! stderr, only when stderr is a terminal (indicatif draws nothing otherwise).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

pub struct Progress(ProgressBar);

impl Progress {
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} 已读 {human_pos} 条消息 · 每秒 {per_sec} · 用时 {elapsed}",
            )
            .expect("template"),
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
