//! Subcommands and flags, named as in `aws rekognition` so that AWS CLI habits carry over.
//!
//! Every single-value flag accepts a value that starts with `-`, because a `NextToken` is
//! base64url text and collection IDs, user IDs and request tokens may start with `-`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Exit codes, shown at the end of `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    check found violations
  2    invalid command line
  252  the import input cannot be opened or is not valid JSON of faces
  254  the operation failed (the error names the AWS exception)
  255  writing the output failed";

/// The `facestore` command line.
#[derive(Debug, Parser)]
#[command(
    name = "facestore",
    version,
    about = "An embedded face-collection store with the AWS Rekognition collection API",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Database file, created if it does not exist.
    #[arg(
        long,
        global = true,
        env = "FACESTORE_DB",
        default_value = "./facestore.redb",
        value_name = "PATH"
    )]
    pub db: PathBuf,

    /// The operation to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One subcommand per operation. Each prints the operation's response JSON.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates a collection.
    CreateCollection(CreateCollectionArgs),
    /// Deletes a collection with its faces, users and tags.
    DeleteCollection(CollectionArgs),
    /// Describes a collection: face count, user count, ARN, creation time.
    DescribeCollection(CollectionArgs),
    /// Lists collection IDs in creation order.
    ListCollections(ListCollectionsArgs),
    /// Imports faces from JSON lines or a ListFaces response document.
    ImportFaces(ImportFacesArgs),
    /// Lists the faces of a collection in ascending FaceId order.
    ListFaces(ListFacesArgs),
    /// Deletes faces; faces associated with a user are reported, not deleted.
    DeleteFaces(DeleteFacesArgs),
    /// Creates a user in a collection.
    CreateUser(UserArgs),
    /// Deletes a user; its faces stay in the collection, unassociated.
    DeleteUser(UserArgs),
    /// Lists the users of a collection.
    ListUsers(ListUsersArgs),
    /// Associates faces with a user.
    AssociateFaces(AssociateFacesArgs),
    /// Disassociates faces from a user.
    DisassociateFaces(DisassociateFacesArgs),
    /// Adds tags to a collection.
    TagResource(TagResourceArgs),
    /// Removes tags from a collection.
    UntagResource(UntagResourceArgs),
    /// Lists the tags of a collection.
    ListTagsForResource(ResourceArgs),
    /// Checks the database's invariants and prints each violation; exit code 1 if any.
    Check,
    /// Erases the embeddings of deleted faces and compacts the database file, then prints
    /// the file's length in bytes before and after. No server may use the file meanwhile.
    Compact,
    /// Serves the AWS Rekognition JSON API over HTTP for AWS SDKs and the AWS CLI.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
}

impl Command {
    /// Returns the AWS name of the operation the subcommand runs, for error messages.
    #[must_use]
    pub fn operation(&self) -> &'static str {
        match self {
            Self::CreateCollection(_) => "CreateCollection",
            Self::DeleteCollection(_) => "DeleteCollection",
            Self::DescribeCollection(_) => "DescribeCollection",
            Self::ListCollections(_) => "ListCollections",
            Self::ImportFaces(_) => "ImportFaces",
            Self::ListFaces(_) => "ListFaces",
            Self::DeleteFaces(_) => "DeleteFaces",
            Self::CreateUser(_) => "CreateUser",
            Self::DeleteUser(_) => "DeleteUser",
            Self::ListUsers(_) => "ListUsers",
            Self::AssociateFaces(_) => "AssociateFaces",
            Self::DisassociateFaces(_) => "DisassociateFaces",
            Self::TagResource(_) => "TagResource",
            Self::UntagResource(_) => "UntagResource",
            Self::ListTagsForResource(_) => "ListTagsForResource",
            Self::Check => "Check",
            Self::Compact => "Compact",
            #[cfg(feature = "server")]
            Self::Serve(_) => "Serve",
        }
    }
}

/// Tags of a collection, by key.
pub type Tags = BTreeMap<String, String>;

/// Flags of create-collection.
#[derive(Debug, Args)]
pub struct CreateCollectionArgs {
    /// ID of the new collection: 1 to 255 characters of a-z, A-Z, 0-9, '_', '.' and '-'.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// Tags to store with the collection, as Key1=Value1,Key2=Value2 or a JSON object.
    #[arg(long, value_parser = parse_tags)]
    pub tags: Option<Tags>,
}

/// Flags of the subcommands that name only a collection.
#[derive(Debug, Args)]
pub struct CollectionArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,
}

/// Flags of list-collections.
#[derive(Debug, Args)]
pub struct ListCollectionsArgs {
    /// Page size from 0 to 4096; 0 or absent means 1000.
    #[arg(long, allow_hyphen_values = true)]
    pub max_results: Option<i64>,

    /// NextToken of the previous page.
    #[arg(long, allow_hyphen_values = true)]
    pub next_token: Option<String>,
}

/// Flags of import-faces.
#[derive(Debug, Args)]
pub struct ImportFacesArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// File of faces: JSON lines (one face object a line) or a ListFaces response document;
    /// '-' reads standard input.
    #[arg(long, value_name = "PATH")]
    pub file: PathBuf,

    /// Faces stored per transaction. A bad face rejects its whole batch, and the batches
    /// before it stay stored.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,
}

/// Flags of list-faces.
#[derive(Debug, Args)]
pub struct ListFacesArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// Page size from 0 to 4096; 0 or absent means 1000.
    #[arg(long, allow_hyphen_values = true)]
    pub max_results: Option<i64>,

    /// NextToken of the previous page.
    #[arg(long, allow_hyphen_values = true)]
    pub next_token: Option<String>,

    /// List only the faces of this user.
    #[arg(long, allow_hyphen_values = true)]
    pub user_id: Option<String>,

    /// List only these faces.
    #[arg(long, num_args = 1.., value_name = "FACE_ID")]
    pub face_ids: Option<Vec<String>>,
}

/// Flags of delete-faces.
#[derive(Debug, Args)]
pub struct DeleteFacesArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// 1 to 4096 IDs of the faces to delete.
    #[arg(long, num_args = 1.., required = true, value_name = "FACE_ID")]
    pub face_ids: Vec<String>,
}

/// Flags of create-user and delete-user.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// ID of the user: 1 to 128 characters of a-z, A-Z, 0-9, '_', '.', '-' and ':'.
    #[arg(long, allow_hyphen_values = true)]
    pub user_id: String,

    /// Idempotency token: a retry with the same token and flags returns the first response.
    #[arg(long, allow_hyphen_values = true)]
    pub client_request_token: Option<String>,
}

/// Flags of list-users.
#[derive(Debug, Args)]
pub struct ListUsersArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// Page size from 1 to 500; absent means 500.
    #[arg(long, allow_hyphen_values = true)]
    pub max_results: Option<i64>,

    /// NextToken of the previous page.
    #[arg(long, allow_hyphen_values = true)]
    pub next_token: Option<String>,
}

/// Flags of associate-faces.
#[derive(Debug, Args)]
pub struct AssociateFacesArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// ID of the user.
    #[arg(long, allow_hyphen_values = true)]
    pub user_id: String,

    /// 1 to 100 IDs of the faces to associate.
    #[arg(long, num_args = 1.., required = true, value_name = "FACE_ID")]
    pub face_ids: Vec<String>,

    /// Minimum similarity in percent (0 to 100) of each face to the user's faces; default 75.
    #[arg(long, allow_hyphen_values = true)]
    pub user_match_threshold: Option<f64>,

    /// Idempotency token: a retry with the same token and flags returns the first response.
    #[arg(long, allow_hyphen_values = true)]
    pub client_request_token: Option<String>,
}

/// Flags of disassociate-faces.
#[derive(Debug, Args)]
pub struct DisassociateFacesArgs {
    /// ID of the collection.
    #[arg(long, allow_hyphen_values = true)]
    pub collection_id: String,

    /// ID of the user.
    #[arg(long, allow_hyphen_values = true)]
    pub user_id: String,

    /// 1 to 100 IDs of the faces to disassociate.
    #[arg(long, num_args = 1.., required = true, value_name = "FACE_ID")]
    pub face_ids: Vec<String>,

    /// Idempotency token: a retry with the same token and flags returns the first response.
    #[arg(long, allow_hyphen_values = true)]
    pub client_request_token: Option<String>,
}

/// Flags of tag-resource.
#[derive(Debug, Args)]
pub struct TagResourceArgs {
    /// ARN of the collection, as describe-collection prints it.
    #[arg(long, allow_hyphen_values = true)]
    pub resource_arn: String,

    /// Tags to add, as Key1=Value1,Key2=Value2 or a JSON object; a stored key gets the new
    /// value.
    #[arg(long, value_parser = parse_tags)]
    pub tags: Tags,
}

/// Flags of untag-resource.
#[derive(Debug, Args)]
pub struct UntagResourceArgs {
    /// ARN of the collection, as describe-collection prints it.
    #[arg(long, allow_hyphen_values = true)]
    pub resource_arn: String,

    /// Keys of the tags to remove.
    #[arg(long, num_args = 1.., required = true, value_name = "KEY")]
    pub tag_keys: Vec<String>,
}

/// Flags of list-tags-for-resource.
#[derive(Debug, Args)]
pub struct ResourceArgs {
    /// ARN of the collection, as describe-collection prints it.
    #[arg(long, allow_hyphen_values = true)]
    pub resource_arn: String,
}

/// Parses tags in the AWS CLI's shorthand, `Key1=Value1,Key2=Value2`, or as a JSON object of
/// strings. A value may contain `=` but, in the shorthand, not `,`.
fn parse_tags(text: &str) -> Result<Tags, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|error| {
            format!("invalid JSON object of tags: {error}; write {{\"Key1\": \"Value1\"}}")
        });
    }

    let mut tags = Tags::new();
    for pair in text.split(',') {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "tag '{pair}' has no '='; write Key1=Value1,Key2=Value2"
            ));
        };
        if tags.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(format!("tag key '{key}' is given twice"));
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tags_shorthand_splits_pairs() {
        let tags = parse_tags("Team=vision,Query=a=b,Empty=").expect("valid shorthand");
        assert_eq!(tags["Team"], "vision");
        assert_eq!(tags["Query"], "a=b");
        assert_eq!(tags["Empty"], "");
    }

    #[test]
    fn tags_json_object_is_accepted() {
        let tags = parse_tags(r#"{"Team": "a,b"}"#).expect("valid JSON");
        assert_eq!(tags["Team"], "a,b");
    }

    #[test]
    fn tags_without_equals_are_rejected() {
        let error = parse_tags("Team").expect_err("no '='");
        assert!(error.contains("tag 'Team' has no '='"), "{error}");
    }

    #[test]
    fn tags_with_repeated_key_are_rejected() {
        let error = parse_tags("A=1,A=2").expect_err("repeated key");
        assert!(error.contains("'A' is given twice"), "{error}");
    }
}

/// Flags of serve.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Requests are not authenticated, so keep a loopback address;
    /// port 0 picks a free port and the log line "listening" shows it.
    #[arg(long, default_value_t = crate::server::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,

    /// Largest request body accepted, in bytes; a larger request gets HTTP 413.
    #[arg(long, default_value_t = crate::server::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
}
