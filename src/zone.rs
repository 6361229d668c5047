//! The time zone a policy set reads listings' date-times in: cut-offs in
//! Indonesian law are local dates, and `2021-03-26T05:00:00+07:00` in Jakarta
//! is 26 March, though 25 March in UTC. Shared by the checker (which reads a
//! `timezone` declaration) and the evaluator (which reads dates with it).

use chrono::{DateTime, FixedOffset, NaiveDate};

/// An IANA zone (`Asia/Jakarta`) or a fixed offset (`+07:00`); UTC when a
/// policy declares none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    /// `Asia/Jakarta`, `UTC`, or `+07:00` / `-03:30`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Zone> {
        if text == "UTC" {
            return Some(Zone::Utc);
        }
        if let Some(offset) = fixed(text) {
            return Some(Zone::Fixed(offset));
        }
        text.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
    }

    /// The local date of an instant.
    pub fn date_of(self, at: DateTime<FixedOffset>) -> NaiveDate {
        match self {
            Zone::Utc => at.naive_utc().date(),
            Zone::Named(tz) => at.with_timezone(&tz).date_naive(),
            Zone::Fixed(offset) => at.with_timezone(&offset).date_naive(),
        }
    }

    /// Some zone names, for did-you-mean: those of Indonesia first.
    pub const KNOWN: &'static [&'static str] = &[
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
        "UTC",
        "Asia/Singapore",
        "Asia/Kuala_Lumpur",
        "Asia/Shanghai",
    ];
}

/// `+07:00`, `-0330`, `+07`.
fn fixed(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, text.get(1..)?),
        b'-' => (-1, text.get(1..)?),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::Zone;
    use chrono::{DateTime, NaiveDate};

    #[test]
    fn a_jakarta_morning_is_its_own_day() {
        let at = DateTime::parse_from_rfc3339("2021-03-26T05:00:00+07:00").unwrap_or_default();
        let day = |d| NaiveDate::from_ymd_opt(2021, 3, d).unwrap_or_default();
        assert_eq!(Zone::Utc.date_of(at), day(25));
        assert_eq!(
            Zone::parse("Asia/Jakarta").map(|z| z.date_of(at)),
            Some(day(26))
        );
        assert_eq!(Zone::parse("+07:00").map(|z| z.date_of(at)), Some(day(26)));
        assert_eq!(Zone::parse("Asia/Jakarat"), None);
        assert_eq!(Zone::parse("+25:00"), None);
    }
}
