//! Runs a sequence of [`Op`]s against the engine and the reference model and compares every
//! response, the store's invariants after every change, and the full state at the end.

use std::path::PathBuf;

use facestore::{Store, dispatch};
use serde_json::{Value, json};

use super::disk::Disk;
use super::ops::{COLLECTIONS, FACES, Op, USERS, ids};
use super::reference::{Model, Outcome};

/// Where the engine's database lives between reopens.
enum Backing {
    /// Shared bytes in memory.
    Memory(Disk),
    /// A redb file in a temporary directory, removed on drop.
    File {
        _directory: tempfile::TempDir,
        path: PathBuf,
    },
}

/// The engine under test: a [`Store`] that can be dropped and opened again on the same data.
pub struct Engine {
    store: Option<Store>,
    backing: Backing,
    faulty: bool,
}

impl Engine {
    /// Returns an engine on an empty in-memory database.
    pub fn in_memory() -> Self {
        let disk = Disk::default();
        let store = Store::builder()
            .open_with_backend(disk.backend())
            .expect("open an in-memory store");
        Self {
            store: Some(store),
            backing: Backing::Memory(disk),
            faulty: false,
        }
    }

    /// Returns an engine on a new redb file.
    pub fn in_file() -> Self {
        let directory = tempfile::tempdir().expect("create a temporary directory");
        let path = directory.path().join("faces.redb");
        let store = Store::open(&path).expect("open a store file");
        Self {
            store: Some(store),
            backing: Backing::File {
                _directory: directory,
                path,
            },
            faulty: false,
        }
    }

    /// Returns an engine on the database in `disk`.
    pub fn on_disk(disk: Disk) -> Self {
        let store = Store::builder()
            .open_with_backend(disk.backend())
            .expect("open a store on a disk image");
        Self {
            store: Some(store),
            backing: Backing::Memory(disk),
            faulty: false,
        }
    }

    /// Makes this engine deliberately wrong: DeleteFaces also deletes every face that it
    /// reports as associated, by disassociating and deleting it behind the response's back.
    /// The harness must catch this.
    pub fn with_delete_faces_bug(mut self) -> Self {
        self.faulty = true;
        self
    }

    /// Returns the open store.
    pub fn store(&self) -> &Store {
        self.store
            .as_ref()
            .expect("the store is open between steps")
    }

    /// Drops the store and opens the same database again.
    pub fn reopen(&mut self) {
        drop(self.store.take());
        let store = match &self.backing {
            Backing::Memory(disk) => Store::builder().open_with_backend(disk.backend()),
            Backing::File { path, .. } => Store::open(path),
        };
        self.store = Some(store.expect("reopen the store"));
    }

    /// Runs one operation through the JSON dispatcher.
    pub fn call(&mut self, operation: &str, request: Value) -> Outcome {
        let outcome = dispatch::call(self.store(), operation, request)
            .map_err(|error| error.exception_name());
        if self.faulty
            && operation == "DeleteFaces"
            && let Ok(response) = &outcome
        {
            self.delete_associated_faces(response);
        }
        outcome
    }

    fn delete_associated_faces(&self, response: &Value) {
        let Some(collection_id) = self.collection_of_last_delete(response) else {
            return;
        };
        for entry in response["UnsuccessfulFaceDeletions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(user_id) = entry["UserId"].as_str() else {
                continue;
            };
            let face_id = &entry["FaceId"];
            let store = self.store();
            for (operation, request) in [
                (
                    "DisassociateFaces",
                    json!({"CollectionId": collection_id, "UserId": user_id, "FaceIds": [face_id]}),
                ),
                (
                    "DeleteFaces",
                    json!({"CollectionId": collection_id, "FaceIds": [face_id]}),
                ),
            ] {
                dispatch::call(store, operation, request).expect("the bug's own calls succeed");
            }
        }
    }

    /// Finds the collection holding the faces a DeleteFaces response reports as associated.
    fn collection_of_last_delete(&self, response: &Value) -> Option<&'static str> {
        let face_id = response["UnsuccessfulFaceDeletions"]
            .as_array()?
            .iter()
            .find(|entry| entry.get("UserId").is_some())?["FaceId"]
            .clone();
        COLLECTIONS.into_iter().find(|collection_id| {
            let listed = dispatch::call(
                self.store(),
                "ListFaces",
                json!({"CollectionId": collection_id, "FaceIds": [face_id]}),
            );
            listed.is_ok_and(|listed| listed["Faces"][0].get("UserId").is_some())
        })
    }
}

/// A ListFaces pagination in progress on both sides.
struct Cursor {
    request: Value,
    engine_token: String,
    model_token: String,
}

/// The engine and the model side by side.
pub struct Harness {
    engine: Engine,
    model: Model,
    cursor: Option<Cursor>,
}

impl Harness {
    /// Returns a harness over `engine` and an empty model, after creating collections `c1`
    /// and `c2` with user `u1` in each on both, so that generated steps rarely meet a missing
    /// collection or user.
    pub fn new(engine: Engine) -> Self {
        let mut harness = Self {
            engine,
            model: Model::default(),
            cursor: None,
        };
        for collection in [0, 1] {
            let setup = [
                Op::CreateCollection {
                    collection,
                    tags: None,
                },
                Op::CreateUser {
                    collection,
                    user: 0,
                    token: None,
                },
            ];
            for op in &setup {
                harness
                    .step(op)
                    .expect("creating a collection and a user in an empty store succeeds");
            }
        }
        harness
    }

    /// Runs every step, then compares the full state; returns the first difference.
    pub fn run(mut self, ops: &[Op]) -> Result<(), String> {
        for (index, op) in ops.iter().enumerate() {
            self.step(op)
                .map_err(|difference| format!("step {index} {op:?}: {difference}"))?;
        }
        self.compare_state()
            .map_err(|difference| format!("after the last step: {difference}"))
    }

    fn step(&mut self, op: &Op) -> Result<(), String> {
        if let Some((operation, request)) = op.request() {
            let engine = self.engine.call(operation, request.clone());
            let model = self.model.call(operation, &request);
            compare(operation, &engine, &model)?;
        } else {
            self.step_without_request(op)?;
        }
        if op.is_mutation() {
            check(self.engine.store())?;
        }
        Ok(())
    }

    fn step_without_request(&mut self, op: &Op) -> Result<(), String> {
        match op {
            Op::ListCollections { max_results } => {
                let mut request = json!({});
                if let Some(max_results) = max_results {
                    request["MaxResults"] = json!(max_results);
                }
                self.all_pages("ListCollections", &request)
            }
            Op::ListFaces {
                collection,
                max_results,
                user,
                faces,
            } => {
                let mut request = json!({"CollectionId": COLLECTIONS[*collection]});
                if let Some(max_results) = max_results {
                    request["MaxResults"] = json!(max_results);
                }
                if let Some(user) = user {
                    request["UserId"] = json!(USERS[*user]);
                }
                if let Some(faces) = faces {
                    request["FaceIds"] = json!(ids(faces));
                }
                self.all_pages("ListFaces", &request)
            }
            Op::StartListFaces {
                collection,
                max_results,
            } => {
                let request =
                    json!({"CollectionId": COLLECTIONS[*collection], "MaxResults": max_results});
                self.cursor = None;
                self.page("ListFaces", request, None, None)
            }
            Op::ResumeListFaces => {
                let Some(cursor) = self.cursor.take() else {
                    return Ok(());
                };
                self.page(
                    "ListFaces",
                    cursor.request,
                    Some(cursor.engine_token),
                    Some(cursor.model_token),
                )
            }
            Op::ListFacesForgedToken { collection } => {
                let request = json!({"CollectionId": COLLECTIONS[*collection]});
                let forged = "Zm9yZ2VkLXRva2VuLXdpdGgtYS1iYWQtdGFn".to_owned();
                self.page("ListFaces", request, Some(forged.clone()), Some(forged))
            }
            Op::ListUsers {
                collection,
                max_results,
            } => {
                let mut request = json!({"CollectionId": COLLECTIONS[*collection]});
                if let Some(max_results) = max_results {
                    request["MaxResults"] = json!(max_results);
                }
                self.all_pages("ListUsers", &request)
            }
            Op::Reopen => {
                self.engine.reopen();
                Ok(())
            }
            _ => unreachable!("every other step is one call"),
        }
    }

    /// Runs one page on both sides and keeps the tokens of the next page in the cursor.
    fn page(
        &mut self,
        operation: &str,
        request: Value,
        engine_token: Option<String>,
        model_token: Option<String>,
    ) -> Result<(), String> {
        let (engine, model) = self.call_page(operation, &request, engine_token, model_token);
        compare(operation, &engine, &model)?;
        if let (Some(engine_token), Some(model_token)) = (next_token(&engine), next_token(&model)) {
            self.cursor = Some(Cursor {
                request,
                engine_token,
                model_token,
            });
        }
        Ok(())
    }

    /// Runs every page of a List operation on both sides, each side following its own tokens.
    fn all_pages(&mut self, operation: &str, request: &Value) -> Result<(), String> {
        let (mut engine_token, mut model_token) = (None, None);
        for _ in 0..=FACES.len() * COLLECTIONS.len() {
            let (engine, model) = self.call_page(operation, request, engine_token, model_token);
            compare(operation, &engine, &model)?;
            engine_token = next_token(&engine);
            model_token = next_token(&model);
            if engine_token.is_none() {
                return Ok(());
            }
        }
        Err(format!(
            "{operation} returned more pages than there are items"
        ))
    }

    fn call_page(
        &mut self,
        operation: &str,
        request: &Value,
        engine_token: Option<String>,
        model_token: Option<String>,
    ) -> (Outcome, Outcome) {
        let mut engine_request = request.clone();
        if let Some(token) = engine_token {
            engine_request["NextToken"] = json!(token);
        }
        let mut model_request = request.clone();
        if let Some(token) = model_token {
            model_request["NextToken"] = json!(token);
        }
        (
            self.engine.call(operation, engine_request),
            self.model.call(operation, &model_request),
        )
    }

    fn compare_state(&mut self) -> Result<(), String> {
        let engine = dump(|operation, request| self.engine.call(operation, request))?;
        let model = dump(|operation, request| self.model.call(operation, &request))?;
        if !same(&engine, &model) {
            return Err(format!(
                "state differs\nengine: {}\nmodel:  {}",
                pretty(&engine),
                pretty(&model)
            ));
        }
        check(self.engine.store())
    }
}

fn next_token(outcome: &Outcome) -> Option<String> {
    outcome
        .as_ref()
        .ok()?
        .get("NextToken")?
        .as_str()
        .map(str::to_owned)
}

/// Returns an error carrying the report when the store's invariants are broken.
pub fn check(store: &Store) -> Result<(), String> {
    let report = store
        .check()
        .map_err(|error| format!("check failed: {error}"))?;
    if report.is_ok() {
        Ok(())
    } else {
        Err(format!("invariants broken: {report}"))
    }
}

/// Returns every collection with its description, faces, users and tags, through `call`.
pub fn dump(mut call: impl FnMut(&str, Value) -> Outcome) -> Result<Value, String> {
    let listed = call("ListCollections", json!({})).map_err(|error| error.to_owned())?;
    let mut collections = serde_json::Map::new();
    for collection_id in listed["CollectionIds"].as_array().into_iter().flatten() {
        let by_id = json!({"CollectionId": collection_id});
        let mut description = call("DescribeCollection", by_id.clone())?;
        strip_creation_timestamp(&mut description);
        let arn = description["CollectionARN"].clone();
        collections.insert(
            collection_id.as_str().unwrap_or_default().to_owned(),
            json!({
                "Description": description,
                "Faces": call("ListFaces", by_id.clone())?["Faces"],
                "Users": call("ListUsers", by_id)?["Users"],
                "Tags": call("ListTagsForResource", json!({"ResourceArn": arn}))?["Tags"],
            }),
        );
    }
    Ok(json!({"CollectionIds": listed["CollectionIds"], "Collections": collections}))
}

/// Removes DescribeCollection's `CreationTimestamp`, which only the engine has.
fn strip_creation_timestamp(description: &mut Value) {
    if let Some(object) = description.as_object_mut() {
        object.remove("CreationTimestamp");
    }
}

/// Compares the engine's and the model's outcome of one call. `NextToken`s are compared
/// only for presence, because each side makes its own.
pub fn compare(operation: &str, engine: &Outcome, model: &Outcome) -> Result<(), String> {
    match (engine, model) {
        (Err(engine), Err(model)) if engine == model => Ok(()),
        (Ok(engine), Ok(model)) => {
            let mut engine = engine.clone();
            let mut model = model.clone();
            let engine_has_token = take_token(&mut engine);
            let model_has_token = take_token(&mut model);
            if operation == "DescribeCollection" {
                if !engine["CreationTimestamp"].is_f64() && !engine["CreationTimestamp"].is_u64() {
                    return Err(format!("CreationTimestamp is not a number: {engine}"));
                }
                strip_creation_timestamp(&mut engine);
            }
            if engine_has_token != model_has_token || !same(&engine, &model) {
                return Err(format!(
                    "{operation} responses differ\nengine: {} (NextToken: {engine_has_token})\n\
                     model:  {} (NextToken: {model_has_token})",
                    pretty(&engine),
                    pretty(&model)
                ));
            }
            Ok(())
        }
        _ => Err(format!(
            "{operation} outcomes differ\nengine: {}\nmodel:  {}",
            describe(engine),
            describe(model)
        )),
    }
}

fn take_token(response: &mut Value) -> bool {
    response
        .as_object_mut()
        .and_then(|object| object.remove("NextToken"))
        .is_some()
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(value) => pretty(value),
        Err(name) => (*name).to_owned(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// Compares JSON values, numbers by value within a relative 1e-6 so that the model's f64
/// similarity equals the engine's, which goes through f32 embeddings.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= 1e-6 * x.abs().max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}
