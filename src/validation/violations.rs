//! Collects constraint violations and words them as the AWS service does.

use std::fmt::Display;

use crate::error::Error;

/// Violations listed in one message at most; the count in its first line stays exact.
const MAX_LISTED: usize = 10;

/// Longest rendering of a value in a message, in characters; a longer value is cut with `...`.
const MAX_VALUE_CHARS: usize = 512;

/// The violations found in one request, in the order the checks ran.
#[derive(Debug, Default)]
pub(crate) struct Violations {
    items: Vec<String>,
    count: usize,
}

impl Violations {
    /// Records that `value` at `path` (camelCase, such as `faceIds.2.member`) breaks `rule`,
    /// which completes the sentence "Member must ...".
    pub(crate) fn add(&mut self, path: &str, value: &dyn Display, rule: &str) {
        self.add_rendered(path, &format!("'{}'", truncate(&value.to_string())), rule);
    }

    /// Records a required member that is absent.
    pub(crate) fn add_missing(&mut self, path: &str) {
        self.add_rendered(path, "null", "Member must not be null");
    }

    fn add_rendered(&mut self, path: &str, value: &str, rule: &str) {
        self.count += 1;
        if self.items.len() < MAX_LISTED {
            self.items.push(format!(
                "Value {value} at '{path}' failed to satisfy constraint: {rule}"
            ));
        }
    }

    /// Checks a string's length in characters against `min..=max`.
    pub(crate) fn check_length(&mut self, path: &str, value: &str, min: usize, max: usize) {
        let length = value.chars().count();
        if length < min {
            self.add(
                path,
                &value,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if length > max {
            self.add(
                path,
                &value,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// Checks `value` against a pattern of the service model, shown in the message as written
    /// there.
    pub(crate) fn check_pattern(&mut self, path: &str, value: &str, matches: bool, pattern: &str) {
        if !matches {
            self.add(
                path,
                &value,
                &format!("Member must satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    /// Checks a list's length against `min..=max` and renders it as AWS does: `[a, b]`.
    pub(crate) fn check_list_length<T: Display>(
        &mut self,
        path: &str,
        list: &[T],
        min: usize,
        max: usize,
    ) {
        if list.len() >= min && list.len() <= max {
            return;
        }
        let rendered = render_list(list);
        if list.len() < min {
            self.add(
                path,
                &rendered,
                &format!("Member must have length greater than or equal to {min}"),
            );
        } else {
            self.add(
                path,
                &rendered,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// Checks an integer against `min..=max`.
    pub(crate) fn check_range(&mut self, path: &str, value: i64, min: i64, max: Option<i64>) {
        if value < min {
            self.add(
                path,
                &value,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|max| value > *max) {
            self.add(
                path,
                &value,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// Checks a percentage: a number from 0 to 100. NaN is reported as below the minimum.
    pub(crate) fn check_percent(&mut self, path: &str, value: f64) {
        if value.is_nan() || value < 0.0 {
            self.add(
                path,
                &value,
                "Member must have value greater than or equal to 0",
            );
        } else if value > 100.0 {
            self.add(
                path,
                &value,
                "Member must have value less than or equal to 100",
            );
        }
    }

    /// Returns the collected violations as one [`Error::Validation`], or `Ok` if there are none.
    pub(crate) fn into_result(self) -> Result<(), Error> {
        if self.count == 0 {
            return Ok(());
        }
        let noun = if self.count == 1 { "error" } else { "errors" };
        let mut message = format!(
            "{} validation {noun} detected: {}",
            self.count,
            self.items.join("; ")
        );
        if self.count > self.items.len() {
            message.push_str(&format!("; and {} more", self.count - self.items.len()));
        }
        Err(Error::Validation(message))
    }
}

fn render_list<T: Display>(list: &[T]) -> String {
    let items: Vec<String> = list.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_violation_wording() {
        let mut violations = Violations::default();
        violations.check_list_length::<String>("faceIds", &[], 1, 4096);
        let message = violations.into_result().unwrap_err().to_string();
        assert_eq!(
            message,
            "1 validation error detected: Value '[]' at 'faceIds' failed to satisfy constraint: \
             Member must have length greater than or equal to 1"
        );
    }

    #[test]
    fn several_violations_are_joined() {
        let mut violations = Violations::default();
        violations.add_missing("collectionId");
        violations.check_range("maxResults", 5000, 0, Some(4096));
        let message = violations.into_result().unwrap_err().to_string();
        assert!(message.starts_with("2 validation errors detected: Value null at 'collectionId'"));
        assert!(message.contains("; Value '5000' at 'maxResults'"));
    }

    #[test]
    fn long_value_is_cut() {
        let mut violations = Violations::default();
        let long = "x".repeat(2000);
        violations.check_length("collectionId", &long, 1, 255);
        let message = violations.into_result().unwrap_err().to_string();
        assert!(message.len() < 1000);
        assert!(message.contains("...'"));
    }
}
