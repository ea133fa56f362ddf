//! The few calls into the operating system that Rust's standard library does not offer.
//! This is the only module allowed `unsafe`; each call is small and says why it is sound.
#![allow(unsafe_code)]

/// Let `rmaboard list | head` end quietly when the reader has had enough, as other
/// command-line tools do: the default action of SIGPIPE, which Rust's runtime ignores.
/// Call before any thread starts.
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// While this lives, writing to a pipe whose reader has gone fails with an error
/// (`BrokenPipe`) instead of killing the process: for writing to a child's standard
/// input, where [`default_sigpipe`] would let a mail command that quits early kill us
/// mid-send. The previous disposition comes back when it is dropped.
pub struct SigpipeIgnored {
    #[cfg(unix)]
    previous: libc::sighandler_t,
}

/// Ignore SIGPIPE until the returned guard is dropped.
pub fn ignore_sigpipe() -> SigpipeIgnored {
    #[cfg(unix)]
    // SAFETY: changing a signal's disposition to "ignore" has no preconditions; the
    // previous one is kept to be put back.
    unsafe {
        let previous = libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        let previous = if previous == libc::SIG_ERR {
            libc::SIG_DFL
        } else {
            previous
        };
        SigpipeIgnored { previous }
    }
    #[cfg(not(unix))]
    SigpipeIgnored {}
}

impl Drop for SigpipeIgnored {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: puts back the disposition that `ignore_sigpipe` found.
        unsafe {
            libc::signal(libc::SIGPIPE, self.previous);
        }
    }
}

/// Clock ticks per second: the unit of the CPU times in `/proc/PID/stat`.
#[cfg(unix)]
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value and has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// The effective user id of this process.
#[cfg(unix)]
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The account name of the running user, from the password database.
#[cfg(unix)]
pub fn login_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 1024];
    // SAFETY: a zeroed passwd is a valid out-parameter; `buf` outlives the call and its
    // length is passed; the name is copied out before `buf` is dropped.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_string_lossy()
            .into_owned();
        Some(name).filter(|n| !n.is_empty())
    }
}

/// The account name of the running user: not known off Unix.
#[cfg(not(unix))]
pub fn login_name() -> Option<String> {
    None
}

/// The filesystem type (statfs magic number) of the folder `dir`.
#[cfg(target_os = "linux")]
pub fn filesystem_magic(dir: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path and `st` a zeroed, writable statfs.
    unsafe {
        let mut st: libc::statfs = std::mem::zeroed();
        if libc::statfs(c.as_ptr(), &mut st) != 0 {
            return None;
        }
        Some(st.f_type as u64)
    }
}

/// A pseudo-terminal of `cols` x `rows`: the master, and the path of the slave.
#[cfg(all(unix, feature = "bench"))]
pub fn open_pty(cols: u16, rows: u16) -> std::io::Result<(std::fs::File, String)> {
    use std::io::Error;
    use std::os::fd::FromRawFd;
    let fail = |what: &str| Error::other(format!("{what}: {}", Error::last_os_error()));
    // SAFETY: plain libc calls on a descriptor we own; every result is checked, and the
    // descriptor is owned by a File as soon as it exists.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if fd < 0 {
            return Err(fail("no pseudo-terminal"));
        }
        let master = std::fs::File::from_raw_fd(fd);
        if libc::grantpt(fd) != 0 || libc::unlockpt(fd) != 0 {
            return Err(fail("pseudo-terminal setup failed"));
        }
        let mut name = [0 as libc::c_char; 128];
        if libc::ptsname_r(fd, name.as_mut_ptr(), name.len()) != 0 {
            return Err(fail("ptsname failed"));
        }
        let path = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_string_lossy()
            .into_owned();
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        if libc::ioctl(fd, libc::TIOCSWINSZ, &size) != 0 {
            return Err(fail("window size failed"));
        }
        Ok((master, path))
    }
}

/// Start `cmd` in a session of its own with its standard input (a pseudo-terminal's
/// slave) as controlling terminal, as a terminal emulator does.
#[cfg(all(unix, feature = "bench"))]
pub fn with_controlling_terminal(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
