//! rmaboard: parse the command line, open the store, hand over.

fn main() -> std::process::ExitCode {
    rmaboard::cli::main()
}
