//! The `:commands`: each reads its arguments and answers with a [`Reply`].

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::error::ReplError;
use super::help;
use super::listings::{Listing, one_line};
use super::session::{Reply, Session, count};
use crate::batch::{Collect, Decisions};
use crate::eval::explain::{self, RuleExplanation};
use crate::eval::{Decider, Decision, EvalError, decide};
use crate::fuzzy::did_you_mean;
use crate::input::{self, Input, Record};
use crate::json::Node;
use crate::output::{Notice, Outcome, Suppressed};
use crate::plan::Plan;
use crate::review::tally::Tally;

/// A command: its name, what it takes, and what it does (for `:help`).
pub struct Command {
    pub name: &'static str,
    pub args: &'static str,
    pub summary: &'static str,
    pub example: &'static str,
}

pub const COMMANDS: &[Command] = &[
    Command {
        name: "load",
        args: "FILE...",
        summary: "add policy files (or directories of .policy files)",
        example: ":load policies",
    },
    Command {
        name: "listing",
        args: "[{JSON}]",
        summary: "add a listing and make it current; alone, show the current one",
        example: ":listing {\"id\": \"LZ-1\", \"cluster\": \"fashion\", \"cross_border\": true}",
    },
    Command {
        name: "listings",
        args: "FILE",
        summary: "load listings from NDJSON, a JSON array or CSV",
        example: ":listings examples/listings.ndjson",
    },
    Command {
        name: "next",
        args: "",
        summary: "move to the next listing",
        example: ":next",
    },
    Command {
        name: "prev",
        args: "",
        summary: "move to the previous listing",
        example: ":prev",
    },
    Command {
        name: "eval",
        args: "[all]",
        summary: "decide the current listing; `all`: counts for every listing",
        example: ":eval all",
    },
    Command {
        name: "explain",
        args: "[RULE]",
        summary: "each condition of RULE (or of the rules that matched), the values it saw",
        example: ":explain akar",
    },
    Command {
        name: "rules",
        args: "",
        summary: "list the rules and `let`s in the session",
        example: ":rules",
    },
    Command {
        name: "at",
        args: "[DATE]",
        summary: "set the evaluation date, YYYY-MM-DD (default: today)",
        example: ":at 2021-08-09",
    },
    Command {
        name: "reset",
        args: "[all]",
        summary: "forget what was typed; `all`: also the files and listings",
        example: ":reset",
    },
    Command {
        name: "help",
        args: "[TOPIC]",
        summary: "help; topics: rules, conditions, values, keys, or a command",
        example: ":help conditions",
    },
    Command {
        name: "quit",
        args: "",
        summary: "leave the session (also Ctrl-D)",
        example: ":quit",
    },
];

/// Other names people reach for.
const ALIASES: &[(&str, &str)] = &[
    ("q", "quit"),
    ("exit", "quit"),
    ("h", "help"),
    ("?", "help"),
    ("e", "eval"),
    ("l", "load"),
];

pub fn canonical(name: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| c.name)
        .find(|c| *c == name)
        .or_else(|| ALIASES.iter().find(|(a, _)| *a == name).map(|(_, c)| *c))
}

impl Session {
    pub(super) fn command(&mut self, input: &str) -> Reply {
        let body = input.trim_start_matches(':');
        let (name, args) = match body.find(char::is_whitespace) {
            Some(i) => (&body[..i], body[i..].trim()),
            None => (body, ""),
        };
        let Some(command) = canonical(name) else {
            return self.unknown_command(name);
        };
        match command {
            "load" => self.load_command(args),
            "listing" => self.listing(args),
            "listings" => self.load_listings(args),
            "next" => self.step(true),
            "prev" => self.step(false),
            "eval" => self.eval_command(args),
            "explain" => self.explain(args),
            "rules" => self.rules(),
            "at" => self.at(args),
            "reset" => self.reset(args),
            "quit" => Reply {
                quit: true,
                ..Reply::default()
            },
            _ => match help::help(args) {
                Ok(text) => Reply::ok(text),
                Err(e) => self.error(e),
            },
        }
    }

    fn unknown_command(&self, name: &str) -> Reply {
        let names = COMMANDS.iter().map(|c| c.name);
        let help = match did_you_mean(name, names) {
            Some(near) => format!("did you mean `:{near}`? `:help` lists the commands"),
            None => "`:help` lists the commands".into(),
        };
        self.error(ReplError::UnknownCommand {
            name: name.to_string(),
            help,
        })
    }

    fn load_command(&mut self, args: &str) -> Reply {
        if args.is_empty() {
            return self.error(usage("load", "needs a file"));
        }
        let paths: Vec<PathBuf> = args.split_whitespace().map(PathBuf::from).collect();
        self.load(&paths)
    }

    fn listing(&mut self, args: &str) -> Reply {
        if args.is_empty() {
            return match self.listings.current() {
                Some((_, listing)) => {
                    let body = match &listing.json {
                        Ok(json) => serde_json::to_string_pretty(json).unwrap_or_default(),
                        Err(e) => format!("(cannot be read: {e})"),
                    };
                    let place = self.listings.describe_current();
                    Reply::ok(format!("// {place}, {}\n{body}", listing.origin))
                }
                None => self.error(ReplError::NoListing),
            };
        }
        match input::parse_object(args.as_bytes()) {
            Ok(json) => {
                self.listings.push(Listing {
                    json: Ok(json),
                    origin: "typed".into(),
                });
                Reply::ok(format!("current: {}", self.listings.describe_current()))
            }
            Err(reason) => self.error(ReplError::BadListing { reason }),
        }
    }

    fn load_listings(&mut self, args: &str) -> Reply {
        if args.is_empty() || args.split_whitespace().count() > 1 {
            return self.error(usage("listings", "needs one file"));
        }
        if args == "-" {
            // Standard input is where the session's own inputs come from.
            return self.error(usage("listings", "reads a file, not standard input"));
        }
        let records = match input::open(args, None) {
            Ok(records) => records,
            Err(e) => return self.error(e),
        };
        let items: Vec<Listing> = records
            .map(|r| Listing {
                json: r.listing,
                origin: format!("{args} line {}", r.line),
            })
            .collect();
        let bad: Vec<&Listing> = items.iter().filter(|l| l.json.is_err()).collect();
        let mut text = format!("loaded {} from {args}", count(items.len(), "listing"));
        if !bad.is_empty() {
            let places: Vec<&str> = bad.iter().take(5).map(|l| l.origin.as_str()).collect();
            let _ = write!(text, "; {} unreadable: {}", bad.len(), places.join(", "));
        }
        self.listings.replace(items);
        if !self.listings.is_empty() {
            let _ = write!(
                text,
                "\n`:eval` decides them all; `:next` and `:prev` go through them one by one"
            );
        }
        Reply::ok(text)
    }

    fn step(&mut self, forward: bool) -> Reply {
        if self.listings.is_empty() {
            return self.error(ReplError::NoListing);
        }
        if !self.listings.step(forward) {
            let end = if forward { "last" } else { "first" };
            return Reply::ok(format!(
                "already at the {end} listing: {}",
                self.listings.describe_current()
            ));
        }
        let summary = match self.listings.current() {
            Some((_, Listing { json: Ok(json), .. })) => one_line(json, 100),
            Some((_, Listing { json: Err(e), .. })) => format!("cannot be read: {e}"),
            None => String::new(),
        };
        Reply::ok(format!(
            "current: {}\n  {summary}",
            self.listings.describe_current()
        ))
    }

    fn eval_command(&mut self, args: &str) -> Reply {
        match args {
            "" if self.listings.is_picked() => self.eval_current(),
            "" => self.eval_all(),
            "all" => self.eval_all(),
            _ => self.error(usage("eval", "takes nothing, or `all`")),
        }
    }

    fn eval_current(&self) -> Reply {
        let listing = match self.current_listing() {
            Ok(listing) => listing,
            Err(e) => return self.error(e),
        };
        let plan = &self.plan;
        let head = format!("{} on {}", self.listings.describe_current(), self.date);
        match decide(plan, listing, self.date) {
            Ok(decision)
                if decision.rules.is_empty()
                    && decision.suppressed.is_empty()
                    && decision.notices.is_empty() =>
            {
                Reply::ok(format!(
                    "{}: {head} (no rule matches)",
                    decision.action.as_str()
                ))
            }
            Ok(decision) => {
                let mut text = format!("{}: {head}", decision.action.as_str());
                for rule in decision.rules.iter().filter_map(|i| plan.rule(*i)) {
                    let _ = write!(text, "\n  by {}: {}", rule.label, rule.reason());
                }
                for suppressed in Suppressed::of(plan, &decision).unwrap_or_default() {
                    let _ = write!(text, "\n  suppressed: {suppressed}");
                }
                for notice in Notice::of(plan, &decision).unwrap_or_default() {
                    let _ = write!(text, "\n  notice by {notice}");
                }
                Reply::ok(text)
            }
            Err(e) => Reply::ok(format!("error: {head}\n  {e}")),
        }
    }

    fn eval_all(&self) -> Reply {
        if self.listings.is_empty() {
            return self.error(ReplError::NoListing);
        }
        let (plan, date) = (&self.plan, self.date);
        let records: Vec<Record> = self
            .listings
            .all()
            .iter()
            .enumerate()
            .map(|(i, l)| Record {
                line: i + 1,
                listing: l.json.clone(),
            })
            .collect();
        let job = Decisions::new(Decider::new(plan, date), Outcomes { plan });
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(records.len());
        let mut tally = Tally::new(plan);
        let input = Input::Records(Box::new(records.into_iter()));
        // Reading from memory and keeping the outcomes cannot fail.
        let _ = job.run(input, &mut |(part, counts): (Vec<Outcome>, Tally)| {
            outcomes.extend(part);
            tally.merge(&counts);
            Ok(())
        });
        let mut text = format!("{} (on {date})", tally.summary);
        let counts = rule_counts(plan, &tally);
        let width = counts.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (label, line) in counts {
            let _ = write!(text, "\n  {label:<width$}  {line}");
        }
        for o in outcomes.iter().filter(|o| o.error.is_some()).take(5) {
            let _ = write!(
                text,
                "\n  listing {}: error: {}",
                o.line,
                o.error.as_deref().unwrap_or_default()
            );
        }
        Reply::ok(text)
    }

    fn explain(&self, args: &str) -> Reply {
        let listing = match self.current_listing() {
            Ok(listing) => listing,
            Err(e) => return self.error(e),
        };
        let explanation = explain::explain(&self.plan, listing, self.date);
        let described = self.listings.describe_current();
        let text = if args.is_empty() {
            // Every rule that had a say: applied, silenced, saved or failed.
            if !explanation.rules.iter().any(RuleExplanation::matters) {
                return self.nothing_matched();
            }
            explanation.render(&described, RuleExplanation::matters)
        } else {
            match self.find_rule(args) {
                Ok(index) => explanation.render(&described, |r| r.index == index),
                Err(e) => return self.error(e),
            }
        };
        Reply::ok(text.trim_end().to_string())
    }

    fn nothing_matched(&self) -> Reply {
        let names: Vec<&str> = self.plan.rules().iter().map(|r| r.label.as_str()).collect();
        let which = if names.is_empty() {
            "there are no rules yet: type one, e.g. `block import where cluster == fashion`".into()
        } else {
            format!(
                "`:explain RULE` shows why a rule does not: {}",
                names.join(", ")
            )
        };
        Reply::ok(format!(
            "no rule matches {} on {}, so it is allowed\n{which}",
            self.listings.describe_current(),
            self.date
        ))
    }

    fn find_rule(&self, name: &str) -> Result<usize, ReplError> {
        let rules = self.plan.rules();
        if let Some(index) = rules.iter().position(|r| r.label == name) {
            return Ok(index);
        }
        let labels = rules.iter().map(|r| r.label.as_str());
        let help = match did_you_mean(name, labels) {
            Some(near) => format!("did you mean `{near}`?"),
            None if rules.is_empty() => "there are no rules yet".into(),
            None => format!(
                "the rules are: {}",
                rules
                    .iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(ReplError::UnknownRule {
            name: name.to_string(),
            help,
        })
    }

    fn rules(&self) -> Reply {
        let rules = self.plan.rules();
        if rules.is_empty() {
            return Reply::ok("no rules yet: type one, or `:load FILE`");
        }
        let origins = self.policy.rule_origins();
        let width = rules.iter().map(|r| r.label.len()).max().unwrap_or(0);
        let mut text = count(rules.len(), "rule");
        for (i, rule) in rules.iter().enumerate() {
            let origin = origins.get(i).map_or("", String::as_str);
            let note = if rule.in_force(self.date) {
                String::new()
            } else {
                format!("  (not in force on {})", self.date)
            };
            let action = rule.action.as_str();
            let _ = write!(
                text,
                "\n  {:<width$}  {action:<5}  {origin}{note}",
                rule.label
            );
        }
        let lets = self.vocabulary().lets;
        if !lets.is_empty() {
            let _ = write!(text, "\nlets: {}", lets.join(", "));
        }
        text.push_str("\ntype a rule's name to see it");
        Reply::ok(text)
    }

    fn at(&mut self, args: &str) -> Reply {
        if args.is_empty() {
            return Reply::ok(format!("evaluating on {}", self.date));
        }
        match NaiveDate::parse_from_str(args, "%Y-%m-%d") {
            Ok(date) => {
                self.date = date;
                Reply::ok(format!("evaluating on {date}"))
            }
            Err(_) => self.error(ReplError::BadDate {
                text: args.to_string(),
            }),
        }
    }

    fn reset(&mut self, args: &str) -> Reply {
        let mut candidate = self.policy.clone();
        let text = match args {
            "" => {
                let typed = candidate.reset();
                let files = candidate.file_names().len();
                format!(
                    "forgot {}; kept {}",
                    count(typed, "typed input"),
                    count(files, "file")
                )
            }
            "all" => {
                candidate.clear();
                self.listings.clear();
                "forgot every rule, file and listing".to_string()
            }
            _ => return self.error(usage("reset", "takes nothing, or `all`")),
        };
        match self.recheck(candidate) {
            Ok(()) => Reply::ok(text),
            Err(problems) => Reply::failed(problems),
        }
    }
}

fn usage(command: &'static str, problem: &str) -> ReplError {
    let usage = COMMANDS
        .iter()
        .find(|c| c.name == command)
        .map_or("", |c| c.args);
    ReplError::Usage {
        command,
        problem: problem.to_string(),
        usage: format!(":{command} {usage}").trim_end().to_string(),
    }
}

/// What each rule did, in policy order, skipping rules that did nothing:
/// `2 listings`, with how many it was suppressed in or failed on.
fn rule_counts<'p>(plan: &'p Plan, tally: &Tally) -> Vec<(&'p str, String)> {
    plan.rules()
        .iter()
        .zip(&tally.rules)
        .filter(|(_, counts)| !counts.is_idle())
        .map(|(rule, counts)| {
            let mut line = count(counts.fired, "listing");
            if counts.suppressed > 0 {
                let _ = write!(line, ", suppressed in {}", counts.suppressed);
            }
            if counts.errors > 0 {
                let _ = write!(line, ", cannot decide {}", count(counts.errors, "listing"));
            }
            (rule.label.as_str(), line)
        })
        .collect()
}

/// Every listing's outcome, kept for the session's report.
struct Outcomes<'p> {
    plan: &'p Plan,
}

impl Collect for Outcomes<'_> {
    type Part = (Vec<Outcome>, Tally);

    fn part(&self, records: usize) -> Self::Part {
        (Vec::with_capacity(records), Tally::new(self.plan))
    }

    fn decided<N: Node>(
        &self,
        part: &mut Self::Part,
        line: usize,
        listing: &crate::eval::Listing<N>,
        decision: Result<&Decision, &EvalError>,
    ) {
        let id: Option<Json> = listing
            .id(self.plan)
            .and_then(|id| serde_json::from_str(&id.to_json()).ok());
        part.0
            .push(Outcome::new(self.plan, line, id.as_ref(), decision));
        part.1.count(self.plan, decision);
    }

    fn unreadable(&self, part: &mut Self::Part, line: usize, error: &str) {
        part.0.push(Outcome::failed(line, None, error.to_string()));
        part.1.unreadable();
    }
}
