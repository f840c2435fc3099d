//! Request bodies for the core's richer inputs: the HTTP API's JSON (`--input FILE`), with
//! fields set or overridden on the command line (`--set key=text`, `--set key:=json`).

use std::path::PathBuf;

use clap::Args;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::fail::{Result, usage};
use crate::parse;

/// `--input FILE` and `--set KEY=VALUE…`.
#[derive(Args, Debug, Default, Clone)]
pub struct Body {
    /// The request as JSON (the HTTP API's body); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A field: `key=text` or `key:=json`; dotted keys nest (repeat).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse::pair)]
    pub set: Vec<(String, Value)>,
}

impl Body {
    /// The body: `base` (from named flags), then the input file, then each `--set`, read as `T`.
    pub fn build<T: DeserializeOwned>(self, base: Value) -> Result<T> {
        let mut v = match base {
            Value::Object(_) => base,
            _ => Value::Object(Map::new()),
        };
        if let Some(path) = &self.input {
            let text = if path.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(path)
                    .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?
            };
            let file: Value = serde_json::from_str(&text)
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            merge(&mut v, file);
        }
        for (key, value) in self.set {
            set(&mut v, &key, value);
        }
        serde_json::from_value(v).map_err(|e| usage(format!("invalid request: {e}")))
    }
}

/// Sets `path` (dotted) in `v`, creating objects on the way.
pub fn set(v: &mut Value, path: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("an object");
        if i + 1 == parts.len() {
            map.insert((*part).to_owned(), value);
            return;
        }
        cur = map
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Overlays `top` on `base`, object by object.
fn merge(base: &mut Value, top: Value) {
    match (base, top) {
        (Value::Object(b), Value::Object(t)) => {
            for (k, v) in t {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, t) => *b = t,
    }
}

/// Puts the named flags that were given into a base object.
#[macro_export]
macro_rules! base {
    ($($key:literal => $val:expr),* $(,)?) => {{
        let mut m = serde_json::Map::new();
        $(
            let v = serde_json::to_value(&$val).unwrap_or(serde_json::Value::Null);
            if !v.is_null() && v != serde_json::Value::Array(vec![]) && v != serde_json::Value::Bool(false) {
                $crate::body::set_in(&mut m, $key, v);
            }
        )*
        serde_json::Value::Object(m)
    }};
}

/// Inserts a dotted key into a map (for [`base!`]).
pub fn set_in(m: &mut Map<String, Value>, key: &str, v: Value) {
    let mut obj = Value::Object(std::mem::take(m));
    set(&mut obj, key, v);
    if let Value::Object(o) = obj {
        *m = o;
    }
}
