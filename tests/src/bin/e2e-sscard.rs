//! The `sscard` command line, built inside the e2e package for its tests (same main as
//! terminal/src/main.rs).
fn main() -> std::process::ExitCode {
    sscard_terminal::cli::main()
}
