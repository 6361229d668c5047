//! `akar rules FILE... [--listings CAT]`: every rule, where it is written and
//! when it is in force; over a catalogue, how often each fired, decided a
//! listing alone, was suppressed or failed, and which never fire.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::eval::{InputFormatArg, parse_date};
use super::{ErrorArgs, Exit, load_plan};
use crate::batch::Decisions;
use crate::diagnostics::render;
use crate::eval::Decider;
use crate::input;
use crate::review::report::{Counting, RuleReport};
use crate::review::tally::Tally;

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Policy files, or directories of `.policy` files; together one policy set.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A catalogue to count what each rule does to.
    #[arg(long, short = 'l')]
    pub listings: Option<String>,
    /// Read the catalogue as this format, whatever its extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Evaluation date, `YYYY-MM-DD` (default: today).
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// `table` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Exit 1 when a rule in force never fires on the catalogue (dead rules
    /// fail CI).
    #[arg(long, requires = "listings")]
    pub fail_on_idle: bool,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

pub fn run(args: &RulesArgs) -> Exit {
    let style = args.errors.style();
    let (_, plan) = match load_plan(&args.files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let tally = match &args.listings {
        None => None,
        Some(path) => {
            let input = match input::open_input(path, args.input_format.map(Into::into)) {
                Ok(input) => input,
                Err(e) => {
                    eprint!("{}", render(&miette::Report::new(e), style));
                    return Exit::Usage;
                }
            };
            let job = Decisions::new(Decider::new(&plan, args.at), Counting { plan: &plan });
            let mut tally = Tally::new(&plan);
            if let Err(e) = job.run(input, &mut |part: Tally| {
                tally.merge(&part);
                Ok(())
            }) {
                eprintln!("akar: cannot read the listings: {e}");
                return Exit::Usage;
            }
            Some(tally)
        }
    };
    let report = RuleReport::new(&plan, args.at, tally.as_ref());
    match args.format {
        RulesFormat::Table => print!("{}", report.table()),
        RulesFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    let idle = report.never_fire.as_ref().is_some_and(|n| !n.is_empty());
    if args.fail_on_idle && idle {
        eprintln!("akar: failing, as `--fail-on-idle` asks: a rule in force never fires");
        return Exit::Failed;
    }
    Exit::Ok
}
