//! The preview server in a real browser, over the real pipeline: headless
//! Chromium keeps the page open while the data file is edited, and must show the new text, the
//! error panel and the recovery without a manual reload. Skipped (with a
//! note) when no Chromium is installed; CI installs Debian's `chromium`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headless_chrome::{Browser, LaunchOptions, Tab};
use zongjie::preview::{self, PreviewConfig, Site};
use zongjie::site::PipelineSite;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ZONGJIE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("temp dir: {e}");
    }
    dir
}

fn launch(path: PathBuf, profile: &Path) -> Browser {
    let options = LaunchOptions {
        path: Some(path),
        headless: true,
        sandbox: false,
        window_size: Some((1280, 1000)),
        user_data_dir: Some(profile.to_path_buf()),
        args: vec![
            OsStr::new("--disable-gpu"),
            OsStr::new("--no-first-run"),
            OsStr::new("--disable-background-networking"),
            OsStr::new("--disable-component-update"),
            OsStr::new("--disable-sync"),
        ],
        idle_browser_timeout: Duration::from_secs(60),
        ..LaunchOptions::default()
    };
    match Browser::new(options) {
        Ok(b) => b,
        Err(e) => panic!("chromium did not start: {e}"),
    }
}

fn eval_string(tab: &Tab, js: &str) -> String {
    match tab.evaluate(js, false) {
        Ok(v) => v
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        // The page may be mid-reload: treat as not there yet.
        Err(_) => String::new(),
    }
}

/// Polls the page's text until `pred` holds; returns how long it took.
fn wait_for(tab: &Tab, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let text = eval_string(tab, "document.body ? document.body.innerText : ''");
        if pred(&text) {
            return start.elapsed();
        }
        if start.elapsed() > limit {
            panic!(
                "waited {limit:?} for {what}; page text: {}",
                text.chars().take(300).collect::<String>()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Saves the way editors do: write a sibling temp file, then rename over.
fn save(file: &Path, text: &str) {
    let tmp = file.with_extension("md.swp");
    if let Err(e) = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, file)) {
        panic!("save: {e}");
    }
}

fn screenshot(tab: &Tab, name: &str) {
    if let Ok(dir) = std::env::var("ZONGJIE_SCREENSHOT_DIR") {
        use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
        if let Ok(png) =
            tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        {
            let _ = std::fs::write(Path::new(&dir).join(name), png);
        }
    }
}

const FIRST: &str = "doc: {title: 预览测试报告, draft: true}\nparts:\n  - title: 工作总结\n    sections:\n      - lead: 初稿段落\n        text: 第一版正文。\n";

fn start(
    name: &str,
    text: &str,
) -> Option<(preview::Preview, Browser, Arc<Tab>, PathBuf, PathBuf)> {
    let Some(chrome) = chromium() else {
        eprintln!("note: chromium not found, skipping the browser test (apt-get install chromium)");
        return None;
    };
    let dir = temp_dir(name);
    let file = dir.join("report.yaml");
    if let Err(e) = std::fs::write(&file, text) {
        panic!("{e}");
    }
    let site: Arc<dyn Site> = Arc::new(PipelineSite::new(
        file.clone(),
        None,
        None,
        zongjie::fonts::FontOptions::default(),
    ));
    let server = match preview::start(site, &PreviewConfig::default()) {
        Ok(s) => s,
        Err(e) => panic!("preview did not start: {e}"),
    };
    let profile = dir.join("chromium-profile");
    let browser = launch(chrome, &profile);
    let tab = match browser.new_tab() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    if let Err(e) = tab
        .navigate_to(&server.url())
        .and_then(|t| t.wait_until_navigated())
    {
        panic!("navigate: {e}");
    }
    Some((server, browser, tab, file, dir))
}

#[test]
fn edit_shows_in_open_page_without_reload() {
    let Some((server, _browser, tab, file, dir)) = start("preview-edit", FIRST) else {
        return;
    };
    wait_for(&tab, "first build", Duration::from_secs(10), |t| {
        t.contains("第一版正文")
    });
    screenshot(&tab, "preview-first.png");
    // The page's own requests pass the same-origin checks: the PDF link
    // (fetched as the browser sends it, with its Sec-Fetch-* headers).
    let pdf = match tab.evaluate(
        "fetch('/report.pdf').then(r => r.status + ' ' + r.headers.get('content-type'))",
        true,
    ) {
        Ok(v) => v
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        Err(e) => panic!("fetch: {e}"),
    };
    assert_eq!(pdf, "200 application/pdf");
    let mut latencies = Vec::new();
    for round in 1..=3 {
        let marker = format!("第{round}次修改后的正文");
        let saved = Instant::now();
        save(&file, &FIRST.replace("第一版正文", &marker));
        wait_for(&tab, "the edit", Duration::from_secs(20), |t| {
            t.contains(&marker) && !t.contains("第一版正文")
        });
        latencies.push(saved.elapsed());
    }
    screenshot(&tab, "preview-edited.png");
    eprintln!("edit → page latency: {latencies:?}");
    // The page was reloaded by the server's script, not by us: its build
    // number moved with the server's.
    assert_eq!(server.generation(), 4);
    // How fast is measured by scripts/, not asserted here: a loaded
    // machine must not fail a correct preview.
    // Editor temp files beside the watched file trigger nothing.
    let _ = std::fs::write(dir.join("4913"), "x");
    let _ = std::fs::write(dir.join(".report.md.swx"), "x");
    let _ = std::fs::write(dir.join("report.md~"), "x");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(server.generation(), 4, "temp files caused a rebuild");
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn build_error_shows_panel_then_recovers() {
    let Some((server, _browser, tab, file, dir)) = start("preview-error", FIRST) else {
        return;
    };
    wait_for(&tab, "first build", Duration::from_secs(10), |t| {
        t.contains("第一版正文")
    });
    std::fs::write(
        &file,
        FIRST.replace(
            "第一版正文。",
            "正文【不存在<script>document.title='pwned'</script>】。",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let took = wait_for(&tab, "the error panel", Duration::from_secs(5), |t| {
        t.contains("构建失败")
            && t.contains("report.yaml:6:17")
            && t.contains("define it under `metrics:`")
    });
    eprintln!("edit → error panel latency: {took:?}");
    // The failure text is shown literally, never run.
    let panel = eval_string(&tab, "document.getElementById('zongjie-error').innerText");
    assert!(
        // (long keys are quoted shortened: the first 24 characters)
        panel.contains("unknown metric `不存在<script>document.titl…`"),
        "{panel}"
    );
    assert_ne!(eval_string(&tab, "document.title"), "pwned");
    screenshot(&tab, "preview-error.png");
    std::fs::write(&file, FIRST.replace("第一版正文", "修复后的正文"))
        .unwrap_or_else(|e| panic!("{e}"));
    let took = wait_for(&tab, "recovery", Duration::from_secs(5), |t| {
        t.contains("修复后的正文") && !t.contains("构建失败")
    });
    eprintln!("fix → page latency: {took:?}");
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn error_panel_keeps_the_last_draft_dimmed_and_points_at_the_fault() {
    let Some((server, _browser, tab, file, dir)) = start("preview-caret", FIRST) else {
        return;
    };
    wait_for(&tab, "first build", Duration::from_secs(10), |t| {
        t.contains("第一版正文")
    });
    save(&file, &FIRST.replace("        text:", "        txet:"));
    wait_for(&tab, "the error panel", Duration::from_secs(5), |t| {
        t.contains("构建失败") && t.contains("report.yaml:6:9")
    });
    // The last good draft is still there, dimmed, under the panel.
    let text = eval_string(&tab, "document.body.innerText");
    assert!(
        text.contains("第一版正文") && text.contains("last good draft"),
        "{text}"
    );
    let opacity = eval_string(
        &tab,
        "String(getComputedStyle([...document.body.children].find(e => e.id !== 'zongjie-error' && e.id !== 'zongjie-preview' && e.tagName !== 'STYLE' && e.tagName !== 'SCRIPT')).opacity)",
    );
    assert_eq!(opacity, "0.35");
    // The caret sits under the first character of the fault, below it.
    let geometry = eval_string(
        &tab,
        "(() => { const f = document.querySelector('#zongjie-error .fault'); const c = f.querySelector('.caret'); const r = document.createRange(); r.setStart(f.firstChild, 0); r.setEnd(f.firstChild, 1); const a = r.getBoundingClientRect(), b = c.getBoundingClientRect(); return [f.firstChild.textContent, Math.round(a.left), Math.round(b.left), b.top > a.top ? 'below' : 'not below'].join(' '); })()",
    );
    let parts: Vec<&str> = geometry.split(' ').collect();
    assert_eq!(parts.len(), 4, "{geometry}");
    assert_eq!(parts[0], "txet", "{geometry}");
    let (char_left, caret_left): (i64, i64) =
        (parts[1].parse().unwrap(), parts[2].parse().unwrap());
    assert!((char_left - caret_left).abs() <= 1, "{geometry}");
    assert_eq!(parts[3], "below", "{geometry}");
    screenshot(&tab, "preview-caret.png");
    save(&file, FIRST);
    wait_for(&tab, "recovery", Duration::from_secs(5), |t| {
        t.contains("第一版正文") && !t.contains("构建失败")
    });
    assert_eq!(
        eval_string(
            &tab,
            "document.getElementById('zongjie-error') ? 'panel' : 'none'"
        ),
        "none"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
