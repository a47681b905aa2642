//! Bodies of the fuzz targets in `fuzz/`, kept in the library so that `tests/fuzz_corpus.rs`
//! replays the seeds and crash reproducers through the same code without a fuzzer.
//!
//! Each function takes the raw bytes of one fuzzer input and panics only when it finds a bug:
//! a panic inside the store, an `InternalServerError` caused by request content, or a store
//! whose listings and counters disagree afterwards. This module is not part of the supported
//! API.

mod fixture;
#[cfg(feature = "server")]
mod http;
mod invariants;
mod operations;

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use serde_json::Value;

#[cfg(feature = "server")]
pub use http::http_request;
pub use operations::{Collection, FaceSlot, FaceSpec, Op, TokenSlot, UserSlot};

use crate::api::{ImportFacesRequest, ListCollectionsRequest, ListFacesRequest, ListUsersRequest};
use crate::error::{Error, Result};
use crate::storage::record::{self, CollectionRecord, TokenRecord, UserRecord};
use crate::{Store, dispatch, import_file};

/// Runs one JSON request on a populated in-memory store.
///
/// The first byte picks the operation from [`dispatch::OPERATIONS`] (modulo their number) and
/// the rest is the JSON request. Input that is not JSON is ignored. Any response or error is
/// accepted except an internal error, and the store must stay consistent.
pub fn json_request(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let (operation, _) = dispatch::OPERATIONS[usize::from(selector) % dispatch::OPERATIONS.len()];
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return;
    };

    let store = fixture::populated_store();
    let result = dispatch::call(&store, operation, request);
    check_not_internal(operation, &result);
    invariants::check_store(&store);
}

/// Runs every stored-record decoder on `bytes` and discards the results.
///
/// Corrupt bytes must give an error, never a panic or an allocation beyond the codec's limit.
pub fn decode_records(bytes: &[u8]) {
    let _ = record::decode::<CollectionRecord>(bytes);
    let _ = record::decode::<UserRecord>(bytes);
    let _ = record::decode::<TokenRecord>(bytes);
    let _ = record::decode_face(bytes);
    let _ = record::face_user_and_slot(bytes);
    let _ = record::decode_embedding(bytes);
    if let Some((&dimension, rest)) = bytes.split_first() {
        let dimension = u32::from(dimension);
        let _ = crate::storage::block::Block::decode(rest, dimension);
        for slot in 0..3 {
            let _ = crate::storage::block::slot_embedding(rest, dimension, slot);
        }
    }
}

/// Passes a `NextToken` to a listing of a populated in-memory store.
///
/// The first byte chooses: bits 0-1 the listing (ListFaces, ListUsers, ListCollections, or
/// ListFaces of one user); bit 2 whether the token is the rest of the input as text, or a
/// real token of the listing named by bits 3-4 cut to as many characters as the second byte
/// and followed by the remaining bytes as text; bits 5-7 `MaxResults`, absent when 0. The
/// listing must succeed or fail with `InvalidPaginationTokenException` or
/// `ValidationException`.
pub fn pagination_token(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // Listings change nothing, so every input can share one store, which is built once per
    // process because building it takes most of the time of one input.
    static STORE: OnceLock<Store> = OnceLock::new();
    let store = STORE.get_or_init(fixture::populated_store);

    let token = if selector & 0b100 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let source = Listing::from_bits(selector >> 3);
        let real = source
            .page(store, None, Some(1))
            .unwrap_or_else(|error| panic!("first page of {source:?} failed: {error}"))
            .unwrap_or_else(|| panic!("{source:?} of the fixture has a second page"));
        let (&cut, suffix) = rest.split_first().unwrap_or((&u8::MAX, &[]));
        let kept: String = real.chars().take(usize::from(cut)).collect();
        format!("{kept}{}", String::from_utf8_lossy(suffix))
    };

    let listing = Listing::from_bits(selector);
    let max_results = match selector >> 5 {
        0 => None,
        size => Some(i64::from(size)),
    };
    let result = listing.page(store, Some(token), max_results);
    if let Err(error) = &result {
        assert!(
            matches!(
                error,
                Error::InvalidPaginationToken(_) | Error::Validation(_)
            ),
            "{listing:?} returned {} for a NextToken: {error}",
            error.exception_name()
        );
    }
}

/// Imports faces decoded from one input into a populated in-memory store, then imports them
/// again, which must succeed because a stored identical face is skipped.
///
/// The input is an `ImportFaces` request in JSON, or one line of a JSON lines import file
/// whose face goes into the fixture's first collection. Other input is ignored.
pub fn import_line(data: &[u8]) {
    let Some(request) = import_request(data) else {
        return;
    };
    let store = fixture::populated_store();

    let first = store.import_faces(&request);
    check_not_internal("ImportFaces", &first);
    invariants::check_store(&store);

    let all_ids_given = request.faces.iter().all(|face| face.face_id.is_some());
    if first.is_ok() && all_ids_given {
        if let Err(error) = store.import_faces(&request) {
            panic!("repeating a successful import failed: {error}");
        }
        invariants::check_store(&store);
    }
}

/// Decodes the input of [`import_line`]: an `ImportFaces` request body as the server takes
/// it, or else one line of an import file, parsed as `facestore import-faces` parses it.
fn import_request(data: &[u8]) -> Option<ImportFacesRequest> {
    if let Ok(request) = serde_json::from_slice::<ImportFacesRequest>(data) {
        return Some(request);
    }
    let face = import_file::parse_face_line(data, 1, 1).ok()??;
    Some(ImportFacesRequest {
        collection_id: fixture::COLLECTIONS[0].to_owned(),
        faces: vec![face],
    })
}

/// Applies a sequence of [`Op`]s decoded with `arbitrary` to an empty in-memory store, then
/// checks that every collection's counters, listings and associations agree.
///
/// Only the first 64 operations run. Any response or error of an operation is accepted
/// except an internal error.
pub fn operations(data: &[u8]) {
    let Ok(operations) = Vec::<Op>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let store = Store::builder()
        .open_with_backend(redb::backends::InMemoryBackend::new())
        .expect("an in-memory store opens");

    // A model of the expected responses can be stepped beside the store in this loop.
    for operation in operations.iter().take(operations::MAX_OPERATIONS) {
        let result = operation.apply(&store);
        check_not_internal(&format!("{operation:?}"), &result);
    }
    invariants::check_store(&store);
}

/// Panics when `result` is an internal error, which request content must never cause on an
/// in-memory store.
fn check_not_internal<T>(operation: &str, result: &Result<T>) {
    if let Err(error) = result {
        assert!(
            !error.is_internal(),
            "{operation} returned an internal error: {error}"
        );
    }
}

/// The listings that take a `NextToken`.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Faces,
    Users,
    Collections,
    FacesOfUser,
}

impl Listing {
    fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0 => Self::Faces,
            1 => Self::Users,
            2 => Self::Collections,
            _ => Self::FacesOfUser,
        }
    }

    /// Lists one page and returns its `NextToken`.
    fn page(
        self,
        store: &Store,
        next_token: Option<String>,
        max_results: Option<i64>,
    ) -> Result<Option<String>> {
        let collection_id = fixture::COLLECTIONS[0].to_owned();
        let faces = |user_id: Option<&str>| ListFacesRequest {
            collection_id: collection_id.clone(),
            next_token: next_token.clone(),
            max_results,
            user_id: user_id.map(str::to_owned),
            face_ids: None,
        };
        match self {
            Self::Faces => store.list_faces(&faces(None)).map(|page| page.next_token),
            Self::FacesOfUser => store
                .list_faces(&faces(Some(fixture::USERS[0])))
                .map(|page| page.next_token),
            Self::Users => store
                .list_users(&ListUsersRequest {
                    collection_id: collection_id.clone(),
                    max_results,
                    next_token: next_token.clone(),
                })
                .map(|page| page.next_token),
            Self::Collections => store
                .list_collections(&ListCollectionsRequest {
                    next_token: next_token.clone(),
                    max_results,
                })
                .map(|page| page.next_token),
        }
    }
}
