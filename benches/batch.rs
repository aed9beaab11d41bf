//! Batch throughput: builds 100 reports made from the example data (50
//! copies of each example) into a temp folder, every format, on all cores,
//! and prints documents per second; then times the no-op rebuild.
//! Run with `cargo bench --bench batch`.

use std::path::PathBuf;
use std::time::Instant;

use zongjie::build::{self, BuildRequest, Format};
use zongjie::render::Templates;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("zongjie-bench-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("temp folder");
    let mut documents = Vec::new();
    for i in 0..50 {
        for example in ["lishui-2022", "wenzhou-2023-tasks"] {
            let path = data.join(format!("{example}-{i:02}.yaml"));
            std::fs::copy(root.join(format!("data/{example}.yaml")), &path).expect("copy");
            documents.push(path);
        }
    }
    let templates = Templates::load(None).expect("templates");
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let formats: Vec<Format> = [Format::Md, Format::Html, Format::Pdf].to_vec();
    let fonts = zongjie::fonts::FontOptions {
        font_paths: Vec::new(),
        ignore_system_fonts: true,
    };
    let request = |force| BuildRequest {
        documents: documents.clone(),
        out_dir: dir.join("output"),
        formats: formats.clone(),
        force,
        strict: false,
        jobs,
        check_only: false,
        profile: None,
        fonts: fonts.clone(),
        imports: Default::default(),
        scans: Default::default(),
    };
    let start = Instant::now();
    let outcomes = build::run(&request(true), &templates, &|| {}, &|_| {}).expect("builds");
    let full = start.elapsed().as_secs_f64();
    let built = outcomes
        .iter()
        .filter(|o| o.status == build::Status::Built)
        .count();
    assert_eq!(built, documents.len(), "every document builds");
    let start = Instant::now();
    let outcomes = build::run(&request(false), &templates, &|| {}, &|_| {}).expect("builds");
    let noop = start.elapsed().as_secs_f64();
    assert!(outcomes.iter().all(|o| o.status == build::Status::Skipped));
    println!(
        "batch: {} documents ({:?}) on {jobs} threads in {full:.2} s = {:.1} documents/s; no-op rebuild {:.0} ms",
        documents.len(),
        formats,
        documents.len() as f64 / full,
        noop * 1000.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
