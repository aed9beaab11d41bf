//! `zongjie schema` is a valid JSON Schema that accepts every example and
//! feature file and rejects what the loader rejects (unknown fields, wrong
//! shapes).

use std::path::Path;
use std::process::Command;

fn schema() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_zongjie"))
        .arg("schema")
        .output()
        .expect("runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

fn yaml(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn schema_is_valid_and_accepts_the_examples() {
    let schema = schema();
    jsonschema::draft7::meta::validate(&schema).expect("a valid draft-07 schema");
    let validator = jsonschema::draft7::new(&schema).expect("compiles");
    for file in [
        "data/lishui-2022.yaml",
        "data/wenzhou-2023-tasks.yaml",
        "tests/fixtures/features/half.yaml",
        "tests/fixtures/features/prev.yaml",
        "tests/fixtures/features/headings.yaml",
    ] {
        let errors: Vec<String> = validator
            .iter_errors(&yaml(file))
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
    }
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    for file in [
        "tests/fixtures/errors/unknown-field.yaml",
        "tests/fixtures/errors/wrong-type.yaml",
        "tests/fixtures/errors/wrong-shape.yaml",
    ] {
        assert!(!validator.is_valid(&yaml(file)), "{file} should be invalid");
    }
    let bad_sample: serde_json::Value = serde_json::json!({"numbering": {"item": "甲乙"}});
    assert!(!validator.is_valid(&bad_sample));
}
