//! rmaboard: parse the command line, open the store, hand over.

/// See the note on `mimalloc` in Cargo.toml: rows of an import are freed on another
/// thread than the one that made them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rmaboard::sys::default_sigpipe();
    rmaboard::cli::main()
}
