//! The `zongjie` binary: parses the command line and hands it to `cli::run`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    zongjie::cli::run(zongjie::cli::Cli::parse())
}
