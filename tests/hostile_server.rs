//! Hostile clients of the server process: a client that sends half a request and then stalls
//! must not keep a stopping server alive.

#![cfg(all(feature = "server", unix))]

#[allow(
    dead_code,
    reason = "this file uses only part of the shared server helpers"
)]
mod server_support;

use std::io::Write;

use server_support::{ServerProcess, TestResult, connect, request_head};

#[test]
fn sigterm_ends_despite_stalled_request() -> TestResult {
    let directory = tempfile::tempdir()?;
    let mut server = ServerProcess::start(&directory.path().join("faces.redb"), &[])?;

    // The request head promises a body of 100 bytes; only one byte of it ever arrives.
    let mut stalled = connect(server.address)?;
    stalled.write_all(request_head("RekognitionService.ListCollections", 100).as_bytes())?;
    stalled.write_all(b"{")?;
    stalled.flush()?;
    server.wait_for_log("request received operation=\"ListCollections\"")?;
    server.terminate()?;
    let status = server.wait()?;

    assert!(status.success(), "exit {status}:\n{}", server.log());
    let log = server.log();
    assert!(log.contains("database closed"), "{log}");
    drop(stalled);
    Ok(())
}
