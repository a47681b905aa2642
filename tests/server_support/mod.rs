//! Starts the facestore server as a real process and talks to it over raw HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Upper bound for every wait on the server process: start, response, exit.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Returns the command that starts the server; the arguments after it are the server's flags.
/// This is the one place that names the server program.
pub fn server_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_facestore"));
    command.arg("serve");
    command
}

/// A running server process, killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub address: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts the server on a free loopback port with the database `db` and extra flags, and
    /// waits until it logs the address it listens on.
    pub fn start(db: &Path, flags: &[&str]) -> TestResult<Self> {
        let mut child = server_command()
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--db")
            .arg(db)
            .args(flags)
            .env("RUST_LOG", "info,facestore::server=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;

        let stderr = Arc::new(Mutex::new(String::new()));
        let (sender, receiver) = mpsc::channel();
        let pipe = child.stderr.take().ok_or("no stderr pipe")?;
        let log = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if line.contains("listening")
                    && let Some(address) = loopback_address(&line)
                {
                    let _ = sender.send(address);
                }
                let mut log = log.lock().expect("stderr buffer");
                log.push_str(&line);
                log.push('\n');
            }
        });

        match receiver.recv_timeout(PATIENCE) {
            Ok(address) => Ok(Self {
                child,
                address,
                stderr,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = stderr.lock().expect("stderr buffer").clone();
                Err(format!("the server logged no listening address:\n{log}").into())
            }
        }
    }

    /// Returns the process ID.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Returns everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }

    /// Waits until the server's stderr contains `text`, for at most [`PATIENCE`].
    pub fn wait_for_log(&self, text: &str) -> TestResult {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.log().contains(text) {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!("the server never logged '{text}':\n{}", self.log()).into())
    }

    /// Sends SIGKILL and waits for the process to end.
    pub fn kill(mut self) -> TestResult {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) -> TestResult {
        self.signal("TERM")
    }

    /// Sends the signal named `name`, such as `INT`, with the `kill` program.
    pub fn signal(&self, name: &str) -> TestResult {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.id().to_string()])
            .status()?;
        if !status.success() {
            return Err(format!("kill -{name} {} failed: {status}", self.id()).into());
        }
        Ok(())
    }

    /// Waits for the process to exit, for at most [`PATIENCE`].
    pub fn wait(&mut self) -> TestResult<ExitStatus> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                // Let the reader thread take the last lines.
                thread::sleep(Duration::from_millis(100));
                return Ok(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!("the server did not exit:\n{}", self.log()).into())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Finds `127.0.0.1:<port>` in a log line.
fn loopback_address(line: &str) -> Option<SocketAddr> {
    let start = line.find("127.0.0.1:")?;
    let rest = &line[start..];
    let end = rest
        .char_indices()
        .skip("127.0.0.1:".len())
        .find(|(_, character)| !character.is_ascii_digit())
        .map_or(rest.len(), |(index, _)| index);
    rest[..end].parse().ok()
}

/// An HTTP response: status code and body.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    /// Parses the body as JSON.
    pub fn json(&self) -> TestResult<Value> {
        Ok(serde_json::from_str(&self.body)?)
    }
}

/// Connects to the server with read and write timeouts.
pub fn connect(address: SocketAddr) -> TestResult<TcpStream> {
    let stream = TcpStream::connect_timeout(&address, PATIENCE)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    Ok(stream)
}

/// Returns the head of an AWS JSON 1.1 request whose body has `length` bytes.
pub fn request_head(target: &str, length: usize) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {target}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
}

/// Reads a whole response from a connection the server closes after responding.
pub fn read_reply(stream: &mut TcpStream) -> TestResult<Reply> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8(raw)?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no header end in response: {text}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .ok_or_else(|| format!("no status in response: {head}"))?
        .parse()?;
    Ok(Reply {
        status,
        body: body.to_owned(),
    })
}

/// Sends one operation and returns the response.
pub fn post(address: SocketAddr, operation: &str, body: &Value) -> TestResult<Reply> {
    let prefix = if operation == "ImportFaces" {
        "FaceStoreService"
    } else {
        "RekognitionService"
    };
    let body = body.to_string();
    let mut stream = connect(address)?;
    stream.write_all(request_head(&format!("{prefix}.{operation}"), body.len()).as_bytes())?;
    stream.write_all(body.as_bytes())?;
    read_reply(&mut stream)
}

/// Sends one operation, requires HTTP 200 and returns the response document.
pub fn post_ok(address: SocketAddr, operation: &str, body: &Value) -> TestResult<Value> {
    let reply = post(address, operation, body)?;
    if reply.status != 200 {
        return Err(format!("{operation} returned {}: {}", reply.status, reply.body).into());
    }
    reply.json()
}
