//! The `facestore` command-line tool.

fn main() {}
