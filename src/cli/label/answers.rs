//! Where `stance label`'s answers come from (an answer file, single keys from the terminal in
//! raw mode, or typed lines) and how an answer is parsed.

use std::io::{IsTerminal, Read};

use anyhow::Result;
use stance::input::lines::LineReader;
use stance::pipeline::builtin::Task;

use super::render::Ui;
use crate::cli::common::{progress, UsageError};

const STANCE_KEYS: [(char, &str); 3] = [
    ('t', "threatening"),
    ('c', "conciliatory"),
    ('n', "neutral"),
];
const SENTIMENT_KEYS: [(char, &str); 3] = [('-', "negative"), ('0', "neutral"), ('+', "positive")];

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Labels, in the order of the session's tasks.
    Label(Vec<&'static str>),
    Skip,
    Undo,
    Quit,
}

pub fn keys_of(task: Task) -> &'static [(char, &'static str); 3] {
    match task {
        Task::Stance => &STANCE_KEYS,
        Task::Sentiment => &SENTIMENT_KEYS,
    }
}

/// Parse one answer: `s`, `u`, `q`, or one key per task in order (`t`, `-`, `c+`, `n 0`).
pub fn parse_answer(s: &str, tasks: &[Task]) -> std::result::Result<Answer, String> {
    let keys: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match keys.as_slice() {
        ['s'] => return Ok(Answer::Skip),
        ['u'] => return Ok(Answer::Undo),
        ['q'] => return Ok(Answer::Quit),
        _ => {}
    }
    let expected = || -> String {
        let parts: Vec<String> = tasks
            .iter()
            .map(|t| {
                let k: Vec<String> = keys_of(*t).iter().map(|(c, _)| c.to_string()).collect();
                format!("one of {}", k.join(" "))
            })
            .collect();
        format!("{}; or s, u, q", parts.join(", then "))
    };
    if keys.len() != tasks.len() {
        return Err(format!("{s:?}: expected {}", expected()));
    }
    let mut labels = Vec::with_capacity(tasks.len());
    for (k, t) in keys.iter().zip(tasks) {
        match keys_of(*t).iter().find(|(c, _)| c == k) {
            Some((_, l)) => labels.push(*l),
            None => return Err(format!("{s:?}: expected {}", expected())),
        }
    }
    Ok(Answer::Label(labels))
}

pub fn key_hint(task: Task) -> String {
    let k: Vec<String> = keys_of(task)
        .iter()
        .map(|(c, l)| format!("{c} {l}"))
        .collect();
    k.join(" · ")
}

/// Where answers come from.
pub enum Answers {
    /// One answer per line of a file or stdin.
    Lines(LineReader),
    /// Single keys from the terminal.
    Keys(RawTerminal),
    /// One answer per line typed on the terminal, when it cannot be put in raw mode.
    TypedLines(std::io::Stdin),
}

impl Answers {
    /// The next answer, or `None` at the end of the input.
    pub fn next(&mut self, tasks: &[Task], ui: &Ui) -> Result<Option<Answer>> {
        match self {
            Answers::Lines(r) => loop {
                let Some(line) = r.next_line()? else {
                    ui.line("(end of answers)");
                    return Ok(None);
                };
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                ui.line(t);
                return match parse_answer(t, tasks) {
                    Ok(a) => Ok(Some(a)),
                    Err(reason) => Err(stance::Error::BadRow {
                        file: r.name().to_string(),
                        line: r.line(),
                        column: None,
                        reason,
                    }
                    .into()),
                };
            },
            Answers::TypedLines(stdin) => loop {
                let mut s = String::new();
                if stdin.read_line(&mut s)? == 0 {
                    return Ok(None);
                }
                match parse_answer(s.trim(), tasks) {
                    Ok(a) => return Ok(Some(a)),
                    Err(e) => ui.prompt(&format!("{e} ▸ ")),
                }
            },
            Answers::Keys(t) => next_key_answer(t, tasks, ui),
        }
    }
}

/// Keys until they make an answer: one per task (`c` then `+`), or `s`, `u`, `q`.
/// Ctrl-C, Ctrl-D and the end of input quit.
fn next_key_answer(t: &mut RawTerminal, tasks: &[Task], ui: &Ui) -> Result<Option<Answer>> {
    let mut keys = String::new();
    loop {
        let k = t.key()?;
        let c = match k {
            None | Some(0x03) | Some(0x04) => 'q',
            Some(b) => (b as char).to_ascii_lowercase(),
        };
        if !keys.is_empty() && c == 'u' {
            // Undo within a quote goes back to its first key.
            keys.clear();
            ui.prompt(&format!("\n  again: {} ▸ ", key_hint(tasks[0])));
            continue;
        }
        if matches!(c, 's' | 'u' | 'q') {
            ui.line(&c.to_string());
            return Ok(Some(
                parse_answer(&c.to_string(), tasks).map_err(UsageError)?,
            ));
        }
        let task = tasks[keys.chars().count()];
        if keys_of(task).iter().any(|(kc, _)| *kc == c) {
            keys.push(c);
            if keys.chars().count() == tasks.len() {
                ui.line(&c.to_string());
                return Ok(Some(parse_answer(&keys, tasks).map_err(UsageError)?));
            }
            ui.prompt(&format!("{c}  sentiment {} ▸ ", key_hint(Task::Sentiment)));
        } else if k.is_some_and(|b| b.is_ascii_graphic()) {
            ui.prompt(&format!(
                "\n  {c:?} is not a key here: {}, s skip, u undo, q quit ▸ ",
                key_hint(task)
            ));
        }
    }
}

/// The terminal in raw mode (one key at a time, no echo, Ctrl-C read as a key so the mode
/// is always restored), put back as it was when dropped: on every way out of the session,
/// errors included (a panic restores it from the panic hook).
pub struct RawTerminal {
    /// Where the keys come from: the terminal whose mode was set, which is stdin when it
    /// is one and the controlling terminal otherwise (articles piped in).
    keys: Box<dyn Read>,
}

impl RawTerminal {
    /// Raw mode, or `None` when there is no terminal to put in it.
    pub fn enter() -> Option<RawTerminal> {
        let keys: Box<dyn Read> = if std::io::stdin().is_terminal() {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open("/dev/tty").ok()?)
        };
        crossterm::terminal::enable_raw_mode().ok()?;
        progress::set_raw_mode(true);
        Some(RawTerminal { keys })
    }

    fn key(&mut self) -> Result<Option<u8>> {
        let mut b = [0u8; 1];
        match self.keys.read(&mut b)? {
            0 => Ok(None),
            _ => Ok(Some(b[0])),
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
        progress::set_raw_mode(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_per_task() {
        let st = [Task::Stance];
        let both = [Task::Stance, Task::Sentiment];
        let se = [Task::Sentiment];
        assert_eq!(
            parse_answer("t", &st),
            Ok(Answer::Label(vec!["threatening"]))
        );
        assert_eq!(
            parse_answer("C+", &both),
            Ok(Answer::Label(vec!["conciliatory", "positive"]))
        );
        assert_eq!(
            parse_answer("n, 0", &both),
            Ok(Answer::Label(vec!["neutral", "neutral"]))
        );
        assert_eq!(parse_answer("-", &se), Ok(Answer::Label(vec!["negative"])));
        assert_eq!(parse_answer("s", &both), Ok(Answer::Skip));
        assert_eq!(parse_answer("u", &st), Ok(Answer::Undo));
        assert_eq!(parse_answer("Q", &se), Ok(Answer::Quit));
        assert!(parse_answer("t", &both).is_err());
        assert!(parse_answer("t+", &st).is_err());
        assert!(parse_answer("x", &st).is_err());
        assert!(parse_answer("+t", &both).is_err());
    }
}
