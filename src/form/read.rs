//! Reading what was typed: every value either parses or leaves an error at its field and
//! location; nothing typed is dropped without one.

use jiff::civil::{Date, DateTime};

use crate::engine::{Error, Field, Hours, Location, Millilitres, Problem, echo, parse_date, parse_number, parse_time};

/// Collects the errors of one conversion.
#[derive(Debug, Default)]
pub(super) struct Reader {
    pub errors: Vec<Error>,
}

fn located(error: Error, at: Option<Location>) -> Error {
    match at {
        Some(at) => error.located(at),
        None => error,
    }
}

impl Reader {
    /// Records `problem` at `field` (at `at`).
    pub fn problem(&mut self, field: Field, at: Option<Location>, problem: Problem) {
        self.errors.push(located(Error::new(field, problem), at));
    }

    /// Records an error described in words.
    pub fn invalid(&mut self, field: Field, at: Option<Location>, detail: impl Into<String>) {
        self.problem(field, at, Problem::Invalid { detail: detail.into() });
    }

    /// A required number, not negative.
    pub fn number(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<f64> {
        match parse_number(field, text) {
            Ok(v) if v < 0.0 => {
                self.problem(field, at, Problem::Negative);
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(located(e, at));
                None
            }
        }
    }

    /// An optional number: `Some(None)` when empty, `None` when it does not parse (reported).
    pub fn optional(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Option<f64>> {
        if text.trim().is_empty() {
            Some(None)
        } else {
            self.number(field, at, text).map(Some)
        }
    }

    /// A required number greater than zero.
    pub fn positive(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<f64> {
        let v = self.number(field, at, text)?;
        if v > 0.0 {
            Some(v)
        } else {
            self.problem(field, at, Problem::Zero);
            None
        }
    }

    /// A required volume in mL.
    pub fn ml(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Millilitres> {
        let v = self.number(field, at, text)?;
        self.millilitres(field, at, v)
    }

    /// An optional volume in mL (`Some(None)` when empty).
    pub fn optional_ml(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Option<Millilitres>> {
        match self.optional(field, at, text)? {
            Some(v) => self.millilitres(field, at, v).map(Some),
            None => Some(None),
        }
    }

    fn millilitres(&mut self, field: Field, at: Option<Location>, v: f64) -> Option<Millilitres> {
        Millilitres::new(v)
            .map_err(|e| self.errors.push(located(e.at(field), at)))
            .ok()
    }

    /// A duration typed in minutes, greater than zero.
    pub fn minutes(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Hours> {
        let m = self.positive(field, at, text)?;
        self.hours_of(field, at, m / 60.0)
    }

    /// A duration typed in hours, greater than zero.
    pub fn hours(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Hours> {
        let h = self.positive(field, at, text)?;
        self.hours_of(field, at, h)
    }

    fn hours_of(&mut self, field: Field, at: Option<Location>, h: f64) -> Option<Hours> {
        Hours::new(h)
            .map_err(|e| self.errors.push(located(e.at(field), at)))
            .ok()
    }

    /// A whole number.
    pub fn count(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<u32> {
        let trimmed = text.trim();
        match trimmed.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) if trimmed.is_empty() => {
                self.problem(field, at, Problem::Missing);
                None
            }
            Err(_) => {
                self.invalid(
                    field,
                    at,
                    format!("\u{201c}{}\u{201d} is not a whole number", echo(trimmed)),
                );
                None
            }
        }
    }

    /// An optional whole number (`Some(None)` when empty).
    pub fn optional_count(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Option<u32>> {
        if text.trim().is_empty() {
            Some(None)
        } else {
            self.count(field, at, text).map(Some)
        }
    }

    /// A date.
    pub fn date(&mut self, field: Field, at: Option<Location>, text: &str) -> Option<Date> {
        parse_date(field, text)
            .map_err(|e| self.errors.push(located(e, at)))
            .ok()
    }

    /// A date and a time of day, each reported at its own field.
    pub fn when(&mut self, at: Option<Location>, date: &str, time: &str) -> Option<DateTime> {
        let d = self.date(Field::Date, at, date);
        let t = parse_time(Field::Time, time)
            .map_err(|e| self.errors.push(located(e, at)))
            .ok();
        Some(d?.to_datetime(t?))
    }
}
