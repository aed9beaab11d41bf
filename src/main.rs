//! The `zongjie` binary: everything happens in `cli::main`.

fn main() -> std::process::ExitCode {
    zongjie::cli::main()
}
