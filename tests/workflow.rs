//! The example CI workflow runs on a schedule, runs only the office's own
//! checks with an installed zongjie, and its steps are the commands the
//! README documents; the release workflow builds every platform the README
//! promises, with checksums.

use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// The commands of the workflow's one-line `run:` steps.
fn runs(workflow: &str) -> Vec<&str> {
    workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .collect()
}

#[test]
fn workflow_is_scheduled_and_runs_the_readme_commands() {
    let workflow = read(".github/workflows/reports.yml");
    let readme = read("README.md");
    assert!(
        workflow.contains("schedule:") && workflow.contains("- cron:"),
        "a schedule trigger"
    );
    let tool: Vec<&str> = runs(&workflow)
        .into_iter()
        .filter(|r| r.starts_with("zongjie") || r.starts_with("cargo"))
        .collect();
    assert!(tool.len() >= 3, "{tool:?}");
    for run in &tool {
        assert!(
            readme.contains(run),
            "the workflow runs `{run}`, which the README does not document"
        );
    }
    for want in ["zongjie check --strict", "zongjie build"] {
        assert!(
            tool.iter().any(|r| r.starts_with(want)),
            "the workflow runs no `{want}`: {tool:?}"
        );
    }
}

#[test]
fn the_report_workflow_installs_the_tool_and_never_tests_it() {
    let workflow = read(".github/workflows/reports.yml");
    assert!(
        !workflow.contains("cargo test") && !workflow.contains("cargo run"),
        "an office's report job runs the tool, not the tool's test suite"
    );
    assert!(
        workflow.contains("gh release download"),
        "a released binary"
    );
    assert!(
        workflow.contains("actions/cache@") && workflow.contains("cargo install --locked --path ."),
        "or a cached cargo install"
    );
    assert!(
        workflow.contains("sha256sum --check"),
        "the download is verified"
    );
}

#[test]
fn releases_cover_linux_windows_and_macos_with_checksums() {
    let release = read(".github/workflows/release.yml");
    let readme = read("README.md");
    assert!(release.contains("tags: [\"v*\"]"), "built on every tag v*");
    for target in [
        "x86_64-unknown-linux-musl",
        "x86_64-pc-windows-msvc",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
    ] {
        assert!(release.contains(target), "no {target} build");
        assert!(readme.contains(target), "the README does not name {target}");
    }
    assert!(release.contains("SHA256SUMS.txt") && readme.contains("SHA256SUMS.txt"));
    assert!(release.contains("cargo build --release --locked"));
    // `zongjie --version` of a release says the tag's version.
    assert!(release.contains("does not match version $version in Cargo.toml"));
    // A Windows checkout builds the same templates (LF) into the binary.
    let attributes = read(".gitattributes");
    for pinned in ["src/** text eol=lf", "templates/** text eol=lf"] {
        assert!(attributes.contains(pinned), "{pinned}");
    }
    // The bundled fonts are compiled into the binary: their licences ship with it.
    assert!(release.contains("fonts/LICENSE-*.txt"));
}
