//! The real binary's board in a pseudo-terminal of its own, as a member of staff runs it:
//! what it draws is collected, its CPU time read from `/proc`.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A board process and what it has drawn so far.
pub struct BoardProcess {
    child: Child,
    input: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
    started: Instant,
}

impl BoardProcess {
    /// Start `exe`'s board on `db` in a `cols` x `rows` pseudo-terminal.
    pub fn spawn(exe: &Path, db: &Path, cols: u16, rows: u16) -> anyhow::Result<BoardProcess> {
        let mut cmd = Command::new(exe);
        cmd.arg("--db")
            .arg(db)
            .env("TERM", "xterm-256color")
            .env("RMABOARD_USER", "bench");
        BoardProcess::spawn_command(cmd, cols, rows)
    }

    /// Start any command in a `cols` x `rows` pseudo-terminal (`echo`, for the floor
    /// that every program's start pays).
    pub fn spawn_command(mut cmd: Command, cols: u16, rows: u16) -> anyhow::Result<BoardProcess> {
        let (master, slave_path) = super::open_pty(cols, rows)?;
        let slave = std::fs::File::options()
            .read(true)
            .write(true)
            .open(&slave_path)?;
        cmd.stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        crate::sys::with_controlling_terminal(&mut cmd);
        let output = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = Arc::clone(&output);
        let mut reader = master.try_clone()?;
        let started = Instant::now();
        let child = cmd.spawn()?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut out) = sink.lock() {
                    out.extend_from_slice(&buf[..n]);
                }
            }
        });
        Ok(BoardProcess {
            child,
            input: master,
            output,
            started,
        })
    }

    /// When the process was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether `text` was drawn since the start or the last [`BoardProcess::clear`].
    pub fn seen(&self, text: &[u8]) -> bool {
        self.output
            .lock()
            .map(|o| o.windows(text.len()).any(|w| w == text))
            .unwrap_or(false)
    }

    /// Bytes drawn since the start or the last [`BoardProcess::clear`].
    pub fn drawn(&self) -> usize {
        self.output.lock().map(|o| o.len()).unwrap_or(0)
    }

    /// Forget what was drawn so far.
    pub fn clear(&self) {
        if let Ok(mut o) = self.output.lock() {
            o.clear();
        }
    }

    /// Wait until `text` is drawn, at most `limit`.
    pub fn wait_for(&self, text: &[u8], limit: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        while !self.seen(text) {
            anyhow::ensure!(
                start.elapsed() < limit,
                "the board never drew {:?}",
                String::from_utf8_lossy(text)
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(())
    }

    /// Type keys.
    pub fn keys(&mut self, keys: &str) -> anyhow::Result<()> {
        self.input.write_all(keys.as_bytes())?;
        Ok(())
    }

    /// Its peak resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    /// CPU time used so far (user and system), in seconds.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.id())).ok()?;
        // The command name may hold spaces: fields are counted after its closing ')'.
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after ')'.
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some((utime + stime) as f64 / crate::sys::clock_ticks_per_second() as f64)
    }

    /// Quit with `q`, or kill it if it has not gone within five seconds.
    pub fn quit(mut self) {
        let _ = self.input.write_all(b"q");
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.wait();
    }
}

impl Drop for BoardProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
