//! Reading faces to import from a file, streamed face by face with the line each starts on.
//!
//! Two formats are accepted, distinguished by the first key of the first JSON object:
//!
//! - JSON lines: one face object a line, such as
//!   `{"FaceId": "…", "Embedding": [0.1, …]}`; blank lines are skipped.
//! - One ListFaces response document, `{"Faces": [face, …], "FaceModelVersion": "7.0"}`, as
//!   `aws rekognition list-faces` prints it. Its first key is `Faces`, `FaceModelVersion` or
//!   `NextToken`, none of which is a face field.
//!
//! A face object has the AWS `Face` fields plus `Embedding` (see [`FaceInput`]); unknown
//! fields are ignored, as the service ignores unknown members. Neither format is read into
//! memory whole: lines are read one at a time, and the `Faces` array of a document is
//! deserialized element by element. Each face is checked against the constraints that
//! ImportFaces applies before storage, so a bad face is reported with its line.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::ops::ControlFlow;
use std::rc::Rc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::api::FaceInput;
use crate::error::Error;
use crate::validation::check_face;

/// Maximum length of a line of JSON lines input, in bytes, without its line break. A face with a
/// 4096-float embedding takes about 100 KiB of JSON, so only a malformed input reaches this.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Maximum number of bytes read ahead to find the first key of the input.
const MAX_DETECTION_BYTES: usize = 4096;

/// Members of a face object.
const FACE_MEMBERS: [&str; 8] = [
    "FaceId",
    "BoundingBox",
    "ImageId",
    "ExternalImageId",
    "Confidence",
    "IndexFacesModelVersion",
    "UserId",
    "Embedding",
];

/// Top-level keys of a ListFaces response. A face object has none of them.
const LIST_FACES_KEYS: [&[u8]; 3] = [b"Faces", b"FaceModelVersion", b"NextToken"];

/// The two formats of import input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One face object a line.
    JsonLines,
    /// One ListFaces response document with a `Faces` array.
    ListFacesDocument,
}

/// A face read from import input, with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedFace {
    /// Line on which the face's JSON object starts, counting from 1.
    pub line: u64,
    /// Position of the face among the faces of the input, counting from 1.
    pub position: usize,
    /// The face, already checked against ImportFaces' per-face constraints.
    pub face: FaceInput,
}

/// Import input that cannot be read or contains a bad face.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportFileError {
    /// Reading the input failed.
    #[error("reading the import input failed: {0}")]
    Read(#[source] io::Error),

    /// The input is not valid JSON, or not shaped as a face object or a ListFaces response.
    #[error("line {line} column {column}: {message}")]
    InvalidJson {
        /// Line of the error, counting from 1.
        line: u64,
        /// Column of the error in bytes, counting from 1.
        column: u64,
        /// Description of the error, from serde_json.
        message: String,
    },

    /// A line of JSON lines input is longer than [`MAX_LINE_BYTES`].
    #[error(
        "line {line} is longer than {MAX_LINE_BYTES} bytes; JSON lines input holds one face \
         object a line"
    )]
    LineTooLong {
        /// The long line, counting from 1.
        line: u64,
    },

    /// A face breaks a constraint of ImportFaces, such as a `FaceId` that is not a UUID.
    #[error("line {line}: {source}")]
    InvalidFace {
        /// Line on which the face starts, counting from 1.
        line: u64,
        /// Position of the face in the input, counting from 1.
        position: usize,
        /// The error ImportFaces returns for this face.
        #[source]
        source: Error,
    },
}

/// Parses one line of JSON lines input into a face; a blank line gives `None`.
///
/// `line` and `position` (both counting from 1) only label errors: `position` is the face's
/// place among the faces of the input, which differs from `line` when blank lines precede it.
///
/// # Errors
///
/// [`ImportFileError::InvalidJson`] when the line is not one JSON object of the face shape,
/// [`ImportFileError::InvalidFace`] when a field breaks a constraint of ImportFaces.
pub fn parse_face_line(
    bytes: &[u8],
    line: u64,
    position: usize,
) -> Result<Option<FaceInput>, ImportFileError> {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let leading_whitespace = bytes.len() - bytes.trim_ascii_start().len();

    let face: FaceInput = serde_json::from_slice(trimmed).map_err(|error| {
        let column = error.column() as u64 + leading_whitespace as u64;
        json_error(&error, line, column)
    })?;
    if face == FaceInput::default() {
        reject_object_without_face_members(trimmed, line, leading_whitespace as u64 + 1)?;
    }
    check_face(&face, position.saturating_sub(1)).map_err(|source| {
        ImportFileError::InvalidFace {
            line,
            position,
            source,
        }
    })?;
    Ok(Some(face))
}

/// Reads every face of `input`, in either format, and passes each to `visit` in input order.
///
/// `visit` returns [`ControlFlow::Break`] to stop reading; its value is returned as is. Memory
/// use is bounded by one line or one face, whatever the size of the input.
///
/// # Errors
///
/// [`ImportFileError::Read`] when reading fails, [`ImportFileError::InvalidJson`] or
/// [`ImportFileError::LineTooLong`] for input that is not one of the two formats, and
/// [`ImportFileError::InvalidFace`] for a face that breaks a constraint of ImportFaces. The
/// faces before the error have been passed to `visit`.
pub fn read_faces<B>(
    input: impl Read,
    visit: impl FnMut(LocatedFace) -> ControlFlow<B>,
) -> Result<ControlFlow<B>, ImportFileError> {
    let mut input = BufReader::new(input);
    let (format, prefix) = detect_format(&mut input)?;
    tracing::debug!(?format, "reading import input");

    // The bytes read to detect the format are replayed before the rest of the input.
    let input = Cursor::new(prefix).chain(input);
    match format {
        InputFormat::JsonLines => read_json_lines(BufReader::new(input), visit),
        InputFormat::ListFacesDocument => read_document(input, visit),
    }
}

/// Reads up to the first key of the input and returns the format with the bytes it read.
fn detect_format(input: &mut impl BufRead) -> Result<(InputFormat, Vec<u8>), ImportFileError> {
    let mut prefix = Vec::new();

    if next_significant_byte(input, &mut prefix)? != Some(b'{') {
        return Ok((InputFormat::JsonLines, prefix));
    }
    if next_significant_byte(input, &mut prefix)? != Some(b'"') {
        return Ok((InputFormat::JsonLines, prefix));
    }
    let key_start = prefix.len();
    let mut escaped = false;
    while let Some(byte) = next_byte(input, &mut prefix)? {
        if byte == b'"' && !escaped {
            let key = &prefix[key_start..prefix.len() - 1];
            let format = if LIST_FACES_KEYS.contains(&key) {
                InputFormat::ListFacesDocument
            } else {
                InputFormat::JsonLines
            };
            return Ok((format, prefix));
        }
        escaped = byte == b'\\' && !escaped;
        if prefix.len() >= MAX_DETECTION_BYTES {
            break;
        }
    }
    Ok((InputFormat::JsonLines, prefix))
}

/// Reads past JSON whitespace and returns the next byte, appending all of them to `prefix`.
fn next_significant_byte(
    input: &mut impl BufRead,
    prefix: &mut Vec<u8>,
) -> Result<Option<u8>, ImportFileError> {
    while let Some(byte) = next_byte(input, prefix)? {
        if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            return Ok(Some(byte));
        }
        if prefix.len() >= MAX_DETECTION_BYTES {
            break;
        }
    }
    Ok(None)
}

fn next_byte(
    input: &mut impl BufRead,
    prefix: &mut Vec<u8>,
) -> Result<Option<u8>, ImportFileError> {
    let byte = loop {
        match input.fill_buf() {
            Ok(buffer) => break buffer.first().copied(),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(ImportFileError::Read(error)),
        }
    };
    if let Some(byte) = byte {
        input.consume(1);
        prefix.push(byte);
    }
    Ok(byte)
}

fn read_json_lines<B>(
    mut input: impl BufRead,
    mut visit: impl FnMut(LocatedFace) -> ControlFlow<B>,
) -> Result<ControlFlow<B>, ImportFileError> {
    let mut buffer = Vec::new();
    let mut line = 0;
    let mut position = 0;
    loop {
        buffer.clear();
        line += 1;

        // One byte more than the limit, for the line break.
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = (&mut input)
            .take(limit)
            .read_until(b'\n', &mut buffer)
            .map_err(ImportFileError::Read)?;
        if read == 0 {
            return Ok(ControlFlow::Continue(()));
        }
        if buffer.len() > MAX_LINE_BYTES && buffer.last() != Some(&b'\n') {
            return Err(ImportFileError::LineTooLong { line });
        }

        let Some(face) = parse_face_line(&buffer, line, position + 1)? else {
            continue;
        };
        position += 1;
        let located = LocatedFace {
            line,
            position,
            face,
        };
        if let ControlFlow::Break(value) = visit(located) {
            return Ok(ControlFlow::Break(value));
        }
    }
}

fn read_document<B, V: FnMut(LocatedFace) -> ControlFlow<B>>(
    input: impl Read,
    visit: V,
) -> Result<ControlFlow<B>, ImportFileError> {
    let newlines = Rc::new(Cell::new(0));
    let counted = NewlineCounter {
        inner: BufReader::new(input),
        newlines: Rc::clone(&newlines),
    };
    let mut state = DocumentState {
        visit,
        newlines,
        position: 0,
        stopped: None,
        failure: None,
    };

    let mut deserializer = serde_json::Deserializer::from_reader(counted);
    let result = DocumentSeed(&mut state)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());

    // A stop or a bad face surfaces from serde as a placeholder error; the state has the
    // real outcome.
    if let Some(value) = state.stopped {
        return Ok(ControlFlow::Break(value));
    }
    if let Some(failure) = state.failure {
        return Err(failure);
    }
    match result {
        Ok(()) => Ok(ControlFlow::Continue(())),
        Err(error) if error.is_io() => Err(ImportFileError::Read(io::Error::from(error))),
        Err(error) => Err(json_error(
            &error,
            error.line() as u64,
            error.column() as u64,
        )),
    }
}

/// Rejects a JSON object whose members are all unknown, such as a line of another operation's
/// output or one with misspelt member names, which would otherwise be stored as an empty face
/// with generated IDs. `{}` passes: it asks for a face with generated IDs and nothing else.
fn reject_object_without_face_members(
    object: &[u8],
    line: u64,
    column: u64,
) -> Result<(), ImportFileError> {
    let members: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(object).map_err(|error| json_error(&error, line, column))?;
    // `{}` and members set to null, such as `{"UserId": null}`, decode to the default face too.
    if members.is_empty()
        || members
            .keys()
            .any(|name| FACE_MEMBERS.contains(&name.as_str()))
    {
        return Ok(());
    }
    let names: Vec<&str> = members.keys().map(String::as_str).collect();
    Err(ImportFileError::InvalidJson {
        line,
        column,
        message: format!(
            "the object has no face member, only {}; a face object has {}, and a ListFaces \
             document starts with Faces",
            names.join(", "),
            FACE_MEMBERS.join(", ")
        ),
    })
}

/// Builds [`ImportFileError::InvalidJson`] from a serde_json error, without the position that
/// serde_json appends to its message.
fn json_error(error: &serde_json::Error, line: u64, column: u64) -> ImportFileError {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    ImportFileError::InvalidJson {
        line,
        column,
        message,
    }
}

/// A reader that counts the line breaks read through it.
///
/// serde_json reads one byte at a time and looks one byte ahead, so when it starts on a face
/// object the count is the number of line breaks before the object's `{`.
struct NewlineCounter<R> {
    inner: R,
    newlines: Rc<Cell<u64>>,
}

impl<R: Read> Read for NewlineCounter<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let newlines = buffer[..read].iter().filter(|&&byte| byte == b'\n').count();
        self.newlines.set(self.newlines.get() + newlines as u64);
        Ok(read)
    }
}

/// State shared by the document visitors: the caller's visit function and how reading ended.
struct DocumentState<V, B> {
    visit: V,
    newlines: Rc<Cell<u64>>,
    position: usize,
    stopped: Option<B>,
    failure: Option<ImportFileError>,
}

impl<V: FnMut(LocatedFace) -> ControlFlow<B>, B> DocumentState<V, B> {
    /// Checks one face and passes it on; an `Err` stops the deserializer.
    fn accept(&mut self, line: u64, face: FaceInput) -> Result<(), ()> {
        self.position += 1;
        let position = self.position;
        if let Err(source) = check_face(&face, position - 1) {
            self.failure = Some(ImportFileError::InvalidFace {
                line,
                position,
                source,
            });
            return Err(());
        }
        let located = LocatedFace {
            line,
            position,
            face,
        };
        if let ControlFlow::Break(value) = (self.visit)(located) {
            self.stopped = Some(value);
            return Err(());
        }
        Ok(())
    }
}

/// The top-level ListFaces response object.
struct DocumentSeed<'a, V, B>(&'a mut DocumentState<V, B>);

impl<'de, V: FnMut(LocatedFace) -> ControlFlow<B>, B> DeserializeSeed<'de>
    for DocumentSeed<'_, V, B>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, V: FnMut(LocatedFace) -> ControlFlow<B>, B> Visitor<'de> for DocumentSeed<'_, V, B> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a ListFaces response object such as {\"Faces\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut has_faces = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Faces" if has_faces => return Err(de::Error::duplicate_field("Faces")),
                "Faces" => {
                    map.next_value_seed(FacesSeed(&mut *self.0))?;
                    has_faces = true;
                }
                "NextToken" => {
                    tracing::warn!(
                        "the ListFaces document has a NextToken, so it holds one page of \
                         the collection's faces; import the other pages too"
                    );
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !has_faces {
            return Err(de::Error::missing_field("Faces"));
        }
        Ok(())
    }
}

/// The `Faces` array, visited element by element.
struct FacesSeed<'a, V, B>(&'a mut DocumentState<V, B>);

impl<'de, V: FnMut(LocatedFace) -> ControlFlow<B>, B> DeserializeSeed<'de> for FacesSeed<'_, V, B> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, V: FnMut(LocatedFace) -> ControlFlow<B>, B> Visitor<'de> for FacesSeed<'_, V, B> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of face objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let newlines = Rc::clone(&self.0.newlines);
        while let Some((line, face)) = seq.next_element_seed(FaceSeed(&newlines))? {
            if self.0.accept(line, face).is_err() {
                return Err(de::Error::custom("import stopped"));
            }
        }
        Ok(())
    }
}

/// One element of `Faces`, with the line its object starts on.
struct FaceSeed<'a>(&'a Cell<u64>);

impl<'de> DeserializeSeed<'de> for FaceSeed<'_> {
    type Value = (u64, FaceInput);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let line = self.0.get() + 1;
        let face = FaceInput::deserialize(deserializer)?;
        Ok((line, face))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACE_A: &str = "11111111-1111-4111-8111-111111111111";
    const FACE_B: &str = "22222222-2222-4222-8222-222222222222";

    fn read_all(input: &str) -> Result<Vec<LocatedFace>, ImportFileError> {
        let mut faces = Vec::new();
        let flow = read_faces(input.as_bytes(), |face| {
            faces.push(face);
            ControlFlow::<()>::Continue(())
        })?;
        assert_eq!(flow, ControlFlow::Continue(()));
        Ok(faces)
    }

    fn lines_of(faces: &[LocatedFace]) -> Vec<u64> {
        faces.iter().map(|face| face.line).collect()
    }

    #[test]
    fn json_lines_skip_blank_lines() {
        let input = format!("\n{{\"FaceId\": \"{FACE_A}\"}}\n  \n{{\"FaceId\": \"{FACE_B}\"}}");
        let faces = read_all(&input).expect("valid input");
        assert_eq!(lines_of(&faces), [2, 4]);
        assert_eq!(faces[1].position, 2);
        assert_eq!(faces[1].face.face_id.as_deref(), Some(FACE_B));
    }

    #[test]
    fn json_lines_accept_crlf() {
        let input = format!("{{\"FaceId\": \"{FACE_A}\"}}\r\n{{}}\r\n");
        let faces = read_all(&input).expect("valid input");
        assert_eq!(lines_of(&faces), [1, 2]);
    }

    #[test]
    fn empty_input_has_no_faces() {
        assert!(read_all("").expect("valid input").is_empty());
        assert!(read_all(" \n\n").expect("valid input").is_empty());
    }

    #[test]
    fn document_gives_start_line_of_each_face() {
        let input = format!(
            "{{\n  \"Faces\": [\n    {{\n      \"FaceId\": \"{FACE_A}\"\n    }},\n    \
             {{\"FaceId\": \"{FACE_B}\"}}\n  ],\n  \"FaceModelVersion\": \"7.0\"\n}}\n"
        );
        let faces = read_all(&input).expect("valid input");
        assert_eq!(lines_of(&faces), [3, 6]);
        assert_eq!(faces[0].face.face_id.as_deref(), Some(FACE_A));
    }

    #[test]
    fn document_detected_by_any_response_key() {
        let input =
            format!("{{\"FaceModelVersion\": \"7.0\", \"Faces\": [{{\"FaceId\": \"{FACE_A}\"}}]}}");
        let faces = read_all(&input).expect("valid input");
        assert_eq!(lines_of(&faces), [1]);
    }

    #[test]
    fn document_without_faces_is_rejected() {
        let error = read_all("{\"FaceModelVersion\": \"7.0\"}").expect_err("no Faces");
        assert!(
            error.to_string().contains("missing field `Faces`"),
            "{error}"
        );
    }

    #[test]
    fn document_with_trailing_content_is_rejected() {
        let error = read_all("{\"Faces\": []} {}").expect_err("trailing object");
        assert!(
            matches!(error, ImportFileError::InvalidJson { line: 1, .. }),
            "{error}"
        );
    }

    #[test]
    fn invalid_json_line_names_line() {
        let input = format!("{{\"FaceId\": \"{FACE_A}\"}}\n\n{{\"FaceId\": ");
        let error = read_all(&input).expect_err("truncated line");
        assert!(
            matches!(error, ImportFileError::InvalidJson { line: 3, .. }),
            "{error}"
        );
        assert!(error.to_string().starts_with("line 3 column "), "{error}");
    }

    #[test]
    fn invalid_field_names_line_and_member() {
        let input = format!("{{\"FaceId\": \"{FACE_A}\"}}\n{{\"FaceId\": \"not-a-uuid\"}}\n");
        let error = read_all(&input).expect_err("bad face ID");
        let ImportFileError::InvalidFace { line, source, .. } = &error else {
            panic!("expected InvalidFace, got {error}");
        };
        assert_eq!(*line, 2);
        assert_eq!(source.exception_name(), "ValidationException");
        assert!(
            source.to_string().contains("faces.2.member.faceId"),
            "{error}"
        );
    }

    #[test]
    fn invalid_face_in_document_names_start_line() {
        let input = "{\n\"Faces\": [\n{},\n{\n\"Confidence\": 101\n}\n]\n}";
        let error = read_all(input).expect_err("confidence above 100");
        assert!(
            matches!(
                error,
                ImportFileError::InvalidFace {
                    line: 4,
                    position: 2,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn wrong_type_in_document_names_its_line() {
        let input = "{\n\"Faces\": [\n{},\n{\n\"Embedding\": \"x\"\n}\n]\n}";
        let error = read_all(input).expect_err("embedding is a string");
        assert!(
            matches!(error, ImportFileError::InvalidJson { line: 5, .. }),
            "{error}"
        );
    }

    #[test]
    fn visit_break_stops_reading() {
        let input = "{}\n{}\n{}\nnot json\n";
        let mut seen = 0;
        let flow = read_faces(input.as_bytes(), |face| {
            seen += 1;
            if face.position == 2 {
                ControlFlow::Break(face.line)
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("stopped before the bad line");
        assert_eq!(flow, ControlFlow::Break(2));
        assert_eq!(seen, 2);
    }

    #[test]
    fn parse_face_line_handles_any_bytes() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"\xff\xfe",
            b"[1,2]",
            b"null",
            b"{\"Embedding\":[1e999]}",
            b"{",
        ];
        for input in inputs {
            let _ = parse_face_line(input, 1, 1);
        }
        let error = parse_face_line(b"{\"Embedding\":[1e39]}", 7, 5).expect_err("f32 overflow");
        assert!(error.to_string().starts_with("line 7: "), "{error}");
    }
}
