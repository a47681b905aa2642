//! The server as a real process: durability across SIGKILL, graceful shutdown on SIGTERM,
//! body limits over TCP, and a database locked by another server.

#![cfg(all(feature = "server", unix))]

mod server_support;

use std::io::Write;

use serde_json::{Value, json};
use server_support::{ServerProcess, TestResult, connect, post, post_ok, read_reply, request_head};

fn face_id(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

fn import_faces(server: &ServerProcess, collection: &str, count: usize) -> TestResult {
    post_ok(
        server.address,
        "CreateCollection",
        &json!({ "CollectionId": collection }),
    )?;
    let faces: Vec<Value> = (0..count)
        .map(|n| json!({ "FaceId": face_id(n) }))
        .collect();
    post_ok(
        server.address,
        "ImportFaces",
        &json!({ "CollectionId": collection, "Faces": faces }),
    )?;
    Ok(())
}

fn listed_face_ids(server: &ServerProcess, collection: &str) -> TestResult<Vec<String>> {
    let listed = post_ok(
        server.address,
        "ListFaces",
        &json!({ "CollectionId": collection }),
    )?;
    let faces = listed["Faces"].as_array().ok_or("no Faces")?;
    Ok(faces
        .iter()
        .filter_map(|face| face["FaceId"].as_str().map(str::to_owned))
        .collect())
}

#[test]
fn sigkill_after_delete_keeps_faces_deleted() -> TestResult {
    let directory = tempfile::tempdir()?;
    let db = directory.path().join("faces.redb");

    let server = ServerProcess::start(&db, &[])?;
    import_faces(&server, "c1", 3)?;
    let deleted = post_ok(
        server.address,
        "DeleteFaces",
        &json!({ "CollectionId": "c1", "FaceIds": [face_id(0), face_id(2)] }),
    )?;
    assert_eq!(deleted["DeletedFaces"], json!([face_id(0), face_id(2)]));
    server.kill()?;

    let server = ServerProcess::start(&db, &[])?;
    assert_eq!(listed_face_ids(&server, "c1")?, [face_id(1)]);
    let retried = post_ok(
        server.address,
        "DeleteFaces",
        &json!({ "CollectionId": "c1", "FaceIds": [face_id(0)] }),
    )?;
    assert_eq!(retried["DeletedFaces"], json!([]));
    assert_eq!(
        retried["UnsuccessfulFaceDeletions"],
        json!([{ "FaceId": face_id(0), "Reasons": ["FACE_NOT_FOUND"] }])
    );
    let described = post_ok(
        server.address,
        "DescribeCollection",
        &json!({ "CollectionId": "c1" }),
    )?;
    assert_eq!(described["FaceCount"], 1);
    Ok(())
}

#[test]
fn sigterm_closes_database_cleanly() -> TestResult {
    let directory = tempfile::tempdir()?;
    let db = directory.path().join("faces.redb");

    let mut server = ServerProcess::start(&db, &[])?;
    import_faces(&server, "c1", 2)?;
    server.terminate()?;
    let status = server.wait()?;

    assert!(status.success(), "exit {status}:\n{}", server.log());
    let log = server.log();
    assert!(log.contains("SIGTERM"), "{log}");
    assert!(log.contains("facestore server stopped"), "{log}");
    assert!(log.contains("database closed"), "{log}");

    // The file lock is released and the data is there.
    let store = facestore::Store::open(&db)?;
    let listed = store.list_faces(&facestore::api::ListFacesRequest {
        collection_id: "c1".into(),
        ..Default::default()
    })?;
    assert_eq!(listed.faces.len(), 2);
    Ok(())
}

#[test]
fn sigint_stops_server_cleanly() -> TestResult {
    let directory = tempfile::tempdir()?;
    let mut server = ServerProcess::start(&directory.path().join("faces.redb"), &[])?;
    server.signal("INT")?;
    let status = server.wait()?;

    assert!(status.success(), "exit {status}:\n{}", server.log());
    let log = server.log();
    assert!(log.contains("SIGINT"), "{log}");
    assert!(log.contains("database closed"), "{log}");
    Ok(())
}

#[test]
fn sigterm_finishes_request_in_flight() -> TestResult {
    let directory = tempfile::tempdir()?;
    let db = directory.path().join("faces.redb");
    let mut server = ServerProcess::start(&db, &[])?;
    post_ok(
        server.address,
        "CreateCollection",
        &json!({ "CollectionId": "c1" }),
    )?;

    // Send half a request, stop the server, then send the rest: the request must complete.
    let body = json!({ "CollectionId": "c1", "Faces": [{ "FaceId": face_id(7) }] }).to_string();
    let (first, second) = body.split_at(body.len() / 2);
    let mut stream = connect(server.address)?;
    stream.write_all(request_head("FaceStoreService.ImportFaces", body.len()).as_bytes())?;
    stream.write_all(first.as_bytes())?;
    stream.flush()?;
    // The handler starts once the request head is parsed, and then waits for the body.
    server.wait_for_log("request received operation=\"ImportFaces\"")?;
    server.terminate()?;
    server.wait_for_log("shutting down")?;
    stream.write_all(second.as_bytes())?;
    let reply = read_reply(&mut stream)?;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let status = server.wait()?;
    assert!(status.success(), "exit {status}:\n{}", server.log());
    let server = ServerProcess::start(&db, &[])?;
    assert_eq!(listed_face_ids(&server, "c1")?, [face_id(7)]);
    Ok(())
}

#[test]
fn oversized_content_length_is_rejected_unread() -> TestResult {
    let directory = tempfile::tempdir()?;
    let server = ServerProcess::start(
        &directory.path().join("faces.redb"),
        &["--max-body-bytes", "1024"],
    )?;

    // Declare a 1 GiB body and send none of it: the response must come anyway.
    let mut stream = connect(server.address)?;
    stream.write_all(request_head("FaceStoreService.ImportFaces", 1 << 30).as_bytes())?;
    let reply = read_reply(&mut stream)?;

    assert_eq!(reply.status, 413, "{}", reply.body);
    let body = reply.json()?;
    assert_eq!(body["__type"], "RequestEntityTooLargeException");
    assert!(
        body["Message"]
            .as_str()
            .unwrap_or_default()
            .contains("1024"),
        "{body}"
    );
    Ok(())
}

#[test]
fn failed_requests_are_logged_without_bodies() -> TestResult {
    let directory = tempfile::tempdir()?;
    let server = ServerProcess::start(&directory.path().join("faces.redb"), &[])?;
    let reply = post(
        server.address,
        "DescribeCollection",
        &json!({ "CollectionId": "secret-collection-name" }),
    )?;
    assert_eq!(reply.status, 400, "{}", reply.body);

    server.wait_for_log("ResourceNotFoundException")?;
    let log = server.log();
    assert!(log.contains("DescribeCollection"), "{log}");
    assert!(!log.contains("secret-collection-name"), "{log}");
    Ok(())
}

#[test]
fn second_server_on_same_database_fails() -> TestResult {
    let directory = tempfile::tempdir()?;
    let db = directory.path().join("faces.redb");
    let _first = ServerProcess::start(&db, &[])?;

    let output = server_support::server_command()
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--db")
        .arg(&db)
        .output()?;

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("opening the database"), "{stderr}");
    assert!(stderr.contains("faces.redb"), "{stderr}");
    Ok(())
}

/// Clients on separate TCP connections delete overlapping sets of faces at once; each face
/// must be reported deleted by exactly one response.
#[test]
fn concurrent_clients_delete_each_face_once() -> TestResult {
    const FACES: usize = 60;
    const CLIENTS: usize = 12;
    const SPAN: usize = 20;

    let directory = tempfile::tempdir()?;
    let server = ServerProcess::start(&directory.path().join("faces.redb"), &[])?;
    import_faces(&server, "c1", FACES)?;

    let address = server.address;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let ids: Vec<String> = (0..SPAN)
                .map(|i| face_id((client * 5 + i) % FACES))
                .collect();
            std::thread::spawn(move || {
                let body = json!({ "CollectionId": "c1", "FaceIds": ids });
                post_ok(address, "DeleteFaces", &body).map_err(|error| error.to_string())
            })
        })
        .collect();

    let mut deleted = Vec::new();
    for client in clients {
        let response = client.join().map_err(|_| "client thread panicked")??;
        let ids = response["DeletedFaces"]
            .as_array()
            .ok_or("no DeletedFaces")?;
        deleted.extend(ids.iter().filter_map(Value::as_str).map(str::to_owned));
    }

    let total = deleted.len();
    deleted.sort();
    deleted.dedup();
    assert_eq!(deleted.len(), total, "a face was reported deleted twice");
    assert_eq!(total, FACES, "every face is in some client's range");
    assert!(listed_face_ids(&server, "c1")?.is_empty());
    Ok(())
}
