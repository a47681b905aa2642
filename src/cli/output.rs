//! Printing responses as the AWS CLI does: JSON indented by 4 spaces on standard output.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::PrettyFormatter;

use super::error::CliError;

/// Prints `response` as JSON indented by 4 spaces, or nothing for an empty object, as the AWS
/// CLI prints nothing for operations such as CreateUser that return `{}`.
///
/// A closed standard output, as when the reader of a pipe exits early, is not an error.
///
/// # Errors
///
/// [`CliError::Output`] when writing to standard output fails for another reason.
pub fn print_json(response: &impl Serialize) -> Result<(), CliError> {
    let text = to_pretty_json(response).map_err(|error| CliError::Output(error.into()))?;
    if text == b"{}" {
        return Ok(());
    }

    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(&text)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(error)),
        _ => Ok(()),
    }
}

fn to_pretty_json(value: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut text = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut text, PrettyFormatter::with_indent(b"    "));
    value.serialize(&mut serializer)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_indents_four_spaces() {
        let value = serde_json::json!({"FaceIds": ["a"], "Empty": []});
        let text = to_pretty_json(&value).expect("serializable");
        assert_eq!(
            String::from_utf8(text).expect("UTF-8"),
            "{\n    \"Empty\": [],\n    \"FaceIds\": [\n        \"a\"\n    ]\n}"
        );
    }
}
