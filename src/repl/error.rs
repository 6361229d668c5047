//! Mistakes made at the prompt (as opposed to in a policy, which the checker
//! reports). Each is shown with miette and leaves the session as it was.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ReplError {
    #[error("unknown command `:{name}`")]
    #[diagnostic(code(akar::repl::unknown_command))]
    UnknownCommand {
        name: String,
        #[help]
        help: String,
    },

    #[error("`:{command}` {problem}")]
    #[diagnostic(code(akar::repl::usage), help("usage: {usage}"))]
    Usage {
        command: &'static str,
        problem: String,
        usage: String,
    },

    #[error("`{text}` is not a date")]
    #[diagnostic(
        code(akar::repl::date),
        help("write the date as YYYY-MM-DD, e.g. `:at 2024-01-01`")
    )]
    BadDate { text: String },

    #[error("input line {line} is not UTF-8 text")]
    #[diagnostic(
        code(akar::repl::not_text),
        help("the line was skipped; save the input as UTF-8")
    )]
    NotText { line: usize },

    #[error("no listing loaded")]
    #[diagnostic(
        code(akar::repl::no_listing),
        help(
            "load one with `:listing {{\"cluster\": \"fashion\", \"cross_border\": true}}` or `:listings FILE`"
        )
    )]
    NoListing,

    #[error("the listing is not usable: {reason}")]
    #[diagnostic(
        code(akar::repl::listing),
        help("a listing is one JSON object, e.g. `:listing {{\"cluster\": \"fashion\"}}`")
    )]
    BadListing { reason: String },

    #[error("no rule `{name}` in the session")]
    #[diagnostic(code(akar::repl::unknown_rule))]
    UnknownRule {
        name: String,
        #[help]
        help: String,
    },

    #[error("no help on `{topic}`")]
    #[diagnostic(code(akar::repl::help_topic))]
    UnknownTopic {
        topic: String,
        #[help]
        help: String,
    },

    #[error("`{clause}` continues a rule, but no rule was just typed")]
    #[diagnostic(
        code(akar::repl::clause),
        help("type the rule first (`rule NAME` then its action line), then `{clause} ...`")
    )]
    LoneClause { clause: String },
}
