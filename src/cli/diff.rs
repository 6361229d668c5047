//! `akar diff OLD NEW --listings CAT`: what a change to the rules does to a
//! catalogue. Also `--base REV` (the same paths at a git revision, as a pull
//! request's CI compares with its base) and `--to DATE` (the same rules on two
//! dates).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use super::eval::{InputFormatArg, parse_date, stats};
use super::{ErrorArgs, Exit, git, load_plan, render_problems};
use crate::check::check_sources;
use crate::diagnostics::{Style, render};
use crate::eval::Decider;
use crate::input::{self, Input};
use crate::plan::Plan;
use crate::review::compare::Compare;
use crate::review::diff::{DiffPart, DiffReport, DiffTally, Differ, SAMPLES, SideInfo};
use crate::review::render;
use crate::source::Sources;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW: two policy sets, each a policy file or a directory of
    /// `.policy` files. With `--base` or `--to`: the one policy set (with
    /// `--base`, `policies/` when none is given).
    pub files: Vec<PathBuf>,
    /// The catalogue: NDJSON, a JSON array, or CSV (by extension); `-` for stdin.
    #[arg(long, short = 'l')]
    pub listings: String,
    /// Read the catalogue as this format, whatever its extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// The before side is the same files as they are at this git revision
    /// (e.g. `origin/main`); the after side is the working tree.
    #[arg(long, value_name = "REV", conflicts_with = "to")]
    pub base: Option<String>,
    /// Evaluation date, `YYYY-MM-DD` (default: today).
    #[arg(long, value_parser = parse_date, default_value_t = chrono::Utc::now().date_naive())]
    pub at: NaiveDate,
    /// Compare the policies on `--at` with the same policies on this date:
    /// what changes when a deadline arrives.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// `table` for people, `markdown` for a pull-request comment, `json` for
    /// the whole report, `ndjson` for one record per changed listing.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Sample listings shown for each transition.
    #[arg(long, default_value_t = SAMPLES)]
    pub samples: usize,
    /// Exit 1 when any listing's decision changes (for changes that must not
    /// change behaviour).
    #[arg(long)]
    pub fail_on_change: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also report time, throughput and peak memory on stderr.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub errors: ErrorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
    Ndjson,
}

/// One side: its plan, what the report calls it, and its date.
struct Loaded {
    plan: Plan,
    info: SideInfo,
}

pub fn run(args: &DiffArgs) -> Exit {
    let style = args.errors.style();
    let [before, after] = match sides(args, style) {
        Ok(sides) => sides,
        Err(exit) => return exit,
    };
    let input = match input::open_input(&args.listings, args.input_format.map(Into::into)) {
        Ok(input) => input,
        Err(e) => {
            eprint!("{}", render(&miette::Report::new(e), style));
            return Exit::Usage;
        }
    };
    let started = std::time::Instant::now();
    let compared = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool.install(|| compare(&before, &after, input, args)),
        Err(_) => compare(&before, &after, input, args),
    };
    let tally = match compared {
        Ok(tally) => tally,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Exit::Ok,
        Err(e) => {
            eprintln!("akar: cannot read the listings or write the report: {e}");
            return Exit::Usage;
        }
    };
    let shared = args.stats.then(|| shared_rules(&before, &after));
    let report = DiffReport::new(
        tally,
        [(&before.plan, before.info), (&after.plan, after.info)],
    );
    let written = match args.format {
        DiffFormat::Table => write_out(&render::table(&report)),
        DiffFormat::Markdown => write_out(&render::markdown(&report)),
        DiffFormat::Json => {
            write_out(&(serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"))
        }
        DiffFormat::Ndjson => {
            eprintln!("akar: {}", report.headline());
            Ok(())
        }
    };
    if let Err(e) = written
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("akar: cannot write the report: {e}");
        return Exit::Usage;
    }
    if args.stats {
        eprintln!("akar: {}", stats(report.compared, started.elapsed()));
        eprintln!("akar: {}", shared.unwrap_or_default());
    }
    if args.fail_on_change && report.changed > 0 {
        eprintln!(
            "akar: failing, as `--fail-on-change` asks: {} listings change decision",
            report.changed
        );
        return Exit::Failed;
    }
    Exit::Ok
}

fn write_out(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Both sides, loaded and checked; on failure the diagnostics are written.
fn sides(args: &DiffArgs, style: Style) -> Result<[Loaded; 2], Exit> {
    let at = args.at;
    if let Some(rev) = &args.base {
        let files = match args.files.as_slice() {
            [] => vec![PathBuf::from("policies")],
            files => files.to_vec(),
        };
        let names = names(&files);
        let before = git::load_at(rev, &files).map_err(|e| {
            eprint!("{}", render(&miette::Report::new(e), style));
            Exit::Usage
        })?;
        let before = checked(before, style)?;
        let (_, after) = load_plan(&files, style)?;
        return Ok([
            Loaded {
                plan: before,
                info: SideInfo {
                    policies: format!("{names} at {rev}"),
                    at,
                },
            },
            Loaded {
                plan: after,
                info: SideInfo {
                    policies: format!("{names} (working tree)"),
                    at,
                },
            },
        ]);
    }
    if let Some(to) = args.to {
        if args.files.is_empty() {
            return Err(usage(
                "`akar diff --to DATE` needs the policy files to compare",
            ));
        }
        let names = names(&args.files);
        let (_, before) = load_plan(&args.files, style)?;
        let (_, after) = load_plan(&args.files, style)?;
        return Ok([
            Loaded {
                plan: before,
                info: SideInfo {
                    policies: names.clone(),
                    at,
                },
            },
            Loaded {
                plan: after,
                info: SideInfo {
                    policies: names,
                    at: to,
                },
            },
        ]);
    }
    let [old, new] = args.files.as_slice() else {
        return Err(usage(
            "`akar diff` compares two policy sets: give OLD and NEW (files or directories), \
             or one set with `--base REV` or `--to DATE`",
        ));
    };
    let mut loaded = Vec::with_capacity(2);
    for path in [old, new] {
        let (_, plan) = load_plan(std::slice::from_ref(path), style)?;
        loaded.push(Loaded {
            plan,
            info: SideInfo {
                policies: path.display().to_string(),
                at,
            },
        });
    }
    let after = loaded.pop();
    let before = loaded.pop();
    match (before, after) {
        (Some(before), Some(after)) => Ok([before, after]),
        _ => Err(Exit::Usage),
    }
}

fn usage(message: &str) -> Exit {
    eprintln!("akar: {message}");
    Exit::Usage
}

fn names(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn checked(sources: Sources, style: Style) -> Result<Plan, Exit> {
    check_sources(&sources).map_err(|problems| {
        eprint!("{}", render_problems(problems, &sources, style));
        Exit::Failed
    })
}

/// How many of the before side's rules in force were decided once for both.
fn shared_rules(before: &Loaded, after: &Loaded) -> String {
    let old = Decider::new(&before.plan, before.info.at);
    let new = Decider::new(&after.plan, after.info.at);
    let in_force = before
        .plan
        .rules()
        .iter()
        .filter(|r| r.in_force(before.info.at))
        .count();
    let lent = old.borrowing(&new).lent();
    format!(
        "{lent} of the {in_force} rules in force before are the same after: each decided once for both sides"
    )
}

/// Decides every listing under both sides; streams the changes for `ndjson`.
fn compare(
    before: &Loaded,
    after: &Loaded,
    input: Input,
    args: &DiffArgs,
) -> io::Result<DiffTally> {
    let stream = args.format == DiffFormat::Ndjson;
    let differ = Differ::new(&before.plan, &after.plan, args.samples, stream);
    let job = Compare::new(
        Decider::new(&before.plan, before.info.at),
        Decider::new(&after.plan, after.info.at),
        differ,
    );
    let mut tally = DiffTally::new(&before.plan, &after.plan);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    job.run(input, &mut |part: DiffPart| {
        tally.merge(part.tally, args.samples);
        out.write_all(&part.ndjson)
    })?;
    out.flush()?;
    Ok(tally)
}
