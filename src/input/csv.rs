//! CSV catalogues: a header row names the fields; `seller.country` builds
//! `{"seller": {"country": ...}}`. Cells are typed: empty is missing, `true` and
//! `false` are booleans, plain decimal numbers are numbers (unless written with a
//! leading zero, like `0812...`), anything else is a string.

use std::io::Read;

use serde_json::{Map, Value as Json};

use super::{Record, Records};

pub fn records(reader: impl Read + Send + 'static) -> Records {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let headers: Result<Vec<Vec<String>>, String> = csv
        .headers()
        .map(|h| {
            h.iter()
                .map(|name| name.trim().split('.').map(str::to_string).collect())
                .collect()
        })
        .map_err(|e| format!("cannot read the CSV header row: {e}"));
    let headers = match headers {
        Ok(h) => h,
        Err(e) => {
            return Box::new(std::iter::once(Record {
                line: 1,
                listing: Err(e),
            }));
        }
    };
    Box::new(
        csv.into_records()
            .enumerate()
            .map(move |(index, row)| Record {
                line: index + 1,
                listing: match row {
                    Ok(row) => build(&headers, &row),
                    Err(e) => Err(row_error(&e)),
                },
            }),
    )
}

/// A bad row in words: the csv crate's messages name its own record and line
/// numbers, which would contradict the record's `line`.
fn row_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields, but the header names {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".into(),
        _ => "the row cannot be read as CSV".into(),
    }
}

fn build(headers: &[Vec<String>], row: &csv::StringRecord) -> Result<Json, String> {
    let mut object = Map::new();
    for (path, cell) in headers.iter().zip(row.iter()) {
        if let Some(value) = cell_value(cell) {
            insert(&mut object, path, value)?;
        }
    }
    Ok(Json::Object(object))
}

fn insert(object: &mut Map<String, Json>, path: &[String], value: Json) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let clash = || {
        format!(
            "column `{}` is both a value and a group of columns",
            path.join(".")
        )
    };
    let mut at = object;
    for segment in parents {
        let entry = at
            .entry(segment.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        at = entry.as_object_mut().ok_or_else(clash)?;
    }
    // A value where dotted columns already made a group is the same clash, the
    // other way round; either order is an error, never a silent loss.
    if at.get(last).is_some_and(Json::is_object) {
        return Err(clash());
    }
    at.insert(last.clone(), value);
    Ok(())
}

pub fn cell_value(cell: &str) -> Option<Json> {
    let cell = cell.trim();
    match cell {
        "" => None,
        "true" => Some(Json::Bool(true)),
        "false" => Some(Json::Bool(false)),
        _ if looks_numeric(cell) => serde_json::from_str(cell)
            .ok()
            .or_else(|| Some(Json::String(cell.into()))),
        _ => Some(Json::String(cell.into())),
    }
}

fn looks_numeric(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let leading_zero = int.len() > 1 && int.starts_with('0');
    !int.is_empty()
        && !leading_zero
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::cell_value;
    use serde_json::json;

    #[test]
    fn types_cells() {
        assert_eq!(cell_value(""), None);
        assert_eq!(cell_value("true"), Some(json!(true)));
        assert_eq!(cell_value("185000"), Some(json!(185000)));
        assert_eq!(cell_value("4.5"), Some(json!(4.5)));
        assert_eq!(cell_value("0812345"), Some(json!("0812345")));
        assert_eq!(cell_value("Jakarta Barat"), Some(json!("Jakarta Barat")));
        assert_eq!(cell_value("1e5"), Some(json!("1e5")));
    }
}
