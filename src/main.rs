//! rmaboard: parse the command line, open the store, hand over.

fn main() -> std::process::ExitCode {
    rmaboard::sys::default_sigpipe();
    rmaboard::cli::main()
}
