//! The terminal front end: rustyline with history, multi-line input decided by
//! the parser, completion, hints and colours. Everything it shows comes from a
//! [`Session`]; this file only reads keys and prints replies.

use std::borrow::Cow;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, ColorMode, CompletionType, ConditionalEventHandler, Config, Context, Editor, Event,
    EventContext, EventHandler, KeyCode, KeyEvent, Modifiers, RepeatCount,
};

use super::complete::{self, Completion, Vocabulary};
use super::highlight;
use super::input::{Enter, Lines, on_enter};
use super::session::Session;

const PROMPT: &str = "akar> ";

/// What the editor needs to know to help: the session's words, and whether to
/// colour.
pub struct Helper {
    vocabulary: Vocabulary,
    color: bool,
    files: FilenameCompleter,
}

/// A grey hint: what is shown may be more than what → inserts.
pub struct Suggestion {
    shown: String,
    inserted: Option<String>,
}

impl Hint for Suggestion {
    fn display(&self) -> &str {
        &self.shown
    }

    fn completion(&self) -> Option<&str> {
        self.inserted.as_deref()
    }
}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete::complete(&self.vocabulary, line, pos) {
            Completion::Files => self.files.complete(line, pos, ctx),
            Completion::Words(start, words) => Ok((
                start,
                words
                    .into_iter()
                    .map(|w| Pair {
                        display: w.clone(),
                        replacement: w,
                    })
                    .collect(),
            )),
        }
    }
}

impl Hinter for Helper {
    type Hint = Suggestion;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<Suggestion> {
        let (shown, inserted) = complete::hint(&self.vocabulary, line, pos)?;
        Some(Suggestion { shown, inserted })
    }
}

impl Highlighter for Helper {
    fn highlight<'l>(&self, line: &'l str, _: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::paint(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("\x1b[1;32m{}\x1b[0m ", prompt.trim_end()))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _: &str, _: usize, kind: CmdKind) -> bool {
        // Colours depend on the whole line (a word may become a keyword as it is
        // typed), so any edit redraws it.
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for Helper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match on_enter(ctx.input()) {
            Enter::Submit => ValidationResult::Valid(None),
            Enter::Continue => ValidationResult::Incomplete,
        })
    }
}

impl rustyline::Helper for Helper {}

/// Enter at the end of an unfinished input opens an indented line, so what goes
/// on reads as part of the item. Otherwise Enter does what it always does, and
/// the validator (the same [`on_enter`]) decides.
struct IndentWhenUnfinished;

impl ConditionalEventHandler for IndentWhenUnfinished {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let line = ctx.line();
        (ctx.pos() == line.len() && on_enter(line) == Enter::Continue)
            .then(|| Cmd::Insert(1, "\n  ".into()))
    }
}

/// Where the history is kept: the user's data directory, else the cache.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir().or_else(dirs::cache_dir)?.join("akar");
    // A directory that cannot be made only means no history is kept.
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("repl_history"))
}

/// Reads inputs from the terminal until `:quit` or Ctrl-D. Returns `false` if the
/// terminal could not be used, so the caller can read plainly instead.
pub fn run(session: &mut Session, color: bool) -> bool {
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let Ok(mut editor) = Editor::<Helper, DefaultHistory>::with_config(config) else {
        return false;
    };
    editor.set_helper(Some(Helper {
        vocabulary: session.vocabulary(),
        color,
        files: FilenameCompleter::new(),
    }));
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        EventHandler::Conditional(Box::new(IndentWhenUnfinished)),
    );
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::ALT),
        EventHandler::Simple(Cmd::Newline),
    );
    let history = history_path();
    if let Some(path) = &history {
        // No history yet (or an unreadable one) is a fresh start, not an error.
        let _ = editor.load_history(path);
    }
    println!(
        "akar {} · type a rule or a condition · :help for help · Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    read_loop(&mut editor, session, history.as_deref());
    true
}

/// Runs what one Enter submitted. A paste of several lines arrives as one
/// buffer: its lines are gathered into inputs as if typed one by one, so each
/// complete line runs on its own. True if an input asked to leave.
fn run_inputs(session: &mut Session, text: &str) -> bool {
    let mut lines = Lines::default();
    let inputs = text.split('\n').filter_map(|line| lines.push(line));
    let inputs: Vec<String> = inputs.collect();
    for input in inputs.into_iter().chain(lines.finish()) {
        let reply = session.submit(&input);
        print!("{}", reply.text);
        if reply.quit {
            return true;
        }
    }
    false
}

fn read_loop(
    editor: &mut Editor<Helper, DefaultHistory>,
    session: &mut Session,
    history: Option<&std::path::Path>,
) {
    loop {
        match editor.readline(PROMPT) {
            Ok(input) => {
                if !input.trim().is_empty() {
                    let _ = editor.add_history_entry(input.trim_end());
                    // Saved as it is typed, so a closed terminal loses nothing;
                    // a history that cannot be written is not worth an error.
                    if let Some(path) = history {
                        let _ = editor.append_history(path);
                    }
                }
                if run_inputs(session, &input) {
                    return;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.vocabulary = session.vocabulary();
                }
            }
            // Ctrl-C drops the input being typed and asks again.
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => return,
            Err(e) => {
                eprintln!("akar: cannot read the terminal: {e}");
                return;
            }
        }
    }
}
