//! The example CI workflow runs on a schedule and its steps are the
//! commands the README documents.

#[test]
fn workflow_is_scheduled_and_runs_the_readme_commands() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join(".github/workflows/reports.yml")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        workflow.contains("schedule:") && workflow.contains("- cron:"),
        "a schedule trigger"
    );
    let runs: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|r| r.starts_with("cargo"))
        .collect();
    assert!(runs.len() >= 3, "{runs:?}");
    for run in runs {
        assert!(
            readme.contains(run),
            "the workflow runs `{run}`, which the README does not document"
        );
    }
}
