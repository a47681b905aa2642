//! JSON number formatting shared by the response types.

use serde::Serializer;

/// Serializes a float the way the AWS CLI prints it: a whole number without a fraction (`100`,
/// not `100.0`), anything else as the shortest text that reads back as the same `f64`.
pub(crate) fn serialize_float<S: Serializer>(
    value: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // 2^53: every integer up to here is exact in an f64, so printing it as an integer loses nothing.
    const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

    if value.fract() == 0.0 && value.abs() <= MAX_EXACT_INTEGER {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked above to be a whole number within i64"
        )]
        return serializer.serialize_i64(*value as i64);
    }
    serializer.serialize_f64(*value)
}

/// [`serialize_float`] for an optional field that is skipped when absent.
pub(crate) fn serialize_optional_float<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize_float(value, serializer),
        None => serializer.serialize_none(),
    }
}
