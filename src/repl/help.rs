//! `:help` and its topics: enough to use the REPL without reading anything else.

use std::fmt::Write as _;

use super::commands::{COMMANDS, canonical};
use super::error::ReplError;
use crate::fuzzy::did_you_mean;

const OVERVIEW: &str = "\
Type a rule, a `let`, or a condition; commands start with `:`. For example:

  rule akar
    block import where cluster in [fashion, culinary, craft]
                       a rule goes on over lines until it is complete
  :listing {\"id\": \"LZ-1\", \"cluster\": \"fashion\", \"cross_border\": true}
                       the listing to try the rules on
  :eval                its decision, with the rules and their reasons
  :explain             why: each condition, the value it saw, true or false
  cluster in [fashion, craft]
                       a condition prints its value for the listing
";

const RULES: &str = "\
Rules
  block import where cluster in [fashion, culinary, craft]     one line, unnamed
  rule min_price                                               named, over lines
    block import where price < 100 USD
    unless cluster in [books, films, software, music]
    because \"Permendag 31/2023 art. 19\"
    effective 2023-09-26

  Actions: block, flag (human review), allow. The most severe matching rule wins;
  notice adds its reason beside the decision without changing it.
  Subjects: listing (all), import (`cross_border` is true), domestic (not import).
  A rule typed with the name of an existing one replaces it. A line starting with
  `where`, `because`, `unless`, `effective` or `until` adds to the rule typed last.
  Also: `let protected = [fashion, culinary, craft]`, `rate USD = 15_500 IDR`,
  `subject import = seller.country != \"ID\"`, `rule a overrides b ...`,
  `timezone \"Asia/Jakarta\"` (dates are local days there).
  Type a rule's name to see it; `:rules` lists them.
";

const CONDITIONS: &str = "\
Conditions
  cluster == fashion        cluster != craft        price < 100 USD     stock >= 10
  cluster in [fashion, craft]                       cluster not in [books]
  title contains \"hijab\"    title contains any [\"hijab\", \"gamis\"]
  title starts with \"Batik\"   title ends with any [\"kw\", \"ori\"]   tags contains \"frozen\"
  title contains word \"kw\"   title contains any word [\"kw\", \"replika\"]   (whole words)
  certifications.bpom matches \"^BPOM RI (MD|ML) [0-9]{12}$\"               (a pattern)
  price / pack_size < 100 USD   price * 7.5% > 10 USD   seller.address_country != seller.country
  certifications.halal is missing                   seller.rating is present
  A and B    A or B    not A    (A or B) and C

  A missing field makes a comparison false (and `!=` true). A field of the wrong
  type makes the decision `error`. Text matching ignores case.
";

const VALUES: &str = "\
Values
  text \"Batik Tulis\", symbols fashion (inside lists and after ==, !=, in),
  numbers 12, 12.5, 1_500_000, booleans true/false, dates 2021-08-09,
  money 100 USD or 30_000 IDR, lists [a, b, c], fields seller.country.
  A listing's money is {\"amount\": 185000, \"currency\": \"IDR\"}, or a plain number
  taken in the currency it is compared with. Across currencies, declare a rate:
  rate USD = 15_500 IDR
";

const KEYS: &str = "\
Keys
  Enter        run the input, or start a new line if it is unfinished
  blank line   run what is there, finished or not
  Alt-Enter    new line without running (to add `because` and friends)
  Tab          complete keywords, commands, rule and `let` names, fields, symbols
  →            accept the grey hint
  Ctrl-C       cancel the input         Ctrl-D      leave
  Ctrl-R       search the history (kept between sessions)
";

/// The help text for `topic` (`""` for the overview).
pub fn help(topic: &str) -> Result<String, ReplError> {
    let topic = topic.trim().trim_start_matches(':');
    match topic {
        "" => Ok(overview()),
        "rules" | "rule" => Ok(RULES.into()),
        "conditions" | "condition" => Ok(CONDITIONS.into()),
        "values" | "value" | "money" | "dates" => Ok(VALUES.into()),
        "keys" | "editing" => Ok(KEYS.into()),
        "commands" => Ok(commands()),
        word => match canonical(word) {
            Some(name) => Ok(command(name)),
            None => Err(unknown_topic(word)),
        },
    }
}

/// The topics, for completion.
pub const TOPICS: &[&str] = &["rules", "conditions", "values", "keys", "commands"];

fn overview() -> String {
    let mut text = OVERVIEW.to_string();
    text.push('\n');
    text.push_str(&commands());
    text.push_str("\nMore: :help rules | conditions | values | keys | COMMAND\n");
    text
}

fn commands() -> String {
    let mut text = "Commands\n".to_string();
    for c in COMMANDS {
        let usage = format!(":{} {}", c.name, c.args);
        let _ = writeln!(text, "  {:<20} {}", usage.trim_end(), c.summary);
    }
    text
}

fn command(name: &str) -> String {
    let Some(c) = COMMANDS.iter().find(|c| c.name == name) else {
        return commands();
    };
    let usage = format!(":{} {}", c.name, c.args);
    format!(
        "{}\n  {}\n  e.g. {}\n",
        usage.trim_end(),
        c.summary,
        c.example
    )
}

fn unknown_topic(word: &str) -> ReplError {
    let names = TOPICS
        .iter()
        .copied()
        .chain(COMMANDS.iter().map(|c| c.name));
    let help = match did_you_mean(word, names) {
        Some(near) => format!("did you mean `:help {near}`?"),
        None => format!("the topics are {}, or a command name", TOPICS.join(", ")),
    };
    ReplError::UnknownTopic {
        topic: word.to_string(),
        help,
    }
}
