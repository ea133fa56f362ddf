//! rmaboard: parse the command line, open the store, hand over.

fn main() -> std::process::ExitCode {
    // `rmaboard list | head` should end quietly when head has read enough, as other
    // command-line tools do, not report a write error.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    rmaboard::cli::main()
}
