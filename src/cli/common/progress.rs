//! What long work shows on stderr: a progress bar while it runs, and the lines printed
//! above it (warnings, errors, notes), so that no line is glued to a bar.
//!
//! A bar is drawn only when stderr is a terminal (and `TERM` is set and not `dumb`),
//! `--quiet` was not given and `STANCE_PROGRESS` is not `0`. Bars use no colour at all, so
//! `NO_COLOR` has nothing to turn off in them.

use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use stance::util::progress::{Event, Progress};

/// `--quiet` was given.
static QUIET: AtomicBool = AtomicBool::new(false);
/// The terminal is in raw mode (`stance label`): a line must end in `\r\n`.
static RAW: AtomicBool = AtomicBool::new(false);
/// The bar on screen, which lines printed meanwhile go above, with its [`Bar::id`].
static ACTIVE: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// How often a bar is redrawn while nothing reports: the spinner and clock move, so
/// long stages do not look stuck.
const TICK: Duration = Duration::from_millis(120);
/// Optimiser iterations can come thousands a second; the message is rebuilt at most this
/// often.
const ITERATION_EVERY: Duration = Duration::from_millis(100);

/// Take the global options: `--quiet` hides every bar.
pub fn init(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether bars are drawn: stderr is a terminal that can move the cursor (`TERM` set and
/// not `dumb`), no `--quiet`, `STANCE_PROGRESS` not `0`.
pub fn bars_enabled() -> bool {
    !QUIET.load(Ordering::Relaxed)
        && std::env::var_os("STANCE_PROGRESS").is_none_or(|v| v != "0")
        && std::env::var_os("TERM").is_some_and(|t| t != "dumb")
        && std::io::stderr().is_terminal()
}

/// Whether colour may be used on a terminal: `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Lines written while the terminal is in raw mode end in `\r\n` (raw mode stops the
/// terminal from returning the carriage at a line feed).
pub fn set_raw_mode(on: bool) {
    RAW.store(on, Ordering::Relaxed);
}

/// Print a line on stderr above the bar, if one is shown; use as `eprintln!`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::common::progress::say_line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// [`say!`]'s body: clear the bar, print the line, draw the bar again.
pub fn say_line(args: fmt::Arguments<'_>) {
    let line = format!("{args}\n");
    with_bar_hidden(|| write_stderr(&line));
}

/// Print `text` on stderr as it is (a prompt: no line end added), above any bar.
pub fn say_inline(text: &str) {
    with_bar_hidden(|| write_stderr(text));
}

/// Run `f` with the bar (if any) cleared from the screen, then draw it again.
fn with_bar_hidden(f: impl FnOnce()) {
    let bar = ACTIVE
        .lock()
        .ok()
        .and_then(|a| a.as_ref().map(|(_, b)| b.clone()));
    match bar {
        Some(b) => b.suspend(f),
        None => f(),
    }
}

fn write_stderr(text: &str) {
    use std::io::Write;
    let text = if RAW.load(Ordering::Relaxed) {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text.to_string()
    };
    let mut err = std::io::stderr().lock();
    // As `eprint!`, minus the panic: a closed stderr leaves nowhere to report it.
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Put the terminal back before the process ends abruptly (a panic): clear the bar and
/// leave raw mode. Never blocks.
pub fn restore_terminal() {
    if let Ok(a) = ACTIVE.try_lock() {
        if let Some((_, b)) = a.as_ref() {
            // Stops the ticker; indicatif draws nothing while the thread panics, so the
            // line is cleared here.
            b.finish_and_clear();
            if !b.is_hidden() {
                write_stderr("\r\x1b[2K");
            }
        }
    }
    if RAW.load(Ordering::Relaxed) {
        let _ = crossterm::terminal::disable_raw_mode();
        set_raw_mode(false);
    }
}

/// A progress bar on stderr (hidden unless [`bars_enabled`]), cleared when dropped.
///
/// It starts as a spinner showing a stage ([`Bar::stage`]). The library's
/// [`Event`]s move it: stages and optimiser iterations are added to the message, and model
/// fits of cross-validation turn it into a bar of fits with an ETA and the best score.
/// [`Bar::bytes`] makes it a bar of input read.
pub struct Bar {
    bar: ProgressBar,
    /// Drawn at all: events for a hidden bar are not even formatted.
    visible: bool,
    id: u64,
    text: Mutex<Text>,
}

/// The parts of the bar's message.
#[derive(Default)]
struct Text {
    /// What the command is doing (`reading data`).
    stage: String,
    /// The library's stage inside it (`extracting features`).
    step: String,
    /// The optimiser's last iteration, and when it was shown.
    iteration: String,
    shown: Option<Instant>,
    /// Best mean macro-F1 so far (cross-validation), and what to call it.
    best: Option<f64>,
    best_name: Option<&'static str>,
    /// Whether the bar counts fits.
    fits: bool,
}

impl Text {
    fn message(&self) -> String {
        let name = self.best_name.unwrap_or("best macro-F1");
        let best = self.best.map(|b| format!("{name} {b:.4}"));
        [
            Some(self.stage.as_str()),
            Some(self.step.as_str()),
            best.as_deref(),
            Some(self.iteration.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants: a mistake in one shows in every test that draws it.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

const SPINNER: &str = "{spinner} {elapsed_precise} {wide_msg}";
const FITS: &str =
    "{spinner} {elapsed_precise} [{bar:24}] {pos}/{len} fits · ETA {eta} · {wide_msg}";
const BYTES: &str = "{spinner} {elapsed_precise} [{bar:24}] {bytes}/{total_bytes} · \
                     {binary_bytes_per_sec} · ETA {eta} · {wide_msg}";

impl Bar {
    /// A spinner, shown at once when bars are enabled.
    pub fn start() -> Bar {
        Bar::start_if(true)
    }

    /// [`Bar::start`], hidden also when `show` is false.
    pub fn start_if(show: bool) -> Bar {
        let visible = show && bars_enabled();
        let bar = if visible {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(style(SPINNER));
            b.enable_steady_tick(TICK);
            b
        } else {
            ProgressBar::hidden()
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some((id, bar.clone()));
        }
        Bar {
            bar,
            visible,
            id,
            text: Mutex::new(Text::default()),
        }
    }

    /// Show what the command is doing now; the library's stage and iteration are cleared.
    pub fn stage(&self, what: &str) {
        self.edit(|t| {
            t.stage = what.to_string();
            t.step.clear();
            t.iteration.clear();
        });
        self.bar.force_draw();
    }

    /// What the score of cross-validation is called (default `best macro-F1`).
    pub fn name_score(&self, name: &'static str) {
        self.edit(|t| t.best_name = Some(name));
    }

    /// Make it a bar of `total` bytes read, with rate and ETA.
    pub fn bytes(&self, total: u64) {
        self.bar.set_style(style(BYTES));
        self.bar.set_length(total);
        self.bar.reset_eta();
        self.bar.force_draw();
    }

    /// Bytes read so far, of [`Bar::bytes`]'s total; `note` says what they held. Without
    /// a total, only the note shows.
    pub fn read(&self, bytes: u64, note: &str) {
        if !self.visible {
            return;
        }
        self.bar.set_position(bytes);
        self.edit(|t| t.stage = note.to_string());
    }

    fn edit(&self, f: impl FnOnce(&mut Text)) {
        let Ok(mut t) = self.text.lock() else {
            return;
        };
        f(&mut t);
        self.bar.set_message(t.message());
    }
}

impl Progress for Bar {
    fn event(&self, event: Event<'_>) {
        if !self.visible {
            return;
        }
        match event {
            Event::Stage(s) => self.edit(|t| {
                t.step = s.to_string();
                t.iteration.clear();
            }),
            Event::Iteration {
                n,
                max,
                grad_norm,
                tol,
            } => {
                let Ok(mut t) = self.text.lock() else {
                    return;
                };
                if t.shown.is_some_and(|s| s.elapsed() < ITERATION_EVERY) {
                    return;
                }
                t.shown = Some(Instant::now());
                t.iteration =
                    format!("iteration {n}/{max} · gradient {grad_norm:.1e} (tol {tol:.0e})");
                self.bar.set_message(t.message());
            }
            Event::Fits { done, total, best } => {
                let first = self
                    .text
                    .lock()
                    .is_ok_and(|mut t| !std::mem::replace(&mut t.fits, true));
                if first {
                    self.bar.set_style(style(FITS));
                    self.bar.reset_eta();
                }
                self.bar.set_length(total as u64);
                self.bar.set_position(done as u64);
                self.edit(|t| {
                    t.best = best;
                    t.step.clear();
                    t.iteration.clear();
                });
                if first {
                    self.bar.force_draw();
                }
            }
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        if let Ok(mut a) = ACTIVE.lock() {
            if a.as_ref().is_some_and(|(id, _)| *id == self.id) {
                *a = None;
            }
        }
    }
}
