//! Value parsers for clap: dates, and the core's serde enums by their stable names.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

/// A date as `YYYY-MM-DD`.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| format!("{s:?} is not a date as YYYY-MM-DD ({e})"))
}

/// One of the core's snake_case enums by its name (`signed_form` or `signed-form`).
pub fn name<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    let v = serde_json::Value::String(s.trim().replace('-', "_"));
    serde_json::from_value(v).map_err(|e| e.to_string())
}

/// A field for a request body, httpie-style: `key=text` sets a string, `key:=json` a JSON value
/// (numbers, booleans, arrays, objects). Dotted keys nest (`needs.beds:=2`).
pub fn pair(s: &str) -> Result<(String, serde_json::Value), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not key=value or key:=json"))?;
    if let Some(k) = k.strip_suffix(':') {
        let value = serde_json::from_str(v).map_err(|e| format!("{k}: {v:?} is not JSON ({e})"))?;
        return Ok((k.trim().to_owned(), value));
    }
    Ok((k.trim().to_owned(), serde_json::Value::String(v.to_owned())))
}

/// An identifier as `kind=value` (`phone=07700 900123`, `vehicle=AB12 CDE`).
pub fn identifier(s: &str) -> Result<serde_json::Value, String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?} is not kind=value (e.g. phone=07700 900123)"))?;
    Ok(serde_json::json!({"kind": k.trim().replace('-', "_"), "value": v}))
}

/// An enum name as the core spells it: snake_case, lower case.
pub fn snake(s: &str) -> String {
    s.trim().replace('-', "_").to_ascii_lowercase()
}
