//! The `sscard` command line; everything is in `sscard_terminal::cli`.
fn main() -> std::process::ExitCode {
    sscard_terminal::cli::main()
}
