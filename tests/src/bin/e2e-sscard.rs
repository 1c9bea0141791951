//! The `sscard` command line, built inside the e2e package for its tests (same main as
//! terminal/cli/src/main.rs).
fn main() -> std::process::ExitCode {
    sscard_cli::main()
}
