//! Dates in listings: RFC 3339 dates (`2025-04-11`) or date-times
//! (`2025-04-11T14:41:49Z`). A date-time compares with a date literal by its UTC day.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

pub fn parse_listing_date(text: &str) -> Option<NaiveDate> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_utc().date());
    }
    // A date-time without an offset is taken as UTC.
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.date())
}

#[cfg(test)]
mod tests {
    use super::parse_listing_date;

    #[test]
    fn reads_dates_and_date_times() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 4, 11);
        assert_eq!(parse_listing_date("2025-04-11"), day);
        assert_eq!(parse_listing_date("2025-04-11T14:41:49Z"), day);
        assert_eq!(parse_listing_date("2025-04-12T01:00:00+07:00"), day);
        assert_eq!(parse_listing_date("11/04/2025"), None);
        assert_eq!(parse_listing_date("2025-02-30"), None);
    }
}
