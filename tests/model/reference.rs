//! A plain in-memory implementation of facestore's collection semantics, for comparison with
//! the engine.
//!
//! It is written for clarity, not speed: collections are maps, and a user's faces are found by
//! scanning the faces. Every operation works on a copy of the collection that replaces the
//! stored one only when the operation succeeds, so a failed call changes nothing.
//!
//! Requests and responses are the AWS-shaped JSON of `facestore::dispatch::call`; an error is
//! the AWS exception name. `NextToken`s are the model's own cursors (`model|<operation>|
//! <collection number>|<last key>`), which the harness never compares with the engine's.

use std::collections::{BTreeMap, BTreeSet};

use facestore::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, DeleteCollectionRequest,
    DeleteFacesRequest, DeleteUserRequest, DescribeCollectionRequest, DisassociateFacesRequest,
    FaceInput, ImportFacesRequest, ListCollectionsRequest, ListFacesRequest,
    ListTagsForResourceRequest, ListUsersRequest, TagResourceRequest, UntagResourceRequest,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The face model version of the engine's default settings.
pub const FACE_MODEL_VERSION: &str = "7.0";

/// The ARN of a collection without the `arn:` prefix, up to the collection ID, for the
/// engine's default region and account.
pub const ARN_PREFIX: &str = "aws:rekognition:us-east-1:000000000000:collection/";

const MAX_FACES_PER_USER: usize = 100;
const MAX_TAGS_PER_COLLECTION: usize = 50;
const DEFAULT_USER_MATCH_THRESHOLD: f64 = 75.0;

/// A response, or the AWS exception name of the error.
pub type Outcome = Result<Value, &'static str>;

/// Every collection of one store.
#[derive(Debug, Clone, Default)]
pub struct Model {
    collections: BTreeMap<String, Collection>,
    /// Number of the next collection created. Numbers order ListCollections and tie a
    /// pagination cursor to one incarnation of a collection ID.
    next_number: u64,
}

#[derive(Debug, Clone)]
struct Collection {
    number: u64,
    /// Faces by `FaceId`; the text order of lower-case UUIDs is ListFaces' order.
    faces: BTreeMap<String, StoredFace>,
    users: BTreeSet<String>,
    tags: BTreeMap<String, String>,
    embedding_dimension: Option<usize>,
    /// Remembered `ClientRequestToken`s: (operation, token) to (request without its token,
    /// response).
    request_tokens: BTreeMap<(&'static str, String), (Value, Value)>,
}

/// A face as imported, with `user_id` holding its current user.
#[derive(Debug, Clone, PartialEq)]
struct StoredFace {
    input: FaceInput,
}

impl StoredFace {
    fn user_id(&self) -> Option<&str> {
        self.input.user_id.as_deref()
    }

    /// Returns the AWS `Face` shape of this face.
    fn to_json(&self) -> Value {
        let input = &self.input;
        let mut face = serde_json::Map::new();
        face.insert("FaceId".into(), json!(input.face_id));
        if let Some(bounding_box) = &input.bounding_box {
            face.insert(
                "BoundingBox".into(),
                json!({
                    "Width": bounding_box.width,
                    "Height": bounding_box.height,
                    "Left": bounding_box.left,
                    "Top": bounding_box.top,
                }),
            );
        }
        face.insert("ImageId".into(), json!(input.image_id));
        if let Some(external) = &input.external_image_id {
            face.insert("ExternalImageId".into(), json!(external));
        }
        if let Some(confidence) = input.confidence {
            face.insert("Confidence".into(), json!(confidence));
        }
        if let Some(version) = &input.index_faces_model_version {
            face.insert("IndexFacesModelVersion".into(), json!(version));
        }
        if let Some(user_id) = &input.user_id {
            face.insert("UserId".into(), json!(user_id));
        }
        Value::Object(face)
    }
}

impl Collection {
    fn user_face_count(&self, user_id: &str) -> usize {
        self.faces
            .values()
            .filter(|face| face.user_id() == Some(user_id))
            .count()
    }

    fn user_status(&self, user_id: &str) -> &'static str {
        if self.user_face_count(user_id) == 0 {
            "CREATED"
        } else {
            "ACTIVE"
        }
    }

    /// Returns the remembered response of a retried request, or the mismatch error.
    fn replay(
        &self,
        operation: &'static str,
        token: Option<&String>,
        fingerprint: &Value,
    ) -> Option<Outcome> {
        let (request, response) = self.request_tokens.get(&(operation, token?.clone()))?;
        if request == fingerprint {
            Some(Ok(response.clone()))
        } else {
            Some(Err("IdempotentParameterMismatchException"))
        }
    }

    fn remember(
        &mut self,
        operation: &'static str,
        token: Option<&String>,
        fingerprint: Value,
        response: &Value,
    ) {
        if let Some(token) = token {
            self.request_tokens
                .insert((operation, token.clone()), (fingerprint, response.clone()));
        }
    }

    /// Returns the normalised mean of the embeddings of a user's faces.
    fn user_embedding(&self, user_id: &str) -> Option<Vec<f64>> {
        let mut sum: Option<Vec<f64>> = None;
        for face in self.faces.values() {
            if face.user_id() != Some(user_id) {
                continue;
            }
            let Some(embedding) = &face.input.embedding else {
                continue;
            };
            let unit = normalised(embedding.iter().map(|value| f64::from(*value)).collect());
            let total = sum.get_or_insert_with(|| vec![0.0; unit.len()]);
            for (total, value) in total.iter_mut().zip(unit) {
                *total += value;
            }
        }
        sum.map(normalised)
    }
}

fn normalised(vector: Vec<f64>) -> Vec<f64> {
    let length = vector.iter().map(|value| value * value).sum::<f64>().sqrt();
    if length == 0.0 {
        return vector;
    }
    vector.into_iter().map(|value| value / length).collect()
}

/// Cosine similarity clamped at 0, in percent.
fn similarity(a: &[f64], b: &[f64]) -> f64 {
    let a = normalised(a.to_vec());
    let b = normalised(b.to_vec());
    let cosine: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    cosine.clamp(0.0, 1.0) * 100.0
}

/// Returns true for a lower-case UUID.
pub fn is_face_id(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(index, character)| {
            if matches!(index, 8 | 13 | 18 | 23) {
                character == '-'
            } else {
                matches!(character, '0'..='9' | 'a'..='f')
            }
        })
}

fn valid_face_ids(face_ids: &[String], max: usize) -> bool {
    (1..=max).contains(&face_ids.len()) && face_ids.iter().all(|id| is_face_id(id))
}

/// Returns each ID once, at its first position.
fn distinct(face_ids: &[String]) -> Vec<&String> {
    let mut seen = BTreeSet::new();
    face_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .collect()
}

fn parse<R: DeserializeOwned>(request: &Value) -> Result<R, &'static str> {
    serde_json::from_value(request.clone()).map_err(|_| "ValidationException")
}

fn page_size(max_results: Option<i64>, default: usize) -> usize {
    match max_results {
        None | Some(0) => default,
        Some(size) => usize::try_from(size).expect("validated page size"),
    }
}

fn cursor(operation: &str, number: u64, last: &str) -> String {
    format!("model|{operation}|{number}|{last}")
}

/// Returns the last key of a cursor made by [`cursor`] for `operation` and `number`.
fn parse_cursor(token: &str, operation: &str, number: u64) -> Result<String, &'static str> {
    let prefix = format!("model|{operation}|{number}|");
    token
        .strip_prefix(&prefix)
        .map(str::to_owned)
        .ok_or("InvalidPaginationTokenException")
}

impl Model {
    /// Runs `operation` on a JSON request and returns the JSON response or exception name.
    pub fn call(&mut self, operation: &str, request: &Value) -> Outcome {
        match operation {
            "CreateCollection" => self.create_collection(parse(request)?),
            "DeleteCollection" => self.delete_collection(&parse(request)?),
            "DescribeCollection" => self.describe_collection(&parse(request)?),
            "ListCollections" => self.list_collections(&parse(request)?),
            "ImportFaces" => self.import_faces(parse(request)?),
            "DeleteFaces" => self.delete_faces(&parse(request)?),
            "ListFaces" => self.list_faces(&parse(request)?),
            "CreateUser" => self.create_user(parse(request)?),
            "DeleteUser" => self.delete_user(parse(request)?),
            "ListUsers" => self.list_users(&parse(request)?),
            "AssociateFaces" => self.associate_faces(parse(request)?),
            "DisassociateFaces" => self.disassociate_faces(parse(request)?),
            "TagResource" => self.tag_resource(parse(request)?),
            "UntagResource" => self.untag_resource(&parse(request)?),
            "ListTagsForResource" => self.list_tags(&parse(request)?),
            other => panic!("the model has no operation {other}"),
        }
    }

    fn collection(&self, collection_id: &str) -> Result<&Collection, &'static str> {
        self.collections
            .get(collection_id)
            .ok_or("ResourceNotFoundException")
    }

    /// Returns a copy of a collection to change; [`Model::commit`] stores it.
    fn copy(&self, collection_id: &str) -> Result<Collection, &'static str> {
        self.collection(collection_id).cloned()
    }

    fn commit(&mut self, collection_id: &str, collection: Collection) {
        self.collections
            .insert(collection_id.to_owned(), collection);
    }

    fn create_collection(&mut self, request: CreateCollectionRequest) -> Outcome {
        let tags = request.tags.unwrap_or_default();
        if tags.len() > MAX_TAGS_PER_COLLECTION {
            return Err("ServiceQuotaExceededException");
        }
        if self.collections.contains_key(&request.collection_id) {
            return Err("ResourceAlreadyExistsException");
        }
        self.next_number += 1;
        let collection = Collection {
            number: self.next_number,
            faces: BTreeMap::new(),
            users: BTreeSet::new(),
            tags,
            embedding_dimension: None,
            request_tokens: BTreeMap::new(),
        };
        self.commit(&request.collection_id, collection);
        Ok(json!({
            "StatusCode": 200,
            "CollectionArn": format!("{ARN_PREFIX}{}", request.collection_id),
            "FaceModelVersion": FACE_MODEL_VERSION,
        }))
    }

    fn delete_collection(&mut self, request: &DeleteCollectionRequest) -> Outcome {
        self.collections
            .remove(&request.collection_id)
            .ok_or("ResourceNotFoundException")?;
        Ok(json!({"StatusCode": 200}))
    }

    fn describe_collection(&self, request: &DescribeCollectionRequest) -> Outcome {
        let collection = self.collection(&request.collection_id)?;
        Ok(json!({
            "FaceCount": collection.faces.len(),
            "FaceModelVersion": FACE_MODEL_VERSION,
            "CollectionARN": format!("arn:{ARN_PREFIX}{}", request.collection_id),
            "UserCount": collection.users.len(),
        }))
    }

    fn list_collections(&self, request: &ListCollectionsRequest) -> Outcome {
        if request
            .max_results
            .is_some_and(|max| !(0..=4096).contains(&max))
        {
            return Err("ValidationException");
        }
        let limit = page_size(request.max_results, 1000);
        let after: u64 = match &request.next_token {
            Some(token) => parse_cursor(token, "ListCollections", 0)?
                .parse()
                .map_err(|_| "InvalidPaginationTokenException")?,
            None => 0,
        };
        let mut by_number: Vec<(u64, &String)> = self
            .collections
            .iter()
            .map(|(id, collection)| (collection.number, id))
            .filter(|(number, _)| *number > after)
            .collect();
        by_number.sort();

        let page: Vec<&(u64, &String)> = by_number.iter().take(limit).collect();
        let mut response = json!({
            "CollectionIds": page.iter().map(|(_, id)| id).collect::<Vec<_>>(),
            "FaceModelVersions": page.iter().map(|_| FACE_MODEL_VERSION).collect::<Vec<_>>(),
        });
        if by_number.len() > limit {
            let last = page.last().expect("a full page").0;
            response["NextToken"] = json!(cursor("ListCollections", 0, &last.to_string()));
        }
        Ok(response)
    }

    fn import_faces(&mut self, request: ImportFacesRequest) -> Outcome {
        let mut collection = self.copy(&request.collection_id)?;
        let mut stored = Vec::new();
        let mut skipped = Vec::new();
        for input in request.faces {
            let face_id = input
                .face_id
                .clone()
                .expect("the harness gives every FaceId");
            if let Some(existing) = collection.faces.get(&face_id) {
                // A line without UserId matches a face that was associated after it was
                // first imported, so that re-running an import succeeds.
                let mut existing_input = existing.input.clone();
                if input.user_id.is_none() {
                    existing_input.user_id = None;
                }
                if existing_input == input {
                    skipped.push(face_id);
                    continue;
                }
                return Err("InvalidParameterException");
            }
            if let Some(embedding) = &input.embedding {
                match collection.embedding_dimension {
                    None => collection.embedding_dimension = Some(embedding.len()),
                    Some(dimension) if dimension != embedding.len() => {
                        return Err("InvalidParameterException");
                    }
                    Some(_) => {}
                }
            }
            if let Some(user_id) = &input.user_id {
                collection.users.insert(user_id.clone());
                if collection.user_face_count(user_id) >= MAX_FACES_PER_USER {
                    return Err("ServiceQuotaExceededException");
                }
            }
            let face = StoredFace { input };
            stored.push(face.to_json());
            collection.faces.insert(face_id, face);
        }
        self.commit(&request.collection_id, collection);
        Ok(json!({"Faces": stored, "SkippedFaceIds": skipped}))
    }

    fn delete_faces(&mut self, request: &DeleteFacesRequest) -> Outcome {
        if !valid_face_ids(&request.face_ids, 4096) {
            return Err("ValidationException");
        }
        let mut collection = self.copy(&request.collection_id)?;
        let mut deleted = Vec::new();
        let mut unsuccessful = Vec::new();
        for face_id in distinct(&request.face_ids) {
            match collection.faces.get(face_id).map(StoredFace::user_id) {
                None => unsuccessful.push(json!({
                    "FaceId": face_id,
                    "Reasons": ["FACE_NOT_FOUND"],
                })),
                Some(Some(user_id)) => unsuccessful.push(json!({
                    "FaceId": face_id,
                    "UserId": user_id,
                    "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"],
                })),
                Some(None) => {
                    collection.faces.remove(face_id);
                    deleted.push(face_id.clone());
                }
            }
        }
        self.commit(&request.collection_id, collection);
        Ok(json!({"DeletedFaces": deleted, "UnsuccessfulFaceDeletions": unsuccessful}))
    }

    fn list_faces(&self, request: &ListFacesRequest) -> Outcome {
        if request
            .max_results
            .is_some_and(|max| !(0..=4096).contains(&max))
            || request
                .face_ids
                .as_ref()
                .is_some_and(|ids| !valid_face_ids(ids, 4096))
        {
            return Err("ValidationException");
        }
        let collection = self.collection(&request.collection_id)?;
        let after = match &request.next_token {
            Some(token) => Some(parse_cursor(token, "ListFaces", collection.number)?),
            None => None,
        };
        let limit = page_size(request.max_results, 1000);

        let matching: Vec<(&String, &StoredFace)> = collection
            .faces
            .iter()
            .filter(|(id, _)| after.as_ref().is_none_or(|after| *id > after))
            .filter(|(_, face)| {
                request
                    .user_id
                    .as_ref()
                    .is_none_or(|user_id| face.user_id() == Some(user_id.as_str()))
            })
            .filter(|(id, _)| {
                request
                    .face_ids
                    .as_ref()
                    .is_none_or(|wanted| wanted.contains(id))
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .take(limit)
            .map(|(_, face)| face.to_json())
            .collect();
        let mut response = json!({"Faces": page, "FaceModelVersion": FACE_MODEL_VERSION});
        if matching.len() > limit {
            let last = matching[limit - 1].0;
            response["NextToken"] = json!(cursor("ListFaces", collection.number, last));
        }
        Ok(response)
    }

    fn create_user(&mut self, request: CreateUserRequest) -> Outcome {
        let mut collection = self.copy(&request.collection_id)?;
        let token = request.client_request_token.clone();
        let fingerprint = fingerprint(CreateUserRequest {
            client_request_token: None,
            ..request.clone()
        });
        if let Some(outcome) = collection.replay("CreateUser", token.as_ref(), &fingerprint) {
            return outcome;
        }
        if !collection.users.insert(request.user_id.clone()) {
            return Err("ConflictException");
        }
        let response = json!({});
        collection.remember("CreateUser", token.as_ref(), fingerprint, &response);
        self.commit(&request.collection_id, collection);
        Ok(response)
    }

    fn delete_user(&mut self, request: DeleteUserRequest) -> Outcome {
        let mut collection = self.copy(&request.collection_id)?;
        let token = request.client_request_token.clone();
        let fingerprint = fingerprint(DeleteUserRequest {
            client_request_token: None,
            ..request.clone()
        });
        if let Some(outcome) = collection.replay("DeleteUser", token.as_ref(), &fingerprint) {
            return outcome;
        }
        if !collection.users.remove(&request.user_id) {
            return Err("ResourceNotFoundException");
        }
        for face in collection.faces.values_mut() {
            if face.user_id() == Some(request.user_id.as_str()) {
                face.input.user_id = None;
            }
        }
        let response = json!({});
        collection.remember("DeleteUser", token.as_ref(), fingerprint, &response);
        self.commit(&request.collection_id, collection);
        Ok(response)
    }

    fn list_users(&self, request: &ListUsersRequest) -> Outcome {
        if request
            .max_results
            .is_some_and(|max| !(1..=500).contains(&max))
        {
            return Err("ValidationException");
        }
        let collection = self.collection(&request.collection_id)?;
        let after = match &request.next_token {
            Some(token) => Some(parse_cursor(token, "ListUsers", collection.number)?),
            None => None,
        };
        let limit = page_size(request.max_results, 500);

        // BTreeSet<String> orders by bytes, the order ListUsers promises.
        let matching: Vec<&String> = collection
            .users
            .iter()
            .filter(|user_id| after.as_ref().is_none_or(|after| *user_id > after))
            .collect();
        let users: Vec<Value> = matching
            .iter()
            .take(limit)
            .map(
                |user_id| json!({"UserId": user_id, "UserStatus": collection.user_status(user_id)}),
            )
            .collect();
        let mut response = json!({"Users": users});
        if matching.len() > limit {
            let last = matching[limit - 1];
            response["NextToken"] = json!(cursor("ListUsers", collection.number, last));
        }
        Ok(response)
    }

    fn associate_faces(&mut self, request: AssociateFacesRequest) -> Outcome {
        if !valid_face_ids(&request.face_ids, 100)
            || request
                .user_match_threshold
                .is_some_and(|threshold| !(0.0..=100.0).contains(&threshold))
        {
            return Err("ValidationException");
        }
        let mut collection = self.copy(&request.collection_id)?;
        let token = request.client_request_token.clone();
        let fingerprint = fingerprint(AssociateFacesRequest {
            client_request_token: None,
            ..request.clone()
        });
        if let Some(outcome) = collection.replay("AssociateFaces", token.as_ref(), &fingerprint) {
            return outcome;
        }
        if !collection.users.contains(&request.user_id) {
            return Err("ResourceNotFoundException");
        }
        let threshold = request
            .user_match_threshold
            .unwrap_or(DEFAULT_USER_MATCH_THRESHOLD);
        // The user's embedding as it was before this call.
        let user_embedding = collection.user_embedding(&request.user_id);

        let mut to_associate = Vec::new();
        let mut unsuccessful = Vec::new();
        for face_id in distinct(&request.face_ids) {
            let Some(face) = collection.faces.get(face_id) else {
                unsuccessful.push(json!({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]}));
                continue;
            };
            match face.user_id() {
                Some(owner) if owner == request.user_id => continue,
                Some(owner) => {
                    unsuccessful.push(json!({
                        "FaceId": face_id,
                        "UserId": owner,
                        "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"],
                    }));
                    continue;
                }
                None => {}
            }
            if let (Some(user), Some(embedding)) = (&user_embedding, &face.input.embedding) {
                let embedding: Vec<f64> = embedding.iter().map(|value| f64::from(*value)).collect();
                let score = similarity(user, &embedding);
                if score < threshold {
                    unsuccessful.push(json!({
                        "FaceId": face_id,
                        "Confidence": score,
                        "Reasons": ["LOW_MATCH_CONFIDENCE"],
                    }));
                    continue;
                }
            }
            to_associate.push(face_id.clone());
        }

        if collection.user_face_count(&request.user_id) + to_associate.len() > MAX_FACES_PER_USER {
            return Err("ServiceQuotaExceededException");
        }
        for face_id in &to_associate {
            let face = collection.faces.get_mut(face_id).expect("found above");
            face.input.user_id = Some(request.user_id.clone());
        }
        let response = json!({
            "AssociatedFaces": to_associate
                .iter()
                .map(|face_id| json!({"FaceId": face_id}))
                .collect::<Vec<_>>(),
            "UnsuccessfulFaceAssociations": unsuccessful,
            "UserStatus": collection.user_status(&request.user_id),
        });
        collection.remember("AssociateFaces", token.as_ref(), fingerprint, &response);
        self.commit(&request.collection_id, collection);
        Ok(response)
    }

    fn disassociate_faces(&mut self, request: DisassociateFacesRequest) -> Outcome {
        if !valid_face_ids(&request.face_ids, 100) {
            return Err("ValidationException");
        }
        let mut collection = self.copy(&request.collection_id)?;
        let token = request.client_request_token.clone();
        let fingerprint = fingerprint(DisassociateFacesRequest {
            client_request_token: None,
            ..request.clone()
        });
        if let Some(outcome) = collection.replay("DisassociateFaces", token.as_ref(), &fingerprint)
        {
            return outcome;
        }
        if !collection.users.contains(&request.user_id) {
            return Err("ResourceNotFoundException");
        }

        let mut disassociated = Vec::new();
        let mut unsuccessful = Vec::new();
        for face_id in distinct(&request.face_ids) {
            let Some(face) = collection.faces.get_mut(face_id) else {
                unsuccessful.push(json!({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]}));
                continue;
            };
            match face.input.user_id.clone() {
                None => {}
                Some(owner) if owner == request.user_id => {
                    face.input.user_id = None;
                    disassociated.push(json!({"FaceId": face_id}));
                }
                Some(owner) => unsuccessful.push(json!({
                    "FaceId": face_id,
                    "UserId": owner,
                    "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"],
                })),
            }
        }
        let response = json!({
            "DisassociatedFaces": disassociated,
            "UnsuccessfulFaceDisassociations": unsuccessful,
            "UserStatus": collection.user_status(&request.user_id),
        });
        collection.remember("DisassociateFaces", token.as_ref(), fingerprint, &response);
        self.commit(&request.collection_id, collection);
        Ok(response)
    }

    /// Returns the collection ID that an ARN, with or without `arn:`, names.
    fn collection_of_arn(arn: &str) -> Result<String, &'static str> {
        arn.strip_prefix("arn:")
            .unwrap_or(arn)
            .strip_prefix(ARN_PREFIX)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or("ResourceNotFoundException")
    }

    fn tag_resource(&mut self, request: TagResourceRequest) -> Outcome {
        let collection_id = Self::collection_of_arn(&request.resource_arn)?;
        let mut collection = self.copy(&collection_id)?;
        collection.tags.extend(request.tags);
        if collection.tags.len() > MAX_TAGS_PER_COLLECTION {
            return Err("ServiceQuotaExceededException");
        }
        self.commit(&collection_id, collection);
        Ok(json!({}))
    }

    fn untag_resource(&mut self, request: &UntagResourceRequest) -> Outcome {
        let collection_id = Self::collection_of_arn(&request.resource_arn)?;
        let mut collection = self.copy(&collection_id)?;
        for key in &request.tag_keys {
            collection.tags.remove(key);
        }
        self.commit(&collection_id, collection);
        Ok(json!({}))
    }

    fn list_tags(&self, request: &ListTagsForResourceRequest) -> Outcome {
        let collection_id = Self::collection_of_arn(&request.resource_arn)?;
        Ok(json!({"Tags": self.collection(&collection_id)?.tags}))
    }
}

/// Returns the JSON of a request with its `ClientRequestToken` cleared: two requests are
/// the same request when these are equal.
fn fingerprint(request_without_token: impl serde::Serialize) -> Value {
    serde_json::to_value(request_without_token).expect("requests serialize")
}
