//! The `facestore` binary run as a user runs it: each subcommand's stdout JSON, stderr line and
//! exit code, against a database file in a temporary directory.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn Error>>;

const FACE_1: &str = "11111111-1111-4111-8111-111111111111";
const FACE_2: &str = "22222222-2222-4222-8222-222222222222";
const FACE_3: &str = "33333333-3333-4333-8333-333333333333";
const MISSING_FACE: &str = "99999999-9999-4999-8999-999999999999";

/// A temporary directory with a database file, and a runner of the binary on it.
struct Cli {
    directory: tempfile::TempDir,
}

impl Cli {
    fn new() -> Result<Self, Box<dyn Error>> {
        Ok(Self {
            directory: tempfile::tempdir()?,
        })
    }

    fn db(&self) -> PathBuf {
        self.directory.path().join("faces.redb")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_facestore"));
        command
            .arg("--db")
            .arg(self.db())
            .args(args)
            .current_dir(self.directory.path())
            .env_remove("FACESTORE_DB")
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Result<Output, Box<dyn Error>> {
        Ok(self.command(args).stdin(Stdio::null()).output()?)
    }

    fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Result<Output, Box<dyn Error>> {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .ok_or("stdin is piped")?
            .write_all(input)?;
        Ok(child.wait_with_output()?)
    }

    /// Runs a command that must succeed and returns its stdout as JSON.
    fn json(&self, args: &[&str]) -> Result<Value, Box<dyn Error>> {
        let output = self.run(args)?;
        success_json(&output)
    }

    /// Runs a command that must succeed and print nothing.
    fn silent(&self, args: &[&str]) -> TestResult {
        let output = self.run(args)?;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), "", "an empty response prints nothing");
        Ok(())
    }

    fn create_collection(&self, collection_id: &str) -> TestResult {
        self.json(&["create-collection", "--collection-id", collection_id])?;
        Ok(())
    }

    fn face_count(&self, collection_id: &str) -> Result<Value, Box<dyn Error>> {
        let description = self.json(&["describe-collection", "--collection-id", collection_id])?;
        Ok(description["FaceCount"].clone())
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn success_json(output: &Output) -> Result<Value, Box<dyn Error>> {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    assert_eq!(
        stderr(output),
        "",
        "a successful command writes nothing on stderr"
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// Asserts a failure with `exit_code` and returns its one stderr line.
fn failure_line(output: &Output, exit_code: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(exit_code),
        "stderr: {}",
        stderr(output)
    );
    assert_eq!(
        stdout(output),
        "",
        "a failed command prints nothing on stdout"
    );
    let text = stderr(output);
    assert_eq!(text.lines().count(), 1, "one error line: {text}");
    text.trim_end().to_owned()
}

fn face_line(face_id: &str, embedding: &[f32]) -> String {
    json!({"FaceId": face_id, "Confidence": 99.5, "Embedding": embedding}).to_string()
}

/// A lower-case UUID for the `index`-th face of a test.
fn face_id(index: usize) -> String {
    format!("{index:08x}-0000-4000-8000-000000000000")
}

fn write_lines(path: &Path, lines: &[String]) -> TestResult {
    std::fs::write(path, lines.join("\n") + "\n")?;
    Ok(())
}

fn sorted_face_ids(listing: &Value) -> Vec<String> {
    let mut ids: Vec<String> = listing["Faces"]
        .as_array()
        .map(|faces| {
            faces
                .iter()
                .filter_map(|face| face["FaceId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[test]
fn create_collection_prints_indented_response() -> TestResult {
    let cli = Cli::new()?;
    let output = cli.run(&["create-collection", "--collection-id", "photos"])?;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\n    \"StatusCode\": 200,\n    \"CollectionArn\": \
         \"aws:rekognition:us-east-1:000000000000:collection/photos\",\n    \
         \"FaceModelVersion\": \"7.0\"\n}\n"
    );
    Ok(())
}

#[test]
fn collection_lifecycle_commands() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    cli.create_collection("archive")?;

    let description = cli.json(&["describe-collection", "--collection-id", "photos"])?;
    assert_eq!(description["FaceCount"], 0);
    assert_eq!(description["UserCount"], 0);
    assert_eq!(
        description["CollectionARN"],
        "arn:aws:rekognition:us-east-1:000000000000:collection/photos"
    );
    assert!(description["CreationTimestamp"].is_number());

    let listing = cli.json(&["list-collections"])?;
    assert_eq!(listing["CollectionIds"], json!(["photos", "archive"]));
    assert_eq!(listing["FaceModelVersions"], json!(["7.0", "7.0"]));
    assert!(listing.get("NextToken").is_none());

    let first_page = cli.json(&["list-collections", "--max-results", "1"])?;
    assert_eq!(first_page["CollectionIds"], json!(["photos"]));
    let token = first_page["NextToken"]
        .as_str()
        .ok_or("NextToken on page 1")?;
    let second_page = cli.json(&["list-collections", "--next-token", token])?;
    assert_eq!(second_page["CollectionIds"], json!(["archive"]));

    let deletion = cli.json(&["delete-collection", "--collection-id", "archive"])?;
    assert_eq!(deletion, json!({"StatusCode": 200}));
    let listing = cli.json(&["list-collections"])?;
    assert_eq!(listing["CollectionIds"], json!(["photos"]));
    Ok(())
}

#[test]
fn service_error_prints_aws_line() -> TestResult {
    let cli = Cli::new()?;
    let output = cli.run(&["describe-collection", "--collection-id", "missing"])?;
    let line = failure_line(&output, 254);
    assert!(
        line.starts_with(
            "An error occurred (ResourceNotFoundException) when calling the \
             DescribeCollection operation: collection 'missing' not found"
        ),
        "{line}"
    );

    let output = cli.run(&["create-collection", "--collection-id", "bad id!"])?;
    let line = failure_line(&output, 254);
    assert!(
        line.starts_with(
            "An error occurred (ValidationException) when calling the CreateCollection operation:"
        ),
        "{line}"
    );
    Ok(())
}

#[test]
fn usage_errors_exit_2() -> TestResult {
    let cli = Cli::new()?;
    let cases: [&[&str]; 6] = [
        &["no-such-command"],
        &["describe-collection"],
        &["delete-faces", "--collection-id", "photos"],
        &[
            "list-faces",
            "--collection-id",
            "photos",
            "--max-results",
            "ten",
        ],
        &[
            "import-faces",
            "--collection-id",
            "photos",
            "--file",
            "-",
            "--batch-size",
            "0",
        ],
        &[
            "create-collection",
            "--collection-id",
            "photos",
            "--tags",
            "NoEquals",
        ],
    ];
    for args in cases {
        let output = cli.run(args)?;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    Ok(())
}

#[test]
fn database_path_from_environment() -> TestResult {
    let cli = Cli::new()?;
    let db = cli.path("from-env.redb");
    let output = Command::new(env!("CARGO_BIN_EXE_facestore"))
        .args(["create-collection", "--collection-id", "photos"])
        .current_dir(cli.directory.path())
        .env("FACESTORE_DB", &db)
        .env_remove("RUST_LOG")
        .output()?;
    success_json(&output)?;
    assert!(db.exists(), "FACESTORE_DB names the database file");
    assert!(
        !cli.path("facestore.redb").exists(),
        "the default file is unused"
    );
    Ok(())
}

#[test]
fn import_json_lines_and_list_faces() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let file = cli.path("faces.jsonl");
    let user_face = json!({"FaceId": FACE_3, "UserId": "alice", "Embedding": [0.0, 0.0, 1.0]});
    write_lines(
        &file,
        &[
            face_line(FACE_1, &[1.0, 0.0, 0.0]),
            String::new(),
            face_line(FACE_2, &[0.0, 1.0, 0.0]),
            user_face.to_string(),
        ],
    )?;

    let path = file.to_str().ok_or("UTF-8 path")?;
    let summary = cli.json(&["import-faces", "--collection-id", "photos", "--file", path])?;
    assert_eq!(
        summary,
        json!({"CollectionId": "photos", "ImportedFaces": 3, "SkippedFaces": 0})
    );
    let description = cli.json(&["describe-collection", "--collection-id", "photos"])?;
    assert_eq!(description["FaceCount"], 3);
    assert_eq!(description["UserCount"], 1, "UserId creates the user");

    let listing = cli.json(&["list-faces", "--collection-id", "photos"])?;
    assert_eq!(sorted_face_ids(&listing), [FACE_1, FACE_2, FACE_3]);
    assert_eq!(listing["FaceModelVersion"], "7.0");
    assert!(
        listing["Faces"][0].get("Embedding").is_none(),
        "ListFaces has no embeddings"
    );

    let page = cli.json(&[
        "list-faces",
        "--collection-id",
        "photos",
        "--max-results",
        "2",
    ])?;
    assert_eq!(sorted_face_ids(&page), [FACE_1, FACE_2]);
    let token = page["NextToken"].as_str().ok_or("NextToken on page 1")?;
    let rest = cli.json(&[
        "list-faces",
        "--collection-id",
        "photos",
        "--next-token",
        token,
    ])?;
    assert_eq!(sorted_face_ids(&rest), [FACE_3]);

    let by_user = cli.json(&[
        "list-faces",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
    ])?;
    assert_eq!(sorted_face_ids(&by_user), [FACE_3]);
    assert_eq!(by_user["Faces"][0]["UserId"], "alice");
    let by_id = cli.json(&[
        "list-faces",
        "--collection-id",
        "photos",
        "--face-ids",
        FACE_2,
        MISSING_FACE,
    ])?;
    assert_eq!(sorted_face_ids(&by_id), [FACE_2]);

    let again = cli.json(&["import-faces", "--collection-id", "photos", "--file", path])?;
    assert_eq!(again["ImportedFaces"], 0);
    assert_eq!(
        again["SkippedFaces"], 3,
        "identical faces are skipped on re-import"
    );
    Ok(())
}

#[test]
fn import_list_faces_document() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/listfaces-example.json");
    let path = document.to_str().ok_or("UTF-8 path")?;

    let summary = cli.json(&["import-faces", "--collection-id", "photos", "--file", path])?;
    assert_eq!(summary["ImportedFaces"], 11);
    assert_eq!(summary["SkippedFaces"], 0);

    // The listing contains the same faces as the document, in the same AWS shape.
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&document)?)?;
    let listing = cli.json(&["list-faces", "--collection-id", "photos"])?;
    assert_eq!(listing["Faces"], expected["Faces"]);
    Ok(())
}

#[test]
fn import_from_stdin() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let input = format!(
        "{}\n{}\n",
        face_line(FACE_1, &[0.5]),
        face_line(FACE_2, &[0.25])
    );
    let output = cli.run_with_stdin(
        &["import-faces", "--collection-id", "photos", "--file", "-"],
        input.as_bytes(),
    )?;
    let summary = success_json(&output)?;
    assert_eq!(summary["ImportedFaces"], 2);
    assert_eq!(cli.face_count("photos")?, 2);
    Ok(())
}

#[test]
fn invalid_face_keeps_earlier_batches() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let mut lines: Vec<String> = (1..=9)
        .map(|index| face_line(&face_id(index), &[0.5, 0.5]))
        .collect();
    lines[7] = json!({"FaceId": "not-a-uuid"}).to_string();
    let file = cli.path("faces.jsonl");
    write_lines(&file, &lines)?;

    let path = file.to_str().ok_or("UTF-8 path")?;
    let output = cli.run(&[
        "import-faces",
        "--collection-id",
        "photos",
        "--file",
        path,
        "--batch-size",
        "3",
    ])?;
    let line = failure_line(&output, 254);
    assert!(
        line.starts_with(
            "An error occurred (ValidationException) when calling the ImportFaces operation: \
             line 8: "
        ),
        "{line}"
    );
    assert!(line.contains("'not-a-uuid'"), "{line}");

    // Batches of lines 1-3 and 4-6 are stored; nothing of lines 7-9.
    assert_eq!(cli.face_count("photos")?, 6);
    let listing = cli.json(&["list-faces", "--collection-id", "photos"])?;
    let expected: Vec<String> = (1..=6).map(face_id).collect();
    assert_eq!(sorted_face_ids(&listing), expected);
    Ok(())
}

#[test]
fn store_error_names_line_of_face() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let mut lines: Vec<String> = (1..=9)
        .map(|index| face_line(&face_id(index), &[0.5, 0.5]))
        .collect();
    lines[4] = face_line(&face_id(5), &[0.5, 0.5, 0.5]);
    let file = cli.path("faces.jsonl");
    write_lines(&file, &lines)?;

    let path = file.to_str().ok_or("UTF-8 path")?;
    let output = cli.run(&[
        "import-faces",
        "--collection-id",
        "photos",
        "--file",
        path,
        "--batch-size",
        "3",
    ])?;
    let line = failure_line(&output, 254);
    assert!(
        line.starts_with(
            "An error occurred (InvalidParameterException) when calling the ImportFaces \
             operation: line 5: embedding has 3 values"
        ),
        "{line}"
    );
    assert_eq!(
        cli.face_count("photos")?,
        3,
        "only the batch of lines 1-3 is stored"
    );
    Ok(())
}

#[test]
fn unparsable_input_exits_252() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let file = cli.path("faces.jsonl");
    write_lines(
        &file,
        &[face_line(FACE_1, &[0.5]), "{\"FaceId\": ".to_owned()],
    )?;

    let path = file.to_str().ok_or("UTF-8 path")?;
    let output = cli.run(&["import-faces", "--collection-id", "photos", "--file", path])?;
    let line = failure_line(&output, 252);
    assert!(
        line.starts_with("Error parsing parameter '--file': "),
        "{line}"
    );
    assert!(line.contains("faces.jsonl: line 2 column "), "{line}");
    assert_eq!(
        cli.face_count("photos")?,
        0,
        "the one batch is rejected whole"
    );

    let missing = cli.path("missing.jsonl");
    let path = missing.to_str().ok_or("UTF-8 path")?;
    let output = cli.run(&["import-faces", "--collection-id", "photos", "--file", path])?;
    let line = failure_line(&output, 252);
    assert!(line.contains("cannot open"), "{line}");
    Ok(())
}

#[test]
fn import_into_missing_collection_fails() -> TestResult {
    let cli = Cli::new()?;
    let output = cli.run_with_stdin(
        &["import-faces", "--collection-id", "missing", "--file", "-"],
        b"",
    )?;
    let line = failure_line(&output, 254);
    assert!(
        line.starts_with(
            "An error occurred (ResourceNotFoundException) when calling the ImportFaces operation:"
        ),
        "{line}"
    );
    Ok(())
}

#[test]
fn users_and_associations() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let input = [
        face_line(FACE_1, &[1.0, 0.0]),
        face_line(FACE_2, &[0.9, 0.1]),
        face_line(FACE_3, &[0.0, 1.0]),
    ]
    .join("\n");
    let output = cli.run_with_stdin(
        &["import-faces", "--collection-id", "photos", "--file", "-"],
        input.as_bytes(),
    )?;
    success_json(&output)?;

    cli.silent(&[
        "create-user",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
    ])?;
    cli.silent(&[
        "create-user",
        "--collection-id",
        "photos",
        "--user-id",
        "bob",
        "--client-request-token",
        "token-1",
    ])?;
    let users = cli.json(&["list-users", "--collection-id", "photos"])?;
    assert_eq!(
        users,
        json!({"Users": [
            {"UserId": "alice", "UserStatus": "CREATED"},
            {"UserId": "bob", "UserStatus": "CREATED"}
        ]})
    );

    let association = cli.json(&[
        "associate-faces",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
        "--user-match-threshold",
        "0",
        "--face-ids",
        FACE_1,
        FACE_2,
        MISSING_FACE,
    ])?;
    assert_eq!(
        association,
        json!({
            "AssociatedFaces": [{"FaceId": FACE_1}, {"FaceId": FACE_2}],
            "UnsuccessfulFaceAssociations": [
                {"FaceId": MISSING_FACE, "Reasons": ["FACE_NOT_FOUND"]}
            ],
            "UserStatus": "ACTIVE"
        })
    );

    let deletion = cli.json(&[
        "delete-faces",
        "--collection-id",
        "photos",
        "--face-ids",
        FACE_1,
        FACE_3,
        MISSING_FACE,
    ])?;
    assert_eq!(
        deletion,
        json!({
            "DeletedFaces": [FACE_3],
            "UnsuccessfulFaceDeletions": [
                {"FaceId": FACE_1, "UserId": "alice", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]},
                {"FaceId": MISSING_FACE, "Reasons": ["FACE_NOT_FOUND"]}
            ]
        })
    );

    let disassociation = cli.json(&[
        "disassociate-faces",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
        "--face-ids",
        FACE_1,
    ])?;
    assert_eq!(
        disassociation,
        json!({
            "DisassociatedFaces": [{"FaceId": FACE_1}],
            "UnsuccessfulFaceDisassociations": [],
            "UserStatus": "ACTIVE"
        })
    );

    cli.silent(&[
        "delete-user",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
    ])?;
    let users = cli.json(&[
        "list-users",
        "--collection-id",
        "photos",
        "--max-results",
        "1",
    ])?;
    assert_eq!(
        users["Users"],
        json!([{"UserId": "bob", "UserStatus": "CREATED"}])
    );
    assert!(users.get("NextToken").is_none());

    let output = cli.run(&[
        "delete-user",
        "--collection-id",
        "photos",
        "--user-id",
        "alice",
    ])?;
    let line = failure_line(&output, 254);
    assert!(
        line.contains("when calling the DeleteUser operation"),
        "{line}"
    );
    Ok(())
}

#[test]
fn tag_commands() -> TestResult {
    let cli = Cli::new()?;
    cli.json(&[
        "create-collection",
        "--collection-id",
        "photos",
        "--tags",
        "Team=vision,Stage=test",
    ])?;
    let description = cli.json(&["describe-collection", "--collection-id", "photos"])?;
    let arn = description["CollectionARN"]
        .as_str()
        .ok_or("CollectionARN")?;

    let tags = cli.json(&["list-tags-for-resource", "--resource-arn", arn])?;
    assert_eq!(tags, json!({"Tags": {"Stage": "test", "Team": "vision"}}));

    cli.silent(&[
        "tag-resource",
        "--resource-arn",
        arn,
        "--tags",
        r#"{"Owner": "ops"}"#,
    ])?;
    cli.silent(&[
        "untag-resource",
        "--resource-arn",
        arn,
        "--tag-keys",
        "Stage",
        "Absent",
    ])?;
    let tags = cli.json(&["list-tags-for-resource", "--resource-arn", arn])?;
    assert_eq!(tags, json!({"Tags": {"Owner": "ops", "Team": "vision"}}));
    Ok(())
}

#[test]
fn closed_stdout_is_not_an_error() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/listfaces-example.json");
    let path = document.to_str().ok_or("UTF-8 path")?;
    cli.json(&["import-faces", "--collection-id", "photos", "--file", path])?;

    let mut child = cli
        .command(&["list-faces", "--collection-id", "photos"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    drop(child.stdout.take());
    let output = child.wait_with_output()?;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    Ok(())
}

#[test]
fn check_passes_on_sound_database() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;

    let output = cli.run(&["check"])?;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no violations"),
        "{}",
        stdout(&output)
    );
    Ok(())
}

#[test]
fn compact_prints_lengths_and_keeps_faces() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    let file = cli.path("faces.jsonl");
    let lines: Vec<String> = (0..400)
        .map(|index| face_line(&face_id(index), &[0.25; 512]))
        .collect();
    write_lines(&file, &lines)?;
    let path = file.to_str().ok_or("UTF-8 path")?;
    cli.json(&["import-faces", "--collection-id", "photos", "--file", path])?;
    let doomed: Vec<String> = (10..400).map(face_id).collect();
    let mut delete = vec!["delete-faces", "--collection-id", "photos", "--face-ids"];
    delete.extend(doomed.iter().map(String::as_str));
    cli.json(&delete)?;

    let output = cli.run(&["compact"])?;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let line = stdout(&output);
    let lengths: Vec<u64> = line
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    assert_eq!(lengths.len(), 2, "{line}");
    assert!(lengths[1] < lengths[0], "{line}");
    assert_eq!(
        lengths[1],
        std::fs::metadata(cli.db())?.len(),
        "the second number is the file's length now"
    );
    assert_eq!(cli.face_count("photos")?, 10);
    let checked = cli.run(&["check"])?;
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    Ok(())
}

#[test]
fn values_may_start_with_hyphen() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("-photos")?;

    let output = cli.run(&[
        "list-faces",
        "--collection-id",
        "-photos",
        "--next-token",
        "-A6fmqwORGGbRAdf-d14iWBcbtl77rxHPInqRmDh1pw",
    ])?;
    let line = failure_line(&output, 254);
    assert!(line.contains("(InvalidPaginationTokenException)"), "{line}");

    let output = cli.run(&[
        "list-faces",
        "--collection-id",
        "-photos",
        "--max-results",
        "-5",
    ])?;
    let line = failure_line(&output, 254);
    assert!(line.contains("(ValidationException)"), "{line}");
    Ok(())
}

#[test]
fn maintenance_of_missing_file_fails() -> TestResult {
    let cli = Cli::new()?;
    for command in ["check", "compact"] {
        let output = cli.run(&[command])?;

        let line = failure_line(&output, 254);
        assert!(line.contains("(ResourceNotFoundException)"), "{line}");
        assert!(line.contains("faces.redb does not exist"), "{line}");
        assert!(!cli.db().exists(), "{command} created the file");
    }
    Ok(())
}

#[test]
fn check_names_violation_and_exits_1() -> TestResult {
    let cli = Cli::new()?;
    cli.create_collection("photos")?;
    {
        // An unreadable collection record, written past facestore with redb itself.
        const COLLECTIONS: redb::TableDefinition<&str, &[u8]> =
            redb::TableDefinition::new("collections");
        let database = redb::Database::open(cli.db())?;
        let transaction = database.begin_write()?;
        transaction
            .open_table(COLLECTIONS)?
            .insert("photos", [1_u8, 0xff].as_slice())?;
        transaction.commit()?;
    }

    let output = cli.run(&["check"])?;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("photos"), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("violations"),
        "{}",
        stderr(&output)
    );
    Ok(())
}

/// The main job at a reduced scale: import faces with embeddings, some associated with users,
/// then one delete-faces of 4096 IDs of which 100 are missing and 100 associated.
#[test]
fn bulk_delete_of_4096_ids() -> TestResult {
    const STORED: usize = 6000;
    const ASSOCIATED: usize = 100;
    let cli = Cli::new()?;
    cli.create_collection("big")?;
    let embedding: Vec<f32> = (0..64).map(|index| index as f32 / 64.0).collect();
    let lines: Vec<String> = (0..STORED)
        .map(|index| {
            let mut face =
                json!({"FaceId": face_id(index), "Confidence": 99.0, "Embedding": embedding});
            if index < ASSOCIATED {
                face["UserId"] = json!(format!("user-{}", index % 4));
            }
            face.to_string()
        })
        .collect();
    write_lines(&cli.path("faces.jsonl"), &lines)?;
    cli.json(&[
        "import-faces",
        "--collection-id",
        "big",
        "--file",
        "faces.jsonl",
    ])?;

    // 100 associated, 3896 deletable, then 100 never stored.
    let mut requested: Vec<String> = (0..3996).map(face_id).collect();
    requested.extend((STORED..STORED + 100).map(face_id));
    let mut args = vec!["delete-faces", "--collection-id", "big", "--face-ids"];
    args.extend(requested.iter().map(String::as_str));
    let response = cli.json(&args)?;

    let deleted = response["DeletedFaces"].as_array().ok_or("DeletedFaces")?;
    let unsuccessful = response["UnsuccessfulFaceDeletions"]
        .as_array()
        .ok_or("UnsuccessfulFaceDeletions")?;
    let reason_count = |reason: &str| {
        unsuccessful
            .iter()
            .filter(|entry| entry["Reasons"] == json!([reason]))
            .count()
    };
    assert_eq!(deleted.len(), 3896);
    assert_eq!(deleted[0], json!(face_id(ASSOCIATED)));
    assert_eq!(reason_count("ASSOCIATED_TO_AN_EXISTING_USER"), 100);
    assert_eq!(reason_count("FACE_NOT_FOUND"), 100);
    assert_eq!(unsuccessful[0]["UserId"], json!("user-0"));
    assert_eq!(cli.face_count("big")?, json!(STORED - 3896));
    Ok(())
}
