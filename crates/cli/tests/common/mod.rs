//! Helpers of the CLI's end-to-end tests: run `tropa` on a data folder (English messages), expect success or a
//! user error (exit 1) that says something.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const TROPA: &str = env!("CARGO_BIN_EXE_tropa");

pub fn tropa(data: &Path, args: &[&str]) -> Output {
    Command::new(TROPA).env("TROPA_LANG", "en").arg("--data").arg(data).args(args).output().unwrap()
}

/// Stdout of a command that must succeed.
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A user error: exit code 1 and `needle` in the message.
pub fn user_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains(needle), "'{needle}' not in: {err}");
}
