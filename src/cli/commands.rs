//! Runs each subcommand as one call of the store and prints its response.

use std::io::Write;

use serde::Serialize;

use super::args::Command;
use super::error::CliError;
use super::import;
use super::output::print_json;
use crate::Store;
use crate::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, DeleteCollectionRequest,
    DeleteFacesRequest, DeleteUserRequest, DescribeCollectionRequest, DisassociateFacesRequest,
    ListCollectionsRequest, ListFacesRequest, ListTagsForResourceRequest, ListUsersRequest,
    TagResourceRequest, UntagResourceRequest,
};

/// Runs `command` on `store` and prints the response on standard output.
///
/// # Errors
///
/// [`CliError::Service`] when the operation fails, [`CliError::Output`] when printing fails,
/// and for import-faces the input errors of [`import::run`].
pub fn run(store: &Store, command: Command) -> Result<(), CliError> {
    let operation = command.operation();
    match command {
        Command::CreateCollection(args) => print(
            operation,
            store.create_collection(&CreateCollectionRequest {
                collection_id: args.collection_id,
                tags: args.tags,
            }),
        ),
        Command::DeleteCollection(args) => print(
            operation,
            store.delete_collection(&DeleteCollectionRequest {
                collection_id: args.collection_id,
            }),
        ),
        Command::DescribeCollection(args) => print(
            operation,
            store.describe_collection(&DescribeCollectionRequest {
                collection_id: args.collection_id,
            }),
        ),
        Command::ListCollections(args) => print(
            operation,
            store.list_collections(&ListCollectionsRequest {
                next_token: args.next_token,
                max_results: args.max_results,
            }),
        ),
        Command::ImportFaces(args) => import::run(store, &args),
        Command::ListFaces(args) => print(
            operation,
            store.list_faces(&ListFacesRequest {
                collection_id: args.collection_id,
                next_token: args.next_token,
                max_results: args.max_results,
                user_id: args.user_id,
                face_ids: args.face_ids,
            }),
        ),
        Command::DeleteFaces(args) => print(
            operation,
            store.delete_faces(&DeleteFacesRequest {
                collection_id: args.collection_id,
                face_ids: args.face_ids,
            }),
        ),
        Command::CreateUser(args) => print(
            operation,
            store.create_user(&CreateUserRequest {
                collection_id: args.collection_id,
                user_id: args.user_id,
                client_request_token: args.client_request_token,
            }),
        ),
        Command::DeleteUser(args) => print(
            operation,
            store.delete_user(&DeleteUserRequest {
                collection_id: args.collection_id,
                user_id: args.user_id,
                client_request_token: args.client_request_token,
            }),
        ),
        Command::ListUsers(args) => print(
            operation,
            store.list_users(&ListUsersRequest {
                collection_id: args.collection_id,
                max_results: args.max_results,
                next_token: args.next_token,
            }),
        ),
        Command::AssociateFaces(args) => print(
            operation,
            store.associate_faces(&AssociateFacesRequest {
                collection_id: args.collection_id,
                user_id: args.user_id,
                face_ids: args.face_ids,
                user_match_threshold: args.user_match_threshold,
                client_request_token: args.client_request_token,
            }),
        ),
        Command::DisassociateFaces(args) => print(
            operation,
            store.disassociate_faces(&DisassociateFacesRequest {
                collection_id: args.collection_id,
                user_id: args.user_id,
                client_request_token: args.client_request_token,
                face_ids: args.face_ids,
            }),
        ),
        Command::TagResource(args) => print(
            operation,
            store.tag_resource(&TagResourceRequest {
                resource_arn: args.resource_arn,
                tags: args.tags,
            }),
        ),
        Command::UntagResource(args) => print(
            operation,
            store.untag_resource(&UntagResourceRequest {
                resource_arn: args.resource_arn,
                tag_keys: args.tag_keys,
            }),
        ),
        Command::ListTagsForResource(args) => print(
            operation,
            store.list_tags_for_resource(&ListTagsForResourceRequest {
                resource_arn: args.resource_arn,
            }),
        ),
        Command::Check => check(store),
        Command::Compact => unreachable!("cli::run compacts with a mutable store"),
        #[cfg(feature = "server")]
        Command::Serve(_) => unreachable!("cli::run starts the server without opening a store"),
    }
}

fn print(operation: &'static str, response: crate::Result<impl Serialize>) -> Result<(), CliError> {
    let response = response.map_err(|error| CliError::service(operation, &error))?;
    print_json(&response)
}

/// Compacts the store, closes it, and prints the length of its file `path` before and after.
/// Closing writes redb's allocator state, so the length is measured after it.
pub(crate) fn compact(mut store: Store, path: &std::path::Path) -> Result<(), CliError> {
    let length = || std::fs::metadata(path).map_or(0, |metadata| metadata.len());
    let before = length();
    store
        .compact()
        .map_err(|error| CliError::service("Compact", &error))?;
    drop(store);
    let after = length();
    write_line(&format!(
        "{}: {before} bytes before compaction, {after} bytes after",
        path.display()
    ))
}

/// Writes one line on standard output. A closed pipe is not an error.
fn write_line(line: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    match written {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Output(error))
        }
        _ => Ok(()),
    }
}

/// Prints the invariant check's report on standard output.
fn check(store: &Store) -> Result<(), CliError> {
    let report = store
        .check()
        .map_err(|error| CliError::service("Check", &error))?;
    write_line(&report.to_string())?;
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::Violations(report.violations.len()))
    }
}
