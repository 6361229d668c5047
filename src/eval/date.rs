//! Dates in listings: RFC 3339 dates (`2025-04-11`) or date-times
//! (`2025-04-11T14:41:49Z`). A date-time compares with a date by its day in the
//! policy set's time zone (`timezone`, UTC when none is declared); one written
//! without an offset is a local time there.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::zone::Zone;

pub fn parse_listing_date(text: &str, zone: Zone) -> Option<NaiveDate> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(zone.date_of(at));
    }
    // A local date-time, in the policy's zone: its date is its own.
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
