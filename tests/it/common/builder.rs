//! [`Test`]: a run of the real binary and what it must show, as just's `tests/test.rs`.

use std::ffi::{OsStr, OsString};
use std::process::{Child, Command, Output, Stdio};

use super::{root, under_terminal};

/// A run of the real binary from the crate root and what it must show, as just's
/// `tests/test.rs` writes its CLI tests:
///
/// ```text
/// Test::new().args(["no/such/file.yaml", "--dry-run"]).status(2).stderr_contains("no such file");
/// let out = Test::new().args(["schema"]).status(0).run();
/// ```
///
/// The run happens on [`Test::run`], which returns the output for further checks, or
/// when the value is dropped unused. Only what is asked is checked: no status is
/// expected unless [`Test::status`] (or [`Test::failure`]) says one. A failed check
/// panics with every check that failed, the command line, the exit status and both
/// streams.
pub struct Test {
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    terminal: bool,
    status: Option<Status>,
    stdout: Vec<Check>,
    stderr: Vec<Check>,
    ran: bool,
}

/// The exit status a [`Test`] expects.
#[derive(Debug, Clone, Copy)]
enum Status {
    /// Exactly this code.
    Code(i32),
    /// Anything but success (a code other than 0, or a signal).
    Failure,
}

/// One check of a stream's text.
#[derive(Debug, Clone)]
enum Check {
    Is(Vec<u8>),
    Empty,
    Contains(String),
    Lacks(String),
    StartsWith(String),
}

impl Check {
    /// What is wrong with `got` (the stream called `name`), if anything.
    fn problem(&self, name: &str, got: &[u8]) -> Option<String> {
        let text = String::from_utf8_lossy(got);
        match self {
            Check::Is(want) if got != want.as_slice() => {
                Some(format!("{name} differs: {}", first_difference(want, got)))
            }
            Check::Empty if !got.is_empty() => Some(format!("{name} is not empty")),
            Check::Contains(part) if !text.contains(part.as_str()) => {
                Some(format!("{name} does not contain `{part}`"))
            }
            Check::Lacks(part) if text.contains(part.as_str()) => {
                Some(format!("{name} contains `{part}`"))
            }
            Check::StartsWith(part) if !text.starts_with(part.as_str()) => {
                Some(format!("{name} does not start with `{part}`"))
            }
            Check::Is(_)
            | Check::Empty
            | Check::Contains(_)
            | Check::Lacks(_)
            | Check::StartsWith(_) => None,
        }
    }
}

/// Where `got` first departs from `want`: the line number and both lines.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let (want, got) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let (mut w, mut g) = (want.split_inclusive('\n'), got.split_inclusive('\n'));
    for line in 1.. {
        match (w.next(), g.next()) {
            (Some(a), Some(b)) if a == b => {}
            (None, None) => break,
            (a, b) => {
                return format!(
                    "line {line} is {:?}, expected {:?}",
                    b.unwrap_or("(the end)"),
                    a.unwrap_or("(the end)")
                );
            }
        }
    }
    "the bytes differ".to_string()
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// `simulate` with no arguments, run from the crate root, checking nothing yet.
    pub fn new() -> Test {
        Test {
            args: Vec::new(),
            envs: Vec::new(),
            terminal: false,
            status: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
            ran: false,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds the words of `line` (split at white space) as arguments, as a shell would
    /// split a line without quotes.
    pub fn line(self, line: &str) -> Test {
        self.args(line.split_whitespace())
    }

    /// Adds arguments.
    pub fn args<I>(mut self, args: I) -> Test
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets a variable in the binary's environment (added to the test's own).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Test {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Sets variables in the binary's environment.
    pub fn envs<I, K, V>(self, envs: I) -> Test
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        envs.into_iter().fold(self, |test, (k, v)| test.env(k, v))
    }

    /// Runs the binary under a pseudo-terminal ([`under_terminal`]): stdout then holds
    /// what the terminal showed, stderr included, and stderr is empty.
    pub fn terminal(mut self) -> Test {
        self.terminal = true;
        self
    }

    /// Expects exit code `code`.
    pub fn status(mut self, code: i32) -> Test {
        self.status = Some(Status::Code(code));
        self
    }

    /// Expects anything but success.
    pub fn failure(mut self) -> Test {
        self.status = Some(Status::Failure);
        self
    }

    /// Expects stdout to be exactly `want`.
    pub fn stdout_is(mut self, want: impl AsRef<[u8]>) -> Test {
        self.stdout.push(Check::Is(want.as_ref().to_vec()));
        self
    }

    /// Expects nothing on stdout.
    pub fn stdout_empty(mut self) -> Test {
        self.stdout.push(Check::Empty);
        self
    }

    /// Expects stdout to contain `part`.
    pub fn stdout_contains(mut self, part: impl AsRef<str>) -> Test {
        self.stdout.push(Check::Contains(part.as_ref().to_owned()));
        self
    }

    /// Expects stderr to be exactly `want`.
    pub fn stderr_is(mut self, want: impl AsRef<str>) -> Test {
        self.stderr
            .push(Check::Is(want.as_ref().as_bytes().to_vec()));
        self
    }

    /// Expects nothing on stderr.
    pub fn stderr_empty(mut self) -> Test {
        self.stderr.push(Check::Empty);
        self
    }

    /// Expects stderr to contain `part`.
    pub fn stderr_contains(mut self, part: impl AsRef<str>) -> Test {
        self.stderr.push(Check::Contains(part.as_ref().to_owned()));
        self
    }

    /// Expects stderr not to contain `part`.
    pub fn stderr_lacks(mut self, part: impl AsRef<str>) -> Test {
        self.stderr.push(Check::Lacks(part.as_ref().to_owned()));
        self
    }

    /// Expects stderr to start with `part`.
    pub fn stderr_starts_with(mut self, part: impl AsRef<str>) -> Test {
        self.stderr
            .push(Check::StartsWith(part.as_ref().to_owned()));
        self
    }

    /// Runs the binary, checks what was asked and returns its output.
    pub fn run(mut self) -> Output {
        self.ran = true;
        self.execute()
    }

    /// The command line of `program` with the arguments, as a shell would take it.
    fn command_line(&self, program: &str) -> String {
        let mut words = vec![quoted(OsStr::new(program))];
        words.extend(self.args.iter().map(|a| quoted(a)));
        words.join(" ")
    }

    fn execute(&self) -> Output {
        let out = if self.terminal {
            let envs: Vec<(&OsStr, &OsStr)> = self
                .envs
                .iter()
                .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
                .collect();
            under_terminal(&self.command_line(env!("CARGO_BIN_EXE_simulate")), &envs)
        } else {
            self.command().output().expect("the simulate binary runs")
        };
        self.check(out)
    }

    /// Starts the binary with stdout and stderr piped, for a test that reads or signals
    /// it while it runs; [`Running::wait`] checks what was asked.
    pub fn spawn(mut self) -> Running {
        self.ran = true;
        assert!(!self.terminal, "a run under a terminal is not spawned");
        let child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the simulate binary runs");
        Running { test: self, child }
    }

    /// Panics with the report if `out` fails a check.
    fn check(&self, out: Output) -> Output {
        let mut problems = Vec::new();
        match self.status {
            Some(Status::Code(code)) if out.status.code() != Some(code) => {
                problems.push(format!("the exit status is not {code}"));
            }
            Some(Status::Failure) if out.status.success() => {
                problems.push("the run succeeded".to_string());
            }
            Some(Status::Code(_) | Status::Failure) | None => {}
        }
        for check in &self.stdout {
            problems.extend(check.problem("stdout", &out.stdout));
        }
        for check in &self.stderr {
            problems.extend(check.problem("stderr", &out.stderr));
        }
        if !problems.is_empty() {
            panic!("{}", self.failure_report(&problems, &out));
        }
        out
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_simulate"));
        command
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .current_dir(root());
        command
    }

    /// Every failed check, what was run and what came out.
    fn failure_report(&self, problems: &[String], out: &Output) -> String {
        let mut text = format!("`{}`", self.command_line("simulate"));
        for (k, v) in &self.envs {
            text.push_str(&format!(" with {}={}", k.to_string_lossy(), quoted(v)));
        }
        if self.terminal {
            text.push_str(" under a terminal");
        }
        text.push_str(":\n");
        for problem in problems {
            text.push_str(&format!("  - {problem}\n"));
        }
        text.push_str(&format!("{}\n", out.status));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            const SHOWN: usize = 4_000;
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(SHOWN)]);
            text.push_str(&format!("--- {name} ({} bytes) ---\n{shown}", bytes.len()));
            if bytes.len() > SHOWN {
                text.push_str("\n…");
            }
            text.push('\n');
        }
        text
    }
}

impl Drop for Test {
    fn drop(&mut self) {
        if !self.ran && !std::thread::panicking() {
            self.ran = true;
            self.execute();
        }
    }
}

/// A [`Test`] started by [`Test::spawn`].
pub struct Running {
    test: Test,
    /// The running binary; a test may take its stdout.
    pub child: Child,
}

impl Running {
    /// Waits for the end, checks what was asked and returns the output (what is left of
    /// the streams the test did not take).
    pub fn wait(self) -> Output {
        let out = self
            .child
            .wait_with_output()
            .expect("the simulate binary ends");
        self.test.check(out)
    }
}

/// `word` as a shell reads it: bare when it is plain, otherwise in single quotes.
fn quoted(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A failed check names what was run, every check that failed, the exit status and both
/// streams; a run that passes its checks returns its output.
#[test]
fn a_failed_test_says_what_ran_and_what_came_out() {
    let out = Test::new()
        .args(["validate", "scenarios/default.yaml"])
        .status(0)
        .stdout_contains("scenarios/default.yaml: ok")
        .stderr_empty()
        .run();
    assert!(out.status.success());
    let failed = std::panic::catch_unwind(|| {
        Test::new()
            .args(["no/such file.yaml", "--dry-run"])
            .env("SIMULATE_SHARD", "0/2")
            .status(0)
            .stdout_is("nothing\n")
            .stderr_contains("no such file")
            .stderr_lacks("no such file")
            .run();
    })
    .expect_err("the checks fail");
    let message = failed.downcast_ref::<String>().unwrap();
    for part in [
        "`simulate 'no/such file.yaml' --dry-run` with SIMULATE_SHARD=0/2:\n",
        "  - the exit status is not 0\n",
        "  - stdout differs: line 1 is \"(the end)\", expected \"nothing\\n\"\n",
        "  - stderr contains `no such file`\n",
        "\nexit status: 2\n",
        "--- stdout (0 bytes) ---\n",
        "--- stderr (",
    ] {
        assert!(message.contains(part), "no {part:?} in:\n{message}");
    }
    assert!(!message.contains("does not contain"), "{message}");
}
