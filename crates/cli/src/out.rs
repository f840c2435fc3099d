//! Printing: tables for people (sized to the terminal, colour only on a terminal), one JSON
//! document per command for scripts.

use std::io::{IsTerminal, Write};

use comfy_table::{Attribute, Cell, ColumnConstraint, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::fail::Result;

/// Where and how a command prints.
#[derive(Clone, Copy, Debug)]
pub struct Out {
    /// `--json`: one JSON document on stdout.
    pub json: bool,
    /// `-q`: no chatter (results still print).
    pub quiet: bool,
    /// `-v` count: extra detail.
    pub verbose: u8,
    /// stdout is a terminal.
    pub tty: bool,
}

impl Out {
    /// From the global options.
    pub fn new(json: bool, quiet: bool, verbose: u8) -> Self {
        Self {
            json,
            quiet,
            verbose,
            tty: std::io::stdout().is_terminal(),
        }
    }

    /// Prints `value` as pretty JSON.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value)?;
        writeln!(stdout)?;
        Ok(())
    }

    /// Prints `value` as JSON under `--json`, else runs `human`.
    pub fn emit<T: Serialize + ?Sized>(&self, value: &T, human: impl FnOnce()) -> Result<()> {
        if self.json {
            self.json(value)
        } else {
            human();
            Ok(())
        }
    }

    /// A line of chatter for people (silenced by `-q` and `--json`), on stderr so that stdout
    /// stays the result.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet && !self.json {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// A table of rows under a header.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) {
        let mut t = self.base_table();
        t.set_header(header.iter().map(|h| self.head(h)));
        let empty = rows.is_empty();
        let mut widest: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, cell) in r.iter().enumerate() {
                if let Some(w) = widest.get_mut(i) {
                    *w = (*w).max(cell.lines().map(|l| l.chars().count()).max().unwrap_or(0));
                }
            }
        }
        for r in rows {
            t.add_row(r);
        }
        // Ids, references and dates are read whole, and short values are not broken up: only
        // long prose wraps to fit the terminal.
        for (i, h) in header.iter().enumerate() {
            let whole = matches!(
                *h,
                "id" | "reference"
                    | "case"
                    | "date"
                    | "due"
                    | "opened"
                    | "on"
                    | "received"
                    | "lodged"
                    | "claim"
            ) || h.ends_with("id");
            let constraint = if whole || widest[i] <= 14 {
                ColumnConstraint::ContentWidth
            } else {
                ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(14))
            };
            if let Some(c) = t.column_mut(i) {
                c.set_constraint(constraint);
            }
        }
        if empty {
            if !self.quiet {
                println!("(none)");
            }
        } else {
            println!("{t}");
        }
    }

    /// A two-column table of fields and values.
    pub fn fields<K: AsRef<str>>(&self, rows: Vec<(K, String)>) {
        let mut t = self.base_table();
        for (k, v) in rows {
            t.add_row(vec![self.head(k.as_ref()), Cell::new(v)]);
        }
        if let Some(c) = t.column_mut(0) {
            c.set_constraint(ColumnConstraint::ContentWidth);
        }
        println!("{t}");
    }

    fn head(&self, text: &str) -> Cell {
        let c = Cell::new(text);
        if self.tty {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }

    fn base_table(&self) -> Table {
        let mut t = Table::new();
        if self.tty {
            t.load_preset(presets::UTF8_FULL_CONDENSED);
            // Fit the terminal, unless it reports no useful width (a pty without a size).
            if t.width().is_some_and(|w| w >= 40) {
                t.set_content_arrangement(ContentArrangement::Dynamic);
            }
            if std::env::var_os("NO_COLOR").is_some() {
                t.force_no_tty();
            }
        } else {
            t.load_preset(presets::ASCII_BORDERS_ONLY_CONDENSED)
                .force_no_tty();
        }
        t
    }
}

/// A serde value in words: a bare string for enums and dates, compact JSON otherwise.
pub fn word<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => String::new(),
        Ok(serde_json::Value::Array(items)) => {
            items.iter().map(word).collect::<Vec<_>>().join(", ")
        }
        Ok(serde_json::Value::Object(map)) => {
            // Internally tagged enums: `{"type": "closed", "closure_reason": "…"}` → `closed (…)`.
            let tag = ["type", "state", "status", "track", "constraint"]
                .iter()
                .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_owned));
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, _)| {
                    tag.is_none()
                        || !["type", "state", "status", "track", "constraint"].contains(&k.as_str())
                })
                .map(|(k, v)| format!("{k}: {}", word(v)))
                .collect();
            match (tag, rest.is_empty()) {
                (Some(t), true) => t,
                (Some(t), false) => format!("{t} ({})", rest.join(", ")),
                (None, _) => rest.join(", "),
            }
        }
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// An optional value in words, `-` when absent.
pub fn opt<T: Serialize>(value: &Option<T>) -> String {
    match value {
        Some(v) => word(v),
        None => "-".into(),
    }
}

/// A JSON object as a two-column table (the human view of records with many fields).
pub fn object_rows(value: &serde_json::Value) -> Vec<(String, String)> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('_', " "), word(v)))
            .collect(),
        other => vec![(String::new(), word(other))],
    }
}

impl Out {
    /// Prints any serialisable record: JSON under `--json`, else its top-level fields.
    pub fn record<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        if self.json {
            return self.json(value);
        }
        let v = serde_json::to_value(value)?;
        self.fields(object_rows(&v));
        Ok(())
    }
}
