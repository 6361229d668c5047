//! Dates in listings: RFC 3339 dates (`2025-04-11`) or date-times
//! (`2025-04-11T14:41:49Z`). A date-time compares with a date by its day in the
//! policy set's time zone (`timezone`, UTC when none is declared); one written
//! without an offset is a local time there.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::zone::Zone;

pub fn parse_listing_date(text: &str, zone: Zone) -> Option<NaiveDate> {
    // chrono's `%Y-%m-%d` also takes `2025-4-1`, ` 2025-04-01` and `+2025-04-01`,
    // which are not RFC 3339 (and which `akar sql`'s engines do not read): the
    // shape is checked first.
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let day_shaped = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10);
    if !day_shaped {
        return None;
    }
    if bytes.len() == 10 {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(zone.date_of(at));
    }
    // A local date-time, in the policy's zone: its date is its own.
    let time_shaped = bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19)
        && (bytes.len() == 19
            || (bytes.get(19) == Some(&b'.') && bytes.len() > 20 && digits(20..bytes.len())));
    if !time_shaped {
        return None;
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.date())
}

#[cfg(test)]
mod tests {
    use super::parse_listing_date;
    use crate::zone::Zone;

    #[test]
    fn reads_dates_and_date_times() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 4, 11);
        let utc = Zone::Utc;
        assert_eq!(parse_listing_date("2025-04-11", utc), day);
        assert_eq!(parse_listing_date("2025-04-11T14:41:49Z", utc), day);
        assert_eq!(parse_listing_date("2025-04-12T01:00:00+07:00", utc), day);
        assert_eq!(parse_listing_date("11/04/2025", utc), None);
        assert_eq!(parse_listing_date("2025-02-30", utc), None);
        // Not RFC 3339, though chrono's `%Y-%m-%d` would take them.
        for loose in [
            "2025-4-1",
            " 2025-04-11",
            "+2025-04-01",
            "2025-04-11T14:41",
            "2025-04-11T14:41:49.",
        ] {
            assert_eq!(parse_listing_date(loose, utc), None, "{loose}");
        }
        assert_eq!(parse_listing_date("2025-04-11T14:41:49.5", utc), day);
        let jakarta = Zone::parse("Asia/Jakarta").unwrap_or_default();
        let next = chrono::NaiveDate::from_ymd_opt(2025, 4, 12);
        assert_eq!(
            parse_listing_date("2025-04-12T01:00:00+07:00", jakarta),
            next
        );
        assert_eq!(parse_listing_date("2025-04-11T18:00:00Z", jakarta), next);
        assert_eq!(parse_listing_date("2025-04-11T23:30:00", jakarta), day);
    }
}
