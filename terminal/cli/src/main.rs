//! The `sscard` command line; everything is in the `sscard_cli` library.
fn main() -> std::process::ExitCode {
    sscard_cli::main()
}
